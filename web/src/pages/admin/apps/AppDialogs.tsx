import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorState } from '../../../components/States';
import { request } from '../../../lib/api';
import { CopyValue } from './AppCard';
import { type App, type AppWithSecret, appKeys } from './apps-lib';

/** What an admin sees once after registering or renewing: client ID and (confidential) the secret. */
export function SecretOnce({ app, onDone }: { app: AppWithSecret; onDone: () => void }) {
  const { t } = useTranslation();
  return (
    <Stack data-testid="app-secret-once-view">
      <Text fw={600}>{app.name}</Text>
      <Stack gap={4}>
        <Text fz="xs" c="dimmed">
          {t('oauth.clientId')}
        </Text>
        <CopyValue value={app.client_id} testId="app-created-client-id" />
      </Stack>
      {app.client_secret ? (
        <>
          <Alert color="yellow" data-testid="app-secret-note">
            {t('oauth.secretOnce')}
          </Alert>
          <Stack gap={4}>
            <Text fz="xs" c="dimmed">
              {t('oauth.clientSecret')}
            </Text>
            <CopyValue value={app.client_secret} testId="app-secret-once" />
          </Stack>
        </>
      ) : (
        <Alert color="blue">{t('oauth.publicNoSecret')}</Alert>
      )}
      <Group justify="flex-end">
        <Button onClick={onDone} data-testid="app-secret-done">
          {app.client_secret ? t('oauth.done') : t('common.close')}
        </Button>
      </Group>
    </Stack>
  );
}

/** Renew a confidential app's secret after a confirmation; the new one is shown once. */
export function RotateModal({ app, onClose }: { app: App | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const rotate = useMutation({
    mutationFn: () => request('post', '/oauth/apps/{id}/rotate-secret', { path: { id: app?.id ?? '' } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: appKeys.apps }),
  });
  const close = () => {
    rotate.reset();
    onClose();
  };
  return (
    <Modal
      opened={!!app}
      onClose={close}
      title={rotate.data ? t('oauth.rotatedTitle') : t('oauth.rotateTitle')}
      closeOnClickOutside={!rotate.data}
    >
      {rotate.data ? (
        <SecretOnce app={rotate.data} onDone={close} />
      ) : (
        <Stack data-testid="rotate-modal">
          <Text fz="sm">{t('oauth.rotateConfirm', { name: app?.name ?? '' })}</Text>
          {rotate.isError && <ErrorState error={rotate.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button
              color="orange"
              onClick={() => rotate.mutate()}
              loading={rotate.isPending}
              data-testid="rotate-confirm"
            >
              {t('oauth.rotate')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

/** Delete with confirmation. */
export function DeleteModal({ app, onClose }: { app: App | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: () => request('delete', '/oauth/apps/{id}', { path: { id: app?.id ?? '' } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: appKeys.apps });
      onClose();
    },
  });
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Modal opened={!!app} onClose={close} title={t('oauth.deleteTitle')}>
      <Stack data-testid="app-delete-modal">
        <Text fz="sm">{t('oauth.deleteConfirm', { name: app?.name ?? '' })}</Text>
        {remove.isError && <ErrorState error={remove.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {t('common.cancel')}
          </Button>
          <Button
            color="red"
            onClick={() => remove.mutate()}
            loading={remove.isPending}
            data-testid="app-delete-confirm"
          >
            {t('oauth.delete')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
