import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { InboxActions } from './useInbox';

/** Asks why a bundle is dismissed (at least three characters) before dismissing it. */
export function DismissModal({ actions }: { actions: InboxActions }) {
  const { t } = useTranslation();
  const { dismissing, setDismissing, reason, setReason, dismiss } = actions;
  return (
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
  );
}
