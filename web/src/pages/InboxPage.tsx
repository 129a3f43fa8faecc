import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { InterventionCard } from '../components/Intervention';
import { Empty, ErrorState, Loading } from '../components/States';
import { request } from '../lib/api';
import { formatNumber } from '../lib/format';
import { nameMap, useAccountNames, useLang, useUsers } from '../lib/hooks';
import { useLiveUpdates } from '../lib/live';
import { queryKeys } from '../lib/query-keys';
import { INBOX_POLL_MS, type Intervention, newIds, type InboxPage as Page, sortInbox } from '../lib/signals';

function startOfToday(): string {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString();
}

export default function InboxPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const { can } = useAuth();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? 'open';
  const owner = can('interventions:sign_off') ? (params.get('owner') ?? 'me') : 'me';
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    next.set(k, v);
    setParams(next, { replace: true });
  };
  const accounts = useAccountNames().data;
  const users = nameMap(useUsers().data);

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

  const [dismissing, setDismissing] = useState<Intervention | null>(null);
  const [reason, setReason] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: queryKeys.interventions.all });
  const accept = useMutation({
    mutationFn: (id: string) => request('post', '/interventions/{id}/accept', { path: { id }, body: {} }),
    onSuccess: () => {
      notifications.show({ color: 'green', message: t('inbox.acceptedMsg') });
      void refresh();
    },
    onError: (e) =>
      notifications.show({ color: 'red', message: e instanceof Error ? e.message : t('common.error') }),
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
    onError: (e) =>
      notifications.show({ color: 'red', message: e instanceof Error ? e.message : t('common.error') }),
  });

  const breaker = inbox.data?.circuit_breaker;
  const held = heldToday.data?.data.length ?? 0;
  const rows = sortInbox(inbox.data?.data ?? []);

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1} fz="h2">
            {t('inbox.title')}
          </Title>
          <Group gap={6}>
            <Badge
              variant="dot"
              color={inbox.isError ? 'red' : 'green'}
              data-testid="live-indicator"
              data-fetching={inbox.isFetching}
            >
              {t(live ? 'inbox.livePush' : 'inbox.live')}
            </Badge>
          </Group>
        </div>
        <Group gap="sm" wrap="wrap">
          <SegmentedControl
            aria-label={t('fields.status')}
            value={status}
            onChange={(v) => set('status', v)}
            data={[
              { value: 'open', label: t('inbox.status_open') },
              { value: 'accepted', label: t('inbox.status_accepted') },
              { value: 'dismissed', label: t('inbox.status_dismissed') },
              { value: 'all', label: t('inbox.all') },
            ]}
          />
          {can('interventions:sign_off') && (
            <SegmentedControl
              aria-label={t('inbox.owner')}
              value={owner}
              onChange={(v) => set('owner', v)}
              data={[
                { value: 'me', label: t('inbox.mine') },
                { value: 'any', label: t('inbox.everyone') },
              ]}
            />
          )}
        </Group>
      </Group>

      {held > 0 && breaker && (
        <Alert color="yellow" variant="light" data-testid="breaker-notice" role="status">
          <Stack gap={4} align="flex-start">
            <Text fz="sm">
              {t('inbox.breaker', {
                count: held,
                today: breaker.suggested_today,
                factor: formatNumber(breaker.factor, lang, 1),
                avg: formatNumber(breaker.average_daily_touches, lang, 1),
              })}
            </Text>
            <Anchor component={Link} to="/brief" fz="sm">
              {t('inbox.breakerLink')}
            </Anchor>
          </Stack>
        </Alert>
      )}

      {inbox.isPending ? (
        <Loading />
      ) : inbox.isError && !inbox.data ? (
        <ErrorState error={inbox.error} onRetry={() => inbox.refetch()} />
      ) : rows.length === 0 ? (
        <Empty text={t('inbox.empty')} />
      ) : (
        <Stack gap="sm" data-testid="inbox" aria-live="polite">
          {rows.map((i) => (
            <InterventionCard
              key={i.id}
              item={i}
              isNew={fresh.has(i.id)}
              accountName={accounts?.get(i.account_id)}
              ownerName={i.owner_id ? users.get(i.owner_id) : undefined}
              actions={
                i.status === 'open' && can('interventions:act') ? (
                  <Group gap="xs">
                    <Button
                      size="xs"
                      onClick={() => accept.mutate(i.id)}
                      loading={accept.isPending && accept.variables === i.id}
                      data-testid="accept"
                    >
                      {t('inbox.accept')}
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() => setDismissing(i)}
                      data-testid="dismiss"
                    >
                      {t('inbox.dismiss')}
                    </Button>
                  </Group>
                ) : undefined
              }
            />
          ))}
        </Stack>
      )}

      <Modal opened={dismissing !== null} onClose={() => setDismissing(null)} title={t('inbox.dismissTitle')}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (dismissing && reason.trim().length >= 3)
              dismiss.mutate({ id: dismissing.id, reason: reason.trim() });
          }}
        >
          <Stack gap="sm">
            <Text fz="sm" fw={500}>
              {dismissing?.title}
            </Text>
            <Textarea
              label={t('inbox.reason')}
              description={t('inbox.reasonHint')}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              minRows={3}
              autosize
              required
              data-autofocus
              name="reason"
              error={dismiss.error instanceof Error ? dismiss.error.message : undefined}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDismissing(null)}>
                {t('common.cancel')}
              </Button>
              <Button
                type="submit"
                color="red"
                disabled={reason.trim().length < 3}
                loading={dismiss.isPending}
                data-testid="dismiss-confirm"
              >
                {t('inbox.dismiss')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
