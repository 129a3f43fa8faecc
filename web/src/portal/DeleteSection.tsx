import { Alert, Badge, Button, Group, Modal, Paper, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isoDay } from './lineage-words';
import { errorText, type PortalRequest, portalApi, portalKeys } from './portal-api';
import { QueryState, Section, showValue } from './Section';

const OPEN = new Set(['received', 'verifying', 'in_progress', 'waiting_on_requester']);

const useRequests = () =>
  useQuery({
    queryKey: portalKeys.requests,
    queryFn: () => portalApi<{ items: PortalRequest[] }>('/me/requests'),
  });

/** 删除我的数据: one button, one confirmation, an erasure request on the legal clock. */
export function DeleteSection({ orgName }: { orgName: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const requests = useRequests();
  const mobile = useMediaQuery('(max-width: 40em)');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<PortalRequest | null>(null);
  const pending = requests.data?.items.find((r) => r.kind === 'erasure' && OPEN.has(r.state)) ?? null;

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await portalApi<PortalRequest>('/me/erasure', { method: 'POST', body: { confirm: true } });
      setDone(r);
      setConfirming(false);
      await qc.invalidateQueries({ queryKey: portalKeys.requests });
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section id="delete" title={t('portal.delete.heading')} intro={t('portal.delete.intro')}>
      {done ? (
        <Alert color="teal" data-testid="portal-delete-done">
          {t('portal.delete.done', { date: isoDay(done.due_at) })}
        </Alert>
      ) : pending ? (
        <Alert color="blue" data-testid="portal-delete-pending">
          {t('portal.delete.pending', { date: isoDay(pending.due_at) })}
        </Alert>
      ) : (
        <Button
          color="red"
          variant="light"
          onClick={() => setConfirming(true)}
          w={{ base: '100%', sm: 'auto' }}
          disabled={requests.isPending}
          data-testid="portal-delete"
        >
          {t('portal.delete.button')}
        </Button>
      )}
      <Modal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title={t('portal.delete.confirmTitle')}
        fullScreen={mobile}
        centered
      >
        <Stack gap="md">
          <Text fz="sm">{t('portal.delete.confirmText', { org: orgName })}</Text>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              {t('portal.delete.cancel')}
            </Button>
            <Button color="red" onClick={submit} loading={busy} data-testid="portal-delete-confirm">
              {t('portal.delete.confirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Section>
  );
}

/** 我的请求: every request with its state and the date it must be answered by. */
export function RequestsSection() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const q = useRequests();
  return (
    <Section id="requests" title={t('portal.requests.heading')} intro={t('portal.requests.intro')}>
      <QueryState query={q}>
        {() =>
          (q.data?.items ?? []).length === 0 ? (
            <Text c="dimmed" fz="sm">
              {t('portal.requests.empty')}
            </Text>
          ) : (
            <Stack gap="xs">
              {(q.data?.items ?? []).map((r) => {
                const field =
                  typeof r.payload.field === 'string' ? r.payload.field : r.payload.requested_field;
                return (
                  <Paper
                    key={r.id}
                    withBorder
                    radius="sm"
                    p="sm"
                    data-testid="portal-request"
                    data-kind={r.kind}
                  >
                    <Group justify="space-between" gap="xs" wrap="nowrap">
                      <Text fw={500} fz="sm">
                        {t(`portal.requests.kinds.${r.kind}`, { defaultValue: r.kind })}
                      </Text>
                      <Badge
                        variant="light"
                        color={OPEN.has(r.state) ? 'blue' : r.state === 'completed' ? 'teal' : 'gray'}
                      >
                        {t(`portal.requests.states.${r.state}`, { defaultValue: r.state })}
                      </Badge>
                    </Group>
                    {typeof field === 'string' && (
                      <Text fz="sm" c="dimmed" style={{ wordBreak: 'break-word' }}>
                        {t('portal.requests.field', {
                          field: t(`portal.requests.fields.${field}`, { defaultValue: field }),
                          value: showValue(r.payload.value, lang),
                        })}
                      </Text>
                    )}
                    <Text fz="xs" c="dimmed">
                      {r.closed_at
                        ? t('portal.requests.closed', { date: isoDay(r.closed_at) })
                        : t('portal.requests.due', { date: isoDay(r.due_at) })}
                    </Text>
                  </Paper>
                );
              })}
            </Stack>
          )
        }
      </QueryState>
    </Section>
  );
}
