import { Badge, Button, Group, List, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorState, Loading } from '../../components/States';
import { API_BASE, api } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { useLang } from '../../lib/hooks';
import { consentKeys, type ProcessingRecord, pick } from './consent/consent-lib';

/** Downloads the record as a file (JSON as shown; CSV from the server in the UI's language). */
function download(name: string, body: string, type: string) {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

/** Privacy → Processing record: purposes, legal basis, data categories, recipients and retention. */
export function ProcessingTab() {
  const { t } = useTranslation();
  const lang = useLang();
  const q = useQuery({
    queryKey: consentKeys.processing,
    queryFn: () => api<ProcessingRecord>('/privacy/processing-record'),
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const rec = q.data;
  const stamp = rec.generated_at.slice(0, 10);
  return (
    <Stack data-testid="processing-record">
      <Group justify="space-between" wrap="wrap">
        <Stack gap={2}>
          <Text fz="sm">
            {t('consent.dataSubjects')}: {pick(rec.data_subjects, lang)}
          </Text>
          <Text fz="xs" c="dimmed">
            {t('consent.generatedAt', { at: formatDateTime(rec.generated_at, lang) })}
            {rec.notice_version ? ` · ${t('consent.noticeVersion', { version: rec.notice_version })}` : ''}
          </Text>
        </Stack>
        <Group gap="xs">
          <Button
            variant="light"
            onClick={() =>
              download(`processing-record-${stamp}.json`, JSON.stringify(rec, null, 2), 'application/json')
            }
            data-testid="processing-json"
          >
            {t('consent.downloadJson')}
          </Button>
          <Button
            component="a"
            href={`${API_BASE}/privacy/processing-record?format=csv&lang=${lang === 'en' ? 'en' : 'zh'}`}
            download
            data-testid="processing-csv"
          >
            {t('consent.downloadCsv')}
          </Button>
        </Group>
      </Group>
      <div className="zs-table-wrap">
        <Table verticalSpacing="sm" fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('consent.purpose')}</Table.Th>
              <Table.Th>{t('consent.legalBasis')}</Table.Th>
              <Table.Th>{t('consent.dataCategories')}</Table.Th>
              <Table.Th>{t('consent.recipients')}</Table.Th>
              <Table.Th>{t('consent.retention')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rec.activities.map((a) => (
              <Table.Tr key={a.purpose} data-testid={`processing-${a.purpose}`}>
                <Table.Td>
                  <Text fw={600} fz="sm">
                    {pick(a.label, lang)}
                  </Text>
                  <Text fz="xs" c="dimmed">
                    {pick(a.description, lang)}
                  </Text>
                  <Badge
                    mt={4}
                    size="xs"
                    variant="light"
                    color={a.consent === 'opt_in' ? 'blue' : a.consent === 'opt_out' ? 'grape' : 'gray'}
                  >
                    {a.consent === 'opt_in'
                      ? t('consent.optIn')
                      : a.consent === 'opt_out'
                        ? t('consent.optOut')
                        : t('consent.notRequired')}
                  </Badge>
                </Table.Td>
                <Table.Td>{pick(a.legal_basis, lang)}</Table.Td>
                <Table.Td>
                  <List size="sm">
                    {a.data_categories.map((c) => (
                      <List.Item key={c.en}>{pick(c, lang)}</List.Item>
                    ))}
                  </List>
                </Table.Td>
                <Table.Td>
                  <List size="sm">
                    {a.recipients.map((c) => (
                      <List.Item key={c.en}>{pick(c, lang)}</List.Item>
                    ))}
                  </List>
                </Table.Td>
                <Table.Td>{pick(a.retention, lang)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
    </Stack>
  );
}
