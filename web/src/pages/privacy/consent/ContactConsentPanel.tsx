import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../../auth/auth';
import { ErrorState, Loading } from '../../../components/States';
import { api } from '../../../lib/api';
import { formatDate, formatDateTime } from '../../../lib/format';
import { useLang } from '../../../lib/hooks';
import { type ConsentState, type ContactConsents, consentKeys, type Purpose, pick } from './consent-lib';

type Pending = { purpose: Purpose; granted: boolean } | null;

/**
 * A contact's consent per purpose and restriction of processing, for the staff contact page:
 * staff record what the person told them (appended to the history against the current notice);
 * privacy managers restrict processing or lift it, with a reason.
 */
export function ContactConsentPanel({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { can } = useAuth();
  const qc = useQueryClient();
  const [pending, setPending] = useState<Pending>(null);
  const [channel, setChannel] = useState<string>('staff');
  const [note, setNote] = useState('');
  const [restrictOpen, setRestrictOpen] = useState<'restrict' | 'lift' | null>(null);
  const [reason, setReason] = useState('');
  const q = useQuery({
    queryKey: consentKeys.contact(contactId),
    queryFn: () => api<ContactConsents>(`/contacts/${contactId}/consents`),
  });
  const fail = (e: unknown) =>
    notifications.show({ color: 'red', message: e instanceof Error ? e.message : t('common.error') });
  const refresh = () => void qc.invalidateQueries({ queryKey: consentKeys.contact(contactId) });
  const record = useMutation({
    mutationFn: (p: { purpose: Purpose; granted: boolean }) =>
      api(`/contacts/${contactId}/consents`, {
        method: 'POST',
        body: { purpose: p.purpose, granted: p.granted, channel, note: note.trim() || null },
      }),
    onSuccess: () => {
      setPending(null);
      setNote('');
      refresh();
      notifications.show({ color: 'green', message: t('common.saved') });
    },
    onError: fail,
  });
  const restriction = useMutation({
    mutationFn: (kind: 'restrict' | 'lift') =>
      api(`/contacts/${contactId}/restriction${kind === 'lift' ? '/lift' : ''}`, {
        method: 'POST',
        body: { reason: reason.trim() },
      }),
    onSuccess: () => {
      setRestrictOpen(null);
      setReason('');
      refresh();
      notifications.show({ color: 'green', message: t('common.saved') });
    },
    onError: fail,
  });

  if (q.isPending) return <Loading h={80} />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const { data, history, restriction: active } = q.data;
  const write = can('crm:write');
  const manage = can('privacy:manage');
  const line = (c: ConsentState) =>
    c.basis === 'default'
      ? t('consent.byDefault')
      : [
          t('consent.recordedVia', {
            channel: t(`consent.channel_${c.channel}`),
            who: c.actor_name ?? '',
            date: formatDate(c.at, lang),
          }),
          c.notice_version ? t('consent.noticeV', { version: c.notice_version }) : null,
        ]
          .filter(Boolean)
          .join(' · ');
  return (
    <Card withBorder data-testid="contact-consents">
      <Group justify="space-between" mb="xs">
        <Title order={2} fz="h4">
          {t('consent.panelTitle')}
        </Title>
        {manage && (
          <Button
            size="xs"
            variant="light"
            color={active ? 'gray' : 'red'}
            onClick={() => setRestrictOpen(active ? 'lift' : 'restrict')}
            data-testid="consent-restrict"
          >
            {active ? t('consent.lift') : t('consent.restrict')}
          </Button>
        )}
      </Group>
      {active && (
        <Alert color="red" variant="light" mb="sm" data-testid="consent-restricted">
          {t('consent.restrictedBanner', { date: formatDate(active.set_at, lang), reason: active.reason })}
        </Alert>
      )}
      <Stack gap="xs">
        {data.map((c) => (
          <Group key={c.purpose} justify="space-between" wrap="nowrap" data-testid={`consent-${c.purpose}`}>
            <Stack gap={0}>
              <Group gap="xs">
                <Text fw={600} fz="sm">
                  {pick(c.label, lang)}
                </Text>
                <Badge size="sm" variant="light" color={c.granted ? 'green' : 'gray'}>
                  {c.granted ? t('consent.granted') : t('consent.withdrawn')}
                </Badge>
              </Group>
              <Text fz="xs" c="dimmed">
                {line(c)}
              </Text>
            </Stack>
            {write && !active && (
              <Button
                size="xs"
                variant="subtle"
                onClick={() => setPending({ purpose: c.purpose, granted: !c.granted })}
              >
                {c.granted ? t('consent.recordWithdrawal') : t('consent.recordGrant')}
              </Button>
            )}
          </Group>
        ))}
      </Stack>
      {history.length > 0 && (
        <details style={{ marginTop: 12 }}>
          <summary>
            <Text span fz="sm">
              {t('consent.history')} ({history.length})
            </Text>
          </summary>
          <Table fz="xs" mt="xs">
            <Table.Tbody>
              {history.map((h) => (
                <Table.Tr key={h.id}>
                  <Table.Td>{formatDateTime(h.at, lang)}</Table.Td>
                  <Table.Td>
                    {pick(
                      data.find((d) => d.purpose === h.purpose)?.label ?? { en: h.purpose, zh: h.purpose },
                      lang,
                    )}
                  </Table.Td>
                  <Table.Td>{h.granted ? t('consent.granted') : t('consent.withdrawn')}</Table.Td>
                  <Table.Td>
                    {t(`consent.channel_${h.channel}`)} · {h.actor_name}
                  </Table.Td>
                  <Table.Td>
                    {h.notice_version ? t('consent.noticeV', { version: h.notice_version }) : '—'}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </details>
      )}

      <Modal opened={!!pending} onClose={() => setPending(null)} title={t('consent.recordTitle')}>
        {pending && (
          <Stack>
            <Text fz="sm">
              {pick(data.find((d) => d.purpose === pending.purpose)!.label, lang)}:{' '}
              <b>{pending.granted ? t('consent.granted') : t('consent.withdrawn')}</b>
            </Text>
            <Text fz="xs" c="dimmed">
              {t('consent.recordHelp')}
            </Text>
            <Select
              label={t('consent.channel')}
              value={channel}
              allowDeselect={false}
              onChange={(v) => setChannel(v ?? 'staff')}
              data={['staff', 'webform', 'import'].map((c) => ({
                value: c,
                label: t(`consent.channel_${c}`),
              }))}
            />
            <Textarea
              label={t('consent.note')}
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setPending(null)}>
                {t('common.cancel')}
              </Button>
              <Button
                loading={record.isPending}
                onClick={() => record.mutate(pending)}
                data-testid="consent-confirm"
              >
                {t('common.save')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>

      <Modal
        opened={!!restrictOpen}
        onClose={() => setRestrictOpen(null)}
        title={restrictOpen === 'lift' ? t('consent.liftTitle') : t('consent.restrictTitle')}
      >
        <Stack>
          <Textarea
            label={t('consent.reason')}
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            data-testid="consent-reason"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRestrictOpen(null)}>
              {t('common.cancel')}
            </Button>
            <Button
              color={restrictOpen === 'lift' ? undefined : 'red'}
              disabled={!reason.trim()}
              loading={restriction.isPending}
              onClick={() => restrictOpen && restriction.mutate(restrictOpen)}
              data-testid="consent-restrict-confirm"
            >
              {restrictOpen === 'lift' ? t('consent.lift') : t('consent.restrict')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}
