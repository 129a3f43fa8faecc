import { Button, Group, Paper, Select, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ImportPreview } from '../../lib/mapping';
import type { ImportWizard } from './useImportWizard';

/** Step 2: which field each column of the file goes to. */
export function MappingStep({ w, preview }: { w: ImportWizard; preview: ImportPreview }) {
  const { t } = useTranslation();
  const fieldOptions = [
    { value: 'ignore', label: t('import.ignore') },
    ...preview.fields.map((f) => ({
      value: f,
      label: f.startsWith('custom.') ? f.slice(7) : t(`fields.${f}`, { defaultValue: f }),
    })),
  ];
  return (
    <Stack>
      <Text fz="sm" c="dimmed">
        {t('import.suggested')} {t('common.rows', { count: preview.total_rows })}
      </Text>
      <Paper withBorder className="zs-table-wrap">
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('import.column')}</Table.Th>
              <Table.Th className="zs-hide-mobile">{t('import.sample')}</Table.Th>
              <Table.Th>{t('import.field')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {preview.headers.map((h, i) => (
              <Table.Tr key={h}>
                <Table.Td fw={500}>{h}</Table.Td>
                <Table.Td className="zs-hide-mobile" c="dimmed">
                  {preview.sample_rows[0]?.[i] ?? ''}
                </Table.Td>
                <Table.Td>
                  <Select
                    aria-label={`${t('import.field')}: ${h}`}
                    value={w.mapping[h] ?? 'ignore'}
                    allowDeselect={false}
                    searchable
                    onChange={(v) => w.setMapping((m) => ({ ...m, [h]: v ?? 'ignore' }))}
                    data={fieldOptions}
                    data-testid={`map-${h}`}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Group justify="space-between">
        <Button variant="default" onClick={() => w.setStep(0)}>
          {t('common.back')}
        </Button>
        <Button onClick={() => w.run(true)} loading={w.busy} data-testid="import-dry-run">
          {t('import.dryRun')}
        </Button>
      </Group>
    </Stack>
  );
}
