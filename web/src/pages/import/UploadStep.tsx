import { Button, FileInput, Group, Paper, Select, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ImportEntity, ImportWizard } from './useImportWizard';

/** Step 1: what to import and from which file. */
export function UploadStep({ w }: { w: ImportWizard }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="md" maw={520}>
      <Stack>
        <Select
          label={t('import.entity')}
          value={w.entity}
          allowDeselect={false}
          onChange={(v) => w.setEntity((v as ImportEntity) ?? 'accounts')}
          data={(['accounts', 'contacts', 'opportunities', 'activities'] as const).map((e) => ({
            value: e,
            label: t(`entities.${e}`),
          }))}
        />
        <FileInput
          label={t('import.file')}
          placeholder={t('import.filePlaceholder')}
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          value={w.file}
          onChange={w.setFile}
          clearable
          data-testid="import-file"
        />
        <Group justify="flex-end">
          <Button onClick={w.readFile} loading={w.busy} disabled={!w.file} data-testid="import-read">
            {t('import.preview')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
