import { Alert, Badge, Button, Code, Drawer, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorState, Loading } from '../../../components/States';
import { request } from '../../../lib/api';
import { formatDateTime } from '../../../lib/format';
import { useLang } from '../../../lib/hooks';
import {
  type AttemptResult,
  codeColor,
  type DeliveryDetail,
  prettyJson,
  statusColor,
  webhookKeys,
} from './webhooks-lib';

/** The outcome of one attempt made now (send test event, replay). */
export function AttemptResultView({ result }: { result: AttemptResult }) {
  const { t } = useTranslation();
  return (
    <Alert
      color={result.ok ? 'green' : 'red'}
      title={
        result.ok
          ? t('webhooks.testOk', { code: result.status_code, ms: result.duration_ms })
          : t('webhooks.testFailed')
      }
      data-testid="attempt-result"
      data-ok={result.ok}
      data-status={result.status_code ?? ''}
    >
      {!result.ok && (
        <Stack gap={4}>
          <Text fz="sm">
            {result.status_code !== null ? `HTTP ${result.status_code}` : t('webhooks.noResponse')} ·{' '}
            {result.duration_ms} ms
          </Text>
          {result.error && (
            <Text fz="sm" style={{ wordBreak: 'break-word' }}>
              {result.error}
            </Text>
          )}
        </Stack>
      )}
    </Alert>
  );
}

/** One delivery: what was sent and every attempt, newest last. */
export function DeliveryDetailView({
  delivery,
  onReplay,
  replaying = false,
  replayResult,
}: {
  delivery: DeliveryDetail;
  onReplay?: () => void;
  replaying?: boolean;
  replayResult?: AttemptResult | null;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  return (
    <Stack data-testid="delivery-detail">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Stack gap={2}>
          <Text ff="monospace" fw={600} style={{ wordBreak: 'break-all' }}>
            {delivery.event_type}
          </Text>
          <Text fz="xs" c="dimmed">
            {t('webhooks.messageId')}: <Code>{delivery.message_id}</Code>
          </Text>
        </Stack>
        <Badge color={statusColor(delivery.status)} data-testid="delivery-status">
          {t(`webhooks.deliveryStatus.${delivery.status}`)}
        </Badge>
      </Group>
      {delivery.status === 'pending' && delivery.next_attempt_at && (
        <Text fz="sm" c="dimmed">
          {t('webhooks.nextAttempt', { time: formatDateTime(delivery.next_attempt_at, lang) })}
        </Text>
      )}
      {onReplay && (
        <Group>
          <Button onClick={onReplay} loading={replaying} data-testid="delivery-replay">
            {t('webhooks.replay')}
          </Button>
        </Group>
      )}
      {replayResult && <AttemptResultView result={replayResult} />}
      <Title order={3} fz="md">
        {t('webhooks.attemptList')} ({delivery.attempts.length})
      </Title>
      {delivery.attempts.length === 0 ? (
        <Text c="dimmed" fz="sm">
          {t('webhooks.noAttempts')}
        </Text>
      ) : (
        delivery.attempts.map((a) => (
          <Paper withBorder p="sm" key={a.id} data-testid="delivery-attempt">
            <Stack gap={6}>
              <Group justify="space-between" gap="xs" wrap="wrap">
                <Text fz="sm">{formatDateTime(a.at, lang)}</Text>
                <Group gap={6}>
                  <Badge variant="light" color="gray">
                    {t(`webhooks.trigger.${a.trigger}`, { defaultValue: a.trigger })}
                  </Badge>
                  <Badge color={codeColor(a.status_code)} data-testid="attempt-code">
                    {a.status_code ?? t('webhooks.noResponse')}
                  </Badge>
                  <Badge variant="outline" color="gray">
                    {a.duration_ms} ms
                  </Badge>
                </Group>
              </Group>
              {a.error && (
                <Text fz="sm" c="red" style={{ wordBreak: 'break-word' }}>
                  {t('webhooks.error')}: {a.error}
                </Text>
              )}
              {a.response_excerpt && (
                <Stack gap={2}>
                  <Text fz="xs" c="dimmed">
                    {t('webhooks.response')}
                  </Text>
                  <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', maxHeight: 160 }}>
                    {a.response_excerpt}
                  </Code>
                </Stack>
              )}
            </Stack>
          </Paper>
        ))
      )}
      <Title order={3} fz="md">
        {t('webhooks.payload')}
      </Title>
      <Code block data-testid="delivery-payload" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {prettyJson(delivery.message.payload)}
      </Code>
    </Stack>
  );
}

/** The delivery drawer (full width on a phone): loads the delivery, replays it. */
export function DeliveryDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const phone = useMediaQuery('(max-width: 36em)');
  const qc = useQueryClient();
  const detail = useQuery({
    queryKey: webhookKeys.delivery(id ?? ''),
    queryFn: () => request('get', '/webhooks/deliveries/{id}', { path: { id: id ?? '' } }),
    enabled: !!id,
  });
  const replay = useMutation({
    mutationFn: () => request('post', '/webhooks/deliveries/{id}/replay', { path: { id: id ?? '' } }),
    onSettled: () => void qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
  return (
    <Drawer
      opened={!!id}
      onClose={() => {
        replay.reset();
        onClose();
      }}
      position="right"
      size={phone ? '100%' : 'lg'}
      title={t('webhooks.deliveryTitle')}
      data-testid="delivery-drawer"
    >
      {detail.isPending ? (
        <Loading />
      ) : detail.isError ? (
        <ErrorState error={detail.error} onRetry={() => detail.refetch()} />
      ) : (
        <Stack>
          {replay.isError && <ErrorState error={replay.error} />}
          <DeliveryDetailView
            delivery={detail.data}
            onReplay={() => replay.mutate()}
            replaying={replay.isPending}
            replayResult={replay.data}
          />
        </Stack>
      )}
    </Drawer>
  );
}
