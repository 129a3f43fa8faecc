import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Lang } from '../lib/format';
import { shiftQuarter } from '../lib/predict';
import { QuotaTable } from './quota/QuotaTable';
import { useQuotaDraft } from './quota/useQuotaDraft';
import { Empty, ErrorState, Loading } from './States';

/**
 * "Set quotas": the month quotas of every rep for one quarter, as a grid of number inputs.
 * Saving sends the changed cells in one PUT /quotas (all or nothing); emptied cells delete their
 * stored quota afterwards. Server field errors (`3.amount`) are shown at the cell they belong to.
 */
export function QuotaEditor({
  opened,
  onClose,
  initialQuarter,
  lang,
}: {
  opened: boolean;
  onClose: () => void;
  initialQuarter: string;
  lang: Lang;
}) {
  const { t } = useTranslation();
  const [quarter, setQuarter] = useState(initialQuarter);
  useEffect(() => {
    if (opened) setQuarter(initialQuarter);
  }, [opened, initialQuarter]);
  return (
    <Modal opened={opened} onClose={onClose} title={t('quotas.title')} size="xl">
      <Stack gap="sm">
        <Group gap="xs" justify="center">
          <Button
            variant="subtle"
            size="xs"
            onClick={() => setQuarter((q) => shiftQuarter(q, -1))}
            aria-label={t('quotas.previous')}
          >
            ‹
          </Button>
          <Text fw={600} data-testid="quota-quarter">
            {quarter}
          </Text>
          <Button
            variant="subtle"
            size="xs"
            onClick={() => setQuarter((q) => shiftQuarter(q, 1))}
            aria-label={t('quotas.next')}
          >
            ›
          </Button>
        </Group>
        {opened && <QuarterGrid key={quarter} quarter={quarter} lang={lang} onSaved={onClose} />}
      </Stack>
    </Modal>
  );
}

function QuarterGrid({ quarter, lang, onSaved }: { quarter: string; lang: Lang; onSaved: () => void }) {
  const { t } = useTranslation();
  const d = useQuotaDraft(quarter, lang, onSaved);
  const { users, stored, reps, general, quarterRows, dirty, save } = d;

  if (users.isPending || stored.isPending) return <Loading h={120} />;
  if (users.isError || stored.isError)
    return (
      <ErrorState
        error={users.error ?? stored.error}
        onRetry={() => {
          void users.refetch();
          void stored.refetch();
        }}
      />
    );
  if (reps.length === 0) return <Empty text={t('quotas.noReps')} />;

  return (
    <Stack gap="sm">
      <Text fz="xs" c="dimmed">
        {t('quotas.hint')}
      </Text>
      {general.length > 0 && (
        <Alert color="red" role="alert" data-testid="quota-errors">
          {general.map((g) => (
            <div key={g}>{g}</div>
          ))}
        </Alert>
      )}
      <QuotaTable d={d} lang={lang} />
      {quarterRows.size > 0 && (
        <Text fz="xs" c="dimmed">
          * {t('quotas.quarterOwn')}
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onSaved}>
          {t('common.cancel')}
        </Button>
        <Button
          onClick={() => save.mutate()}
          loading={save.isPending}
          disabled={!dirty}
          data-testid="quota-save"
        >
          {t('common.save')}
        </Button>
      </Group>
    </Stack>
  );
}
