import { Alert, Button, Group, Paper, Progress, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ImportResult } from '../../lib/mapping';
import type { ImportWizard } from './useImportWizard';

/** Step 3: the dry run's verdict, the rows it would reject, and the import itself with its progress. */
export function CheckStep({ w, check }: { w: ImportWizard; check: ImportResult }) {
  const { t } = useTranslation();
  return (
    <Stack>
      <Alert color={check.invalid ? 'orange' : 'green'} data-testid="import-summary">
        {t('import.summary', { total: check.total, valid: check.valid, invalid: check.invalid })}
      </Alert>
      {check.errors.length > 0 ? (
        <BadRows errors={check.errors} />
      ) : (
        <Text c="green">{t('import.allGood')}</Text>
      )}
      {w.busy && (
        <Stack gap={4}>
          <Text fz="sm">
            {t('import.importing')} {t(`import.phase.${w.phase}`)} {Math.round(w.progress)}%
          </Text>
          <Progress value={w.progress} animated striped aria-label={t('import.importing')} />
        </Stack>
      )}
      <Group justify="space-between">
        <Button variant="default" onClick={() => w.setStep(1)} disabled={w.busy}>
          {t('common.back')}
        </Button>
        <Button
          onClick={() => w.run(false)}
          loading={w.busy}
          disabled={check.valid === 0}
          data-testid="import-run"
        >
          {t('import.importNow', { count: check.valid })}
        </Button>
      </Group>
    </Stack>
  );
}

function BadRows({ errors }: { errors: ImportResult['errors'] }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder className="zs-table-wrap">
      <Text fw={600} p="sm">
        {t('import.badRows')}
      </Text>
      <Table data-testid="import-errors">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('import.row')}</Table.Th>
            <Table.Th>{t('import.field')}</Table.Th>
            <Table.Th>{t('import.reason')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {errors.slice(0, 500).map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a row can have several errors on one field
            <Table.Tr key={`${e.row}-${e.field}-${i}`} data-testid="import-error-row">
              <Table.Td>{e.row}</Table.Td>
              <Table.Td>
                {e.field.startsWith('custom.') ? e.field : t(`fields.${e.field}`, { defaultValue: e.field })}
              </Table.Td>
              <Table.Td>{e.reason}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
