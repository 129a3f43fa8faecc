import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../lib/problem';

export function Loading({ h = 160 }: { h?: number }) {
  const { t } = useTranslation();
  return (
    <Center h={h} aria-busy="true" aria-live="polite">
      <Stack align="center" gap={4}>
        <Loader size="sm" />
        <Text fz="sm" c="dimmed">
          {t('common.loading')}
        </Text>
      </Stack>
    </Center>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const status = error instanceof ApiError ? error.status : 0;
  const msg =
    status === 404
      ? t('common.notFound')
      : status === 403
        ? t('common.forbidden')
        : error instanceof Error
          ? error.message
          : t('common.error');
  return (
    <Alert color="red" title={t('common.error')} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text fz="sm">{msg}</Text>
        {onRetry && status !== 404 && status !== 403 && (
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function Empty({ text }: { text?: string }) {
  const { t } = useTranslation();
  return (
    <Center p="xl">
      <Text c="dimmed">{text ?? t('common.empty')}</Text>
    </Center>
  );
}
