import {
  Alert,
  Button,
  FileInput,
  Group,
  Paper,
  Progress,
  Select,
  Stack,
  Stepper,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request, toBase64 } from '../lib/api';
import {
  type ImportJob,
  type ImportResult,
  importPercent,
  type ImportPreview as Preview,
  suggestMapping,
} from '../lib/mapping';
import { ApiError } from '../lib/problem';
import { queryKeys } from '../lib/query-keys';

type ImportEntity = 'accounts' | 'contacts' | 'opportunities' | 'activities';
const IMPORT_POLL_MS = 400;

export default function ImportPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [step, setStep] = useState(0);
  const [entity, setEntity] = useState<ImportEntity>('accounts');
  const [file, setFile] = useState<File | null>(null);
  const [content, setContent] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [check, setCheck] = useState<ImportResult | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);

  const [phase, setPhase] = useState<ImportJob['phase']>('queued');

  const fail = (e: unknown) =>
    setError(
      e instanceof ApiError
        ? [e.message, ...(e.problem.errors ?? []).map((x) => `${x.field}: ${x.reason}`)].join(' — ')
        : t('errors.network'),
    );

  async function readFile() {
    if (!file) return setError(t('import.noFile'));
    setBusy(true);
    setError(null);
    try {
      const b64 = toBase64(await file.arrayBuffer());
      setContent(b64);
      const p = await request('post', '/imports/preview', {
        body: { entity, filename: file.name, content_base64: b64 },
      });
      setPreview(p);
      const local = suggestMapping(p.headers, p.fields);
      setMapping(
        Object.fromEntries(p.headers.map((h) => [h, p.suggested_mapping[h] ?? local[h] ?? 'ignore'])),
      );
      setStep(1);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  async function run(dryRun: boolean) {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const body = { entity, filename: file.name, content_base64: content, mapping, dry_run: dryRun };
      if (dryRun) {
        // a dry run answers 200 with the result
        setCheck((await request('post', '/imports', { body })) as ImportResult);
        setStep(2);
        return;
      }
      // The real import runs as a background job on the server; its progress is polled.
      setProgress(0);
      // in the background: 202 with the job
      let job = (await request('post', '/imports', { body: { ...body, background: true } })) as ImportJob;
      while (job.status === 'running') {
        await new Promise((r) => setTimeout(r, IMPORT_POLL_MS));
        job = await request('get', '/imports/jobs/{id}', { path: { id: job.id } });
        setPhase(job.phase);
        setProgress(importPercent(job));
      }
      if (job.status === 'failed' || !job.result) {
        setError(
          [job.error?.detail, ...(job.error?.errors ?? []).map((x) => `${x.field}: ${x.reason}`)]
            .filter(Boolean)
            .join(' — '),
        );
        return;
      }
      setProgress(100);
      setResult(job.result);
      setStep(3);
      void qc.invalidateQueries({ queryKey: queryKeys.records.lists(entity) });
      void qc.invalidateQueries({ queryKey: queryKeys.lookup.all });
      void qc.invalidateQueries({ queryKey: queryKeys.board.all });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  function reset() {
    setStep(0);
    setFile(null);
    setPreview(null);
    setCheck(null);
    setResult(null);
    setProgress(0);
    setError(null);
  }

  const fieldOptions = [
    { value: 'ignore', label: t('import.ignore') },
    ...(preview?.fields ?? []).map((f) => ({
      value: f,
      label: f.startsWith('custom.') ? f.slice(7) : t(`fields.${f}`, { defaultValue: f }),
    })),
  ];

  return (
    <Stack>
      <Title order={1} fz="h2">
        {t('import.title')}
      </Title>
      {error && (
        <Alert color="red" role="alert" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      <Stepper active={step} size="sm" allowNextStepsSelect={false}>
        <Stepper.Step label={t('import.stepUpload')}>
          <Paper withBorder p="md" maw={520}>
            <Stack>
              <Select
                label={t('import.entity')}
                value={entity}
                allowDeselect={false}
                onChange={(v) => setEntity((v as ImportEntity) ?? 'accounts')}
                data={(['accounts', 'contacts', 'opportunities', 'activities'] as const).map((e) => ({
                  value: e,
                  label: t(`entities.${e}`),
                }))}
              />
              <FileInput
                label={t('import.file')}
                placeholder={t('import.filePlaceholder')}
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                value={file}
                onChange={setFile}
                clearable
                data-testid="import-file"
              />
              <Group justify="flex-end">
                <Button onClick={readFile} loading={busy} disabled={!file} data-testid="import-read">
                  {t('import.preview')}
                </Button>
              </Group>
            </Stack>
          </Paper>
        </Stepper.Step>
        <Stepper.Step label={t('import.stepMap')}>
          {preview && (
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
                            value={mapping[h] ?? 'ignore'}
                            allowDeselect={false}
                            searchable
                            onChange={(v) => setMapping((m) => ({ ...m, [h]: v ?? 'ignore' }))}
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
                <Button variant="default" onClick={() => setStep(0)}>
                  {t('common.back')}
                </Button>
                <Button onClick={() => run(true)} loading={busy} data-testid="import-dry-run">
                  {t('import.dryRun')}
                </Button>
              </Group>
            </Stack>
          )}
        </Stepper.Step>
        <Stepper.Step label={t('import.stepCheck')}>
          {check && (
            <Stack>
              <Alert color={check.invalid ? 'orange' : 'green'} data-testid="import-summary">
                {t('import.summary', { total: check.total, valid: check.valid, invalid: check.invalid })}
              </Alert>
              {check.errors.length > 0 ? (
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
                      {check.errors.slice(0, 500).map((e, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: a row can have several errors on one field
                        <Table.Tr key={`${e.row}-${e.field}-${i}`} data-testid="import-error-row">
                          <Table.Td>{e.row}</Table.Td>
                          <Table.Td>
                            {e.field.startsWith('custom.')
                              ? e.field
                              : t(`fields.${e.field}`, { defaultValue: e.field })}
                          </Table.Td>
                          <Table.Td>{e.reason}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Paper>
              ) : (
                <Text c="green">{t('import.allGood')}</Text>
              )}
              {busy && (
                <Stack gap={4}>
                  <Text fz="sm">
                    {t('import.importing')} {t(`import.phase.${phase}`)} {Math.round(progress)}%
                  </Text>
                  <Progress value={progress} animated striped aria-label={t('import.importing')} />
                </Stack>
              )}
              <Group justify="space-between">
                <Button variant="default" onClick={() => setStep(1)} disabled={busy}>
                  {t('common.back')}
                </Button>
                <Button
                  onClick={() => run(false)}
                  loading={busy}
                  disabled={check.valid === 0}
                  data-testid="import-run"
                >
                  {t('import.importNow', { count: check.valid })}
                </Button>
              </Group>
            </Stack>
          )}
        </Stepper.Step>
        <Stepper.Completed>
          {result && (
            <Stack>
              <Progress value={100} color="green" />
              <Alert color="green" title={t('import.done')} data-testid="import-result">
                <div>{t('import.imported', { count: result.imported })}</div>
                {result.invalid > 0 && <div>{t('import.skipped', { count: result.invalid })}</div>}
              </Alert>
              <Group>
                <Button onClick={reset}>{t('import.again')}</Button>
              </Group>
            </Stack>
          )}
        </Stepper.Completed>
      </Stepper>
    </Stack>
  );
}
