import { Alert, Anchor, Button, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useAuth } from '../../auth/auth';
import { ErrorState } from '../../components/States';
import { api } from '../../lib/api';
import { formatDate, formatDateTime } from '../../lib/format';
import { useLang } from '../../lib/hooks';
import { ApiError } from '../../lib/problem';
import {
  canUndo,
  type Merge,
  type MergeEntity,
  type MergeRecord,
  mergedInto,
  undoRefusal,
  useRecentMerges,
} from './merge-lib';

const RECENTLY_UNDONE_MS = 7 * 24 * 3600_000;

/** Which of a record's merges its page shows: those into it that can still be undone, and those undone lately. */
export function visibleMerges(merges: readonly Merge[], recordId: string, now = Date.now()): Merge[] {
  return merges
    .filter((m) => m.survivor_id === recordId)
    .filter((m) =>
      m.status === 'undone'
        ? !!m.undone_at && now - new Date(m.undone_at).getTime() < RECENTLY_UNDONE_MS
        : canUndo(m, now),
    )
    .slice(0, 5);
}

/** On the record that stayed: the merges into it, each with "撤销合并" while it can be undone. */
export function RecentMerges({ entity, id }: { entity: MergeEntity; id: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { can } = useAuth();
  const qc = useQueryClient();
  const merges = useRecentMerges(entity, id);
  const [confirming, setConfirming] = useState<Merge | null>(null);
  const undo = useMutation({
    mutationFn: (m: Merge) => api<Merge>(`/merges/${m.id}/undo`, { method: 'POST' }),
    onSuccess: (m) => {
      notifications.show({
        color: 'green',
        message: t('merge.recent.undoneNotice', { name: m.merged_name }),
      });
      setConfirming(null);
      // the merged-away record is back and what moved went back to it
      void qc.invalidateQueries();
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 409) void merges.refetch();
    },
  });

  if (merges.isPending) return null; // the page is usable without it; no spinner for a side note
  if (merges.isError) {
    return (
      <Text fz="xs" c="dimmed" data-testid="merge-history-error">
        {t('merge.recent.failed')}{' '}
        <Anchor component="button" type="button" fz="xs" onClick={() => merges.refetch()}>
          {t('common.retry')}
        </Anchor>
      </Text>
    );
  }
  const shown = visibleMerges(merges.data, id);
  if (shown.length === 0) return null;
  const mayUndo = can('crm:merge');

  return (
    <Paper withBorder p="sm" bg="var(--mantine-color-indigo-light)" data-testid="merge-history">
      <Stack gap={8}>
        <Text fz="sm" fw={600}>
          {t('merge.recent.title')}
        </Text>
        {shown.map((m) => (
          <Group
            key={m.id}
            justify="space-between"
            gap="xs"
            wrap="wrap"
            data-testid="merge-history-item"
            data-status={m.status}
          >
            <Stack gap={0} style={{ minWidth: 0, flex: '1 1 220px' }}>
              <Text fz="sm" style={{ overflowWrap: 'anywhere' }}>
                {t('merge.recent.item', { name: m.merged_name })}
              </Text>
              <Text fz="xs" c="dimmed">
                {m.status === 'undone'
                  ? t('merge.recent.undoneMeta', { when: formatDateTime(m.undone_at, lang) })
                  : t('merge.recent.meta', {
                      when: formatDateTime(m.created_at, lang),
                      until: formatDate(m.undo_until, lang),
                    })}
                {m.status !== 'undone' && m.created_by_name
                  ? ` · ${t('merge.recent.by', { who: m.created_by_name })}`
                  : ''}
              </Text>
            </Stack>
            {m.status === 'undone' ? (
              <Anchor
                component={Link}
                to={`/${entity}/${m.merged_id}`}
                fz="sm"
                data-testid="merge-restored-link"
              >
                {t('merge.recent.open', { name: m.merged_name })}
              </Anchor>
            ) : (
              mayUndo && (
                <Button
                  size="xs"
                  variant="default"
                  onClick={() => {
                    undo.reset();
                    setConfirming(m);
                  }}
                  data-testid="merge-undo"
                >
                  {t('merge.recent.undo')}
                </Button>
              )
            )}
          </Group>
        ))}
      </Stack>
      <Modal
        opened={!!confirming}
        onClose={() => setConfirming(null)}
        title={t('merge.recent.confirmTitle')}
        size="md"
      >
        {confirming && (
          <Stack gap="md" data-testid="merge-undo-dialog">
            <Text fz="sm">{t('merge.recent.confirm', { name: confirming.merged_name })}</Text>
            {undo.isError && (
              <Alert color="red" role="alert" data-testid="merge-undo-error">
                {undo.error instanceof ApiError && undo.error.status === 409
                  ? undoRefusal(t, merges.data.find((x) => x.id === confirming.id) ?? confirming)
                  : undo.error instanceof Error
                    ? undo.error.message
                    : t('common.error')}
              </Alert>
            )}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setConfirming(null)}>
                {t('common.cancel')}
              </Button>
              <Button
                color="red"
                loading={undo.isPending}
                disabled={undo.error instanceof ApiError && undo.error.status === 409}
                onClick={() => undo.mutate(confirming)}
                data-testid="merge-undo-confirm"
              >
                {t('merge.recent.confirmButton')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Paper>
  );
}

/**
 * A record page's error: a record merged away (404 with `merged_into`) says where it went and
 * links there; anything else is the usual error state.
 */
export function RecordError({
  entity,
  error,
  onRetry,
}: {
  entity: MergeEntity;
  error: unknown;
  onRetry?: () => void;
}) {
  const into = mergedInto(error);
  if (!into) return <ErrorState error={error} onRetry={onRetry} />;
  return <MergedAway entity={entity} survivorId={into} />;
}

export function MergedAway({ entity, survivorId }: { entity: MergeEntity; survivorId: string }) {
  const { t } = useTranslation();
  const survivor = useQuery({
    queryKey: [entity, survivorId],
    queryFn: () => api<MergeRecord>(`/${entity}/${survivorId}`),
    retry: false,
  });
  // the survivor may itself have been merged on since: follow it one more step
  const next = mergedInto(survivor.error);
  const target = next ?? survivorId;
  const name = survivor.data?.name ? String(survivor.data.name) : t('merge.mergedAway.survivor');
  return (
    <Paper withBorder p="lg" maw={640} data-testid="merged-away">
      <Stack gap="sm" align="flex-start">
        <Title order={1} fz="h3">
          {entity === 'accounts'
            ? t('merge.mergedAway.titleAccounts', { name })
            : t('merge.mergedAway.titleContacts', { name })}
        </Title>
        <Text fz="sm" c="dimmed">
          {entity === 'accounts' ? t('merge.mergedAway.textAccounts') : t('merge.mergedAway.textContacts')}
        </Text>
        <Button component={Link} to={`/${entity}/${target}`} data-testid="merged-away-open">
          {t('merge.mergedAway.open')}
        </Button>
      </Stack>
    </Paper>
  );
}
