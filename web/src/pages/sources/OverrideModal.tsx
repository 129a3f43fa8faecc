import { Alert, Button, Group, Modal, NumberInput, Stack, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../../lib/api';
import { queryKeys } from '../../lib/query-keys';
import type { SourceRow } from '../../lib/signals';

/** The source whose score is being overridden, the form's values and the save. */
export function useSourceOverride() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<SourceRow | null>(null);
  const [score, setScore] = useState<number | string>('');
  const [reason, setReason] = useState('');
  const save = useMutation({
    mutationFn: (body: { override_score: number | null; override_reason: string | null }) =>
      request('patch', '/signal-sources/{id}', { path: { id: editing?.id ?? '' }, body }),
    onSuccess: () => {
      notifications.show({ color: 'green', message: t('common.saved') });
      setEditing(null);
      void qc.invalidateQueries({ queryKey: queryKeys.signalSources.all });
    },
  });
  const open = (s: SourceRow) => {
    setEditing(s);
    setScore(s.override_score ?? s.computed_score);
    setReason(s.override_reason ?? '');
    save.reset();
  };
  return { editing, setEditing, score, setScore, reason, setReason, save, open };
}

/** Overrides a source's computed score (with a reason), or clears an override. */
export function OverrideModal({ o }: { o: ReturnType<typeof useSourceOverride> }) {
  const { t } = useTranslation();
  const { editing, setEditing, score, setScore, reason, setReason, save } = o;
  return (
    <Modal
      opened={editing !== null}
      onClose={() => setEditing(null)}
      title={t('sources.overrideTitle', { name: editing?.name })}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (reason.trim().length >= 3)
            save.mutate({ override_score: Number(score), override_reason: reason.trim() });
        }}
      >
        <Stack gap="sm">
          <NumberInput
            label={t('sources.score')}
            min={0}
            max={10}
            step={0.1}
            decimalScale={1}
            value={score}
            onChange={setScore}
            required
            name="override_score"
          />
          <Textarea
            label={t('sources.overrideReason')}
            description={t('sources.reasonHint')}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            required
            autosize
            minRows={2}
            name="override_reason"
          />
          {save.isError && (
            <Alert color="red" variant="light">
              {save.error instanceof Error ? save.error.message : t('common.error')}
            </Alert>
          )}
          <Group justify="space-between">
            {editing?.override_score !== null ? (
              <Button
                variant="subtle"
                color="red"
                onClick={() => save.mutate({ override_score: null, override_reason: null })}
              >
                {t('sources.clearOverride')}
              </Button>
            ) : (
              <span />
            )}
            <Group gap="xs">
              <Button variant="default" onClick={() => setEditing(null)}>
                {t('common.cancel')}
              </Button>
              <Button
                type="submit"
                disabled={reason.trim().length < 3 || score === ''}
                loading={save.isPending}
              >
                {t('common.save')}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
