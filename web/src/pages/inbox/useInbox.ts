import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNotifyError } from '../../components/notify';
import { request } from '../../lib/api';
import { useLiveUpdates } from '../../lib/live';
import { queryKeys } from '../../lib/query-keys';
import { INBOX_POLL_MS, type Intervention, newIds, type InboxPage as Page } from '../../lib/signals';

function startOfToday(): string {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString();
}

/** The inbox (live: pushed over SSE, with a slow poll as the fallback), today's held bundles, and which rows are new. */
export function useInbox(status: string, owner: string) {
  // Pushed by the server (SSE at /api/v1/live); a slow poll covers the moments the stream is down.
  const live = useLiveUpdates(['interventions']);
  const inbox = useQuery({
    queryKey: queryKeys.interventions.inbox(status, owner),
    queryFn: () =>
      request('get', '/interventions', {
        query: {
          status: status === 'all' ? undefined : status,
          owner_id: owner,
          delivery: 'realtime',
          limit: 200,
        },
      }) as Promise<Page>,
    refetchInterval: live ? INBOX_POLL_MS * 12 : INBOX_POLL_MS,
    staleTime: 0,
  });
  const heldToday = useQuery({
    queryKey: queryKeys.interventions.heldToday(owner),
    queryFn: () =>
      request('get', '/interventions', {
        query: { owner_id: 'me', delivery: 'brief', from: startOfToday(), limit: 500 },
      }) as Promise<Page>,
    refetchInterval: INBOX_POLL_MS * 6,
  });

  // highlight bundles that arrived since the page was opened
  const seen = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  useEffect(() => {
    const rows = inbox.data?.data;
    if (!rows) return;
    const added = newIds(seen.current, rows);
    if (added.size) setFresh((f) => new Set([...f, ...added]));
    seen.current = new Set([...(seen.current ?? []), ...rows.map((r) => r.id)]);
  }, [inbox.data]);
  return { live, inbox, heldToday, fresh };
}

/** Accepting a bundle, and dismissing one (with a reason, asked for in a modal). */
export function useInboxActions() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [dismissing, setDismissing] = useState<Intervention | null>(null);
  const [reason, setReason] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: queryKeys.interventions.all });
  const onError = useNotifyError();
  const accept = useMutation({
    mutationFn: (id: string) => request('post', '/interventions/{id}/accept', { path: { id }, body: {} }),
    onSuccess: () => {
      notifications.show({ color: 'green', message: t('inbox.acceptedMsg') });
      void refresh();
    },
    onError,
  });
  const dismiss = useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) =>
      request('post', '/interventions/{id}/dismiss', { path: { id }, body: { reason } }),
    onSuccess: () => {
      notifications.show({ message: t('inbox.dismissedMsg') });
      setDismissing(null);
      setReason('');
      void refresh();
    },
    onError,
  });
  return { accept, dismiss, dismissing, setDismissing, reason, setReason };
}

export type InboxActions = ReturnType<typeof useInboxActions>;
