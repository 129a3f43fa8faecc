import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

/** One change pushed by the server's /api/v1/live stream (Server-Sent Events). */
export interface LiveEvent {
  id: number;
  name: string;
  entity: string | null;
  entity_id: string | null;
  at: string;
}

/** Which cached queries an event makes stale: queries whose first key part is the entity. */
export function staleKeysFor(event: LiveEvent, watched: readonly string[]): string[] {
  const entity = event.entity ?? event.name.split('.')[0];
  return watched.filter((key) => key === entity);
}

/**
 * Subscribes to the server's live stream and invalidates the watched queries when their records
 * change, so a page updates without reloading. Returns whether the stream is connected (the
 * caller keeps a slow poll as a fallback while it is not).
 */
export function useLiveUpdates(watched: readonly string[]): boolean {
  const qc = useQueryClient();
  const [connected, setConnected] = useState(false);
  const key = watched.join(',');
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const keys = key.split(',');
    // EventSource cannot set headers, so the stream carries the browser's own Accept-Language, not
    // the UI's; that is harmless: its only problem responses (401/403 on connect) are never shown.
    const source = new EventSource('/api/v1/live');
    source.addEventListener('ready', () => setConnected(true));
    source.addEventListener('domain', (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as LiveEvent;
      for (const stale of staleKeysFor(event, keys)) qc.invalidateQueries({ queryKey: [stale] });
    });
    source.onerror = () => setConnected(false); // EventSource reconnects by itself
    return () => source.close();
  }, [key, qc]);
  return connected;
}
