import { type QueryKey, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { liveInvalidations, liveResource } from './query-keys';

/** One change pushed by the server's /api/v1/live stream (Server-Sent Events). */
export interface LiveEvent {
  id: number;
  name: string;
  entity: string | null;
  entity_id: string | null;
  at: string;
}

/**
 * Which cached queries an event makes stale, when the page watches the resource it is about
 * (the mapping is `liveInvalidations` in query-keys.ts).
 */
export function staleQueriesFor(event: LiveEvent, watched: readonly string[]): readonly QueryKey[] {
  const resource = liveResource(event);
  return watched.includes(resource) ? (liveInvalidations[resource] ?? []) : [];
}

/**
 * Subscribes to the server's live stream and invalidates the queries of the watched resources
 * ('interventions', 'opportunities', …) when their records change, so a page updates without
 * reloading. Returns whether the stream is connected (the caller keeps a slow poll as a
 * fallback while it is not).
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
      for (const queryKey of staleQueriesFor(event, keys)) void qc.invalidateQueries({ queryKey });
    });
    source.onerror = () => setConnected(false); // EventSource reconnects by itself
    return () => source.close();
  }, [key, qc]);
  return connected;
}
