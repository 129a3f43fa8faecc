import { Alert, Badge, Button, Checkbox, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/auth';
import { RecordSelect } from '../components/inputs';
import { Empty, ErrorState, Loading } from '../components/States';
import { request } from '../lib/api';
import { formatDateTime } from '../lib/format';
import { useLang } from '../lib/hooks';
import { payloadText, sourceLabel } from '../lib/labels';
import { queryKeys } from '../lib/query-keys';
import { flattenFeatures, type Signal, signalTypeName, useSignalTypes } from '../lib/signals';

export default function SignalReviewPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const { can } = useAuth();
  const qc = useQueryClient();
  const types = useSignalTypes().data;
  const q = useInfiniteQuery({
    queryKey: queryKeys.signals.unmatched,
    queryFn: ({ pageParam }) =>
      request('get', '/signals/unmatched', { query: { limit: 50, cursor: pageParam ?? undefined } }),
    initialPageParam: null as string | null,
    getNextPageParam: (p) => p.next_cursor,
  });
  const [linking, setLinking] = useState<Signal | null>(null);
  const [accountId, setAccountId] = useState<string | null>(null);
  const [learn, setLearn] = useState(true);
  const link = useMutation({
    mutationFn: () =>
      request('post', '/signals/{id}/link', {
        path: { id: linking?.id ?? '' },
        body: { account_id: accountId as string, learn },
      }),
    onSuccess: (r) => {
      notifications.show({ color: 'green', message: t('review.linked', { count: r.also_linked.length }) });
      setLinking(null);
      setAccountId(null);
      void qc.invalidateQueries({ queryKey: queryKeys.signals.all });
    },
  });
  const rows = q.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Stack gap="md">
      <Title order={1} fz="h2">
        {t('review.title')}
      </Title>
      <Text fz="sm" c="dimmed">
        {t('review.intro')}
      </Text>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : rows.length === 0 ? (
        <Empty text={t('review.empty')} />
      ) : (
        <>
          <div className="zs-table-wrap">
            <Table data-testid="unmatched-table" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('review.type')}</Table.Th>
                  <Table.Th>{t('review.subject')}</Table.Th>
                  <Table.Th className="zs-hide-mobile">{t('review.payload')}</Table.Th>
                  <Table.Th className="zs-hide-mobile">{t('review.source')}</Table.Th>
                  <Table.Th className="zs-hide-mobile">{t('review.occurred')}</Table.Th>
                  <Table.Th>{t('common.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((s) => (
                  <Table.Tr key={s.id} data-testid="unmatched-row">
                    <Table.Td>
                      <Badge variant="light" color="orange" tt="none">
                        {signalTypeName(types, s.type, lang)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text fz="sm">{payloadText(t, flattenFeatures(s.subject))}</Text>
                    </Table.Td>
                    <Table.Td className="zs-hide-mobile">
                      <Text fz="xs" c="dimmed" lineClamp={2}>
                        {payloadText(t, flattenFeatures(s.payload).slice(0, 4))}
                      </Text>
                    </Table.Td>
                    <Table.Td className="zs-hide-mobile">{sourceLabel(t, s.source)}</Table.Td>
                    <Table.Td className="zs-hide-mobile">{formatDateTime(s.occurred_at, lang)}</Table.Td>
                    <Table.Td>
                      {can('signals:write') && (
                        <Button
                          size="xs"
                          variant="light"
                          onClick={() => setLinking(s)}
                          data-testid="link-signal"
                        >
                          {t('review.link')}
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
          {q.hasNextPage && (
            <Group justify="center">
              <Button variant="default" onClick={() => q.fetchNextPage()} loading={q.isFetchingNextPage}>
                {t('common.loadMore')}
              </Button>
            </Group>
          )}
        </>
      )}
      <Modal opened={linking !== null} onClose={() => setLinking(null)} title={t('review.linkTitle')}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (accountId) link.mutate();
          }}
        >
          <Stack gap="sm">
            {linking && (
              <Text fz="sm" c="dimmed">
                {signalTypeName(types, linking.type, lang)} ·{' '}
                {payloadText(t, flattenFeatures(linking.subject))}
              </Text>
            )}
            <RecordSelect
              entity="accounts"
              label={t('fields.account_id')}
              name="account_id"
              value={accountId}
              onChange={(v) => setAccountId((v as string) ?? null)}
              required
            />
            <Checkbox
              label={t('review.learn')}
              checked={learn}
              onChange={(e) => setLearn(e.currentTarget.checked)}
            />
            {link.isError && (
              <Alert color="red" variant="light">
                {link.error instanceof Error ? link.error.message : t('common.error')}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setLinking(null)}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" disabled={!accountId} loading={link.isPending} data-testid="link-confirm">
                {t('review.link')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
