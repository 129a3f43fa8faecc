import { Alert, Button, Code, CopyButton, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState, Loading } from '../../../components/States';
import { request } from '../../../lib/api';
import { formatDateTime } from '../../../lib/format';
import { useLang } from '../../../lib/hooks';
import { GeneralErrors, useFormErrors } from '../admin-shared';
import { AttemptResultView } from './DeliveryDetail';
import { type Endpoint, isoToLocal, KEEP_HOURS, localToIso, webhookKeys } from './webhooks-lib';

/** A secret in a code block with a copy button. */
export function SecretBox({ secret, testId }: { secret: string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid={testId}>
        {secret}
      </Code>
      <CopyButton value={secret}>
        {({ copied, copy }) => (
          <Button size="xs" variant={copied ? 'filled' : 'light'} onClick={copy}>
            {copied ? t('webhooks.copied') : t('webhooks.copy')}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

/** Show the secrets that sign now; rotate with a chosen overlap. */
export function SecretModal({ endpoint, onClose }: { endpoint: Endpoint | null; onClose: () => void }) {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const id = endpoint?.id ?? '';
  const [keep, setKeep] = useState('24');
  const secrets = useQuery({
    queryKey: webhookKeys.secret(id),
    queryFn: () => request('get', '/webhooks/endpoints/{id}/secret', { path: { id } }),
    enabled: !!endpoint,
    staleTime: 0,
    gcTime: 0,
  });
  const rotate = useMutation({
    mutationFn: () =>
      request('post', '/webhooks/endpoints/{id}/secret/rotate', {
        path: { id },
        body: { keep_hours: Number(keep) },
      }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: webhookKeys.secret(id) });
      void qc.invalidateQueries({ queryKey: webhookKeys.endpoints });
    },
  });
  const close = () => {
    rotate.reset();
    onClose();
  };
  return (
    <Modal opened={!!endpoint} onClose={close} title={t('webhooks.secretTitle')} size="lg">
      <Stack data-testid="secret-modal">
        <Text fz="sm" c="dimmed" style={{ wordBreak: 'break-all' }}>
          {endpoint?.url}
        </Text>
        <Text fw={600} fz="sm">
          {t('webhooks.secretsNow')}
        </Text>
        {secrets.isPending ? (
          <Loading h={80} />
        ) : secrets.isError ? (
          <ErrorState error={secrets.error} onRetry={() => secrets.refetch()} />
        ) : (
          secrets.data.secrets.map((s) => (
            <Stack gap={4} key={s.secret}>
              <Text fz="xs" c="dimmed">
                {s.expires_at
                  ? t('webhooks.secretExpires', { time: formatDateTime(s.expires_at, lang) })
                  : t('webhooks.secretCurrent', { time: formatDateTime(s.created_at, lang) })}
              </Text>
              <SecretBox secret={s.secret} testId="secret-value" />
            </Stack>
          ))
        )}
        <Text fw={600} fz="sm" mt="sm">
          {t('webhooks.rotate')}
        </Text>
        <Text fz="sm" c="dimmed">
          {t('webhooks.rotateHint')}
        </Text>
        <Group align="flex-end" wrap="wrap">
          <Select
            label={t('webhooks.keepHours')}
            value={keep}
            onChange={(v) => setKeep(v ?? '24')}
            allowDeselect={false}
            data={KEEP_HOURS.map((h) => ({ value: String(h), label: t(`webhooks.keep.${h}`) }))}
            w={180}
            comboboxProps={{ withinPortal: true }}
          />
          <Button
            color="orange"
            onClick={() => rotate.mutate()}
            loading={rotate.isPending}
            data-testid="secret-rotate"
          >
            {t('webhooks.rotate')}
          </Button>
        </Group>
        {rotate.isError && <ErrorState error={rotate.error} />}
        {rotate.data && (
          <Alert color="green" title={t('webhooks.rotated')} data-testid="secret-rotated">
            <Stack gap="xs">
              <SecretBox secret={rotate.data.secret} />
              <Text fz="sm">
                {rotate.data.previous_valid_until
                  ? t('webhooks.previousUntil', {
                      time: formatDateTime(rotate.data.previous_valid_until, lang),
                    })
                  : t('webhooks.previousRevoked')}
              </Text>
            </Stack>
          </Alert>
        )}
      </Stack>
    </Modal>
  );
}

/** Queue again everything since a local date-time; shows how many were queued. */
export function RecoverModal({ endpoint, onClose }: { endpoint: Endpoint | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [since, setSince] = useState('');
  const fe = useFormErrors(['since']);
  // Each time it opens: 24 hours ago, in the browser's time zone.
  const openFor = endpoint?.id;
  useEffect(() => {
    if (openFor) setSince(isoToLocal(new Date(Date.now() - 24 * 3600_000)));
  }, [openFor]);
  const recover = useMutation({
    mutationFn: () =>
      request('post', '/webhooks/endpoints/{id}/recover', {
        path: { id: endpoint?.id ?? '' },
        body: { since: localToIso(since) ?? '' },
      }),
    onSuccess: () => {
      fe.clear();
      void qc.invalidateQueries({ queryKey: webhookKeys.all });
    },
    onError: fe.fromError,
  });
  const close = () => {
    recover.reset();
    fe.clear();
    onClose();
  };
  return (
    <Modal opened={!!endpoint} onClose={close} title={t('webhooks.recoverTitle')}>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          recover.mutate();
        }}
      >
        <Stack data-testid="recover-modal">
          <Text fz="sm" c="dimmed">
            {t('webhooks.recoverHint')}
          </Text>
          <GeneralErrors list={fe.general} />
          <TextInput
            type="datetime-local"
            name="since"
            label={t('webhooks.since')}
            required
            value={since}
            error={fe.errors.since}
            onChange={(e) => setSince(e.currentTarget.value)}
          />
          {recover.data && (
            <Alert color={recover.data.queued ? 'green' : 'gray'} data-testid="recover-result">
              {recover.data.queued
                ? t('webhooks.recovered', { count: recover.data.queued })
                : t('webhooks.recoveredNone')}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('common.close')}
            </Button>
            <Button
              type="submit"
              loading={recover.isPending}
              disabled={!localToIso(since)}
              data-testid="recover-run"
            >
              {t('webhooks.recoverRun')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Sends a webhooks.test event now and shows the attempt. */
export function TestModal({ endpoint, onClose }: { endpoint: Endpoint | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const id = endpoint?.id ?? '';
  const send = useMutation({
    mutationFn: () => request('post', '/webhooks/endpoints/{id}/test', { path: { id } }),
    onSettled: () => void qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
  const close = () => {
    send.reset();
    onClose();
  };
  return (
    <Modal opened={!!endpoint} onClose={close} title={t('webhooks.testTitle')}>
      <Stack data-testid="test-modal">
        <Text fz="sm" c="dimmed" style={{ wordBreak: 'break-all' }}>
          {endpoint?.url}
        </Text>
        {send.isError && <ErrorState error={send.error} />}
        {send.data && <AttemptResultView result={send.data} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {t('common.close')}
          </Button>
          <Button onClick={() => send.mutate()} loading={send.isPending} data-testid="test-send">
            {t('webhooks.test')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Delete with confirmation. */
export function DeleteModal({ endpoint, onClose }: { endpoint: Endpoint | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: () => request('delete', '/webhooks/endpoints/{id}', { path: { id: endpoint?.id ?? '' } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: webhookKeys.all });
      onClose();
    },
  });
  return (
    <Modal
      opened={!!endpoint}
      onClose={() => {
        remove.reset();
        onClose();
      }}
      title={t('webhooks.deleteTitle')}
    >
      <Stack data-testid="delete-modal">
        <Text fz="sm" style={{ wordBreak: 'break-all' }}>
          {t('webhooks.deleteConfirm', { url: endpoint?.url ?? '' })}
        </Text>
        {remove.isError && <ErrorState error={remove.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            color="red"
            onClick={() => remove.mutate()}
            loading={remove.isPending}
            data-testid="delete-confirm"
          >
            {t('webhooks.delete')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
