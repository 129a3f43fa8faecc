import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';

/** Shows a failed action as a red notification: the error's own message, or the generic one. */
export function useNotifyError() {
  const { t } = useTranslation();
  return (e: unknown) =>
    notifications.show({ color: 'red', message: e instanceof Error ? e.message : t('common.error') });
}
