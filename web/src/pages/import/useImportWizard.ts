import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request, toBase64 } from '../../lib/api';
import {
  type ImportJob,
  type ImportResult,
  importPercent,
  type ImportPreview as Preview,
  suggestMapping,
} from '../../lib/mapping';
import { ApiError } from '../../lib/problem';
import { queryKeys } from '../../lib/query-keys';

export type ImportEntity = 'accounts' | 'contacts' | 'opportunities' | 'activities';
const IMPORT_POLL_MS = 400;

type ImportBody = {
  entity: ImportEntity;
  filename: string;
  content_base64: string;
  mapping: Record<string, string>;
  dry_run: boolean;
};

/** The import wizard's state and steps: read the file (preview), map columns, dry run, import in the background. */
export function useImportWizard() {
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

  /** The real import runs as a background job on the server; its progress is polled. */
  async function runInBackground(body: ImportBody) {
    setProgress(0);
    // in the background: 202 with the job
    let job = (await request('post', '/imports', { body: { ...body, background: true } })) as ImportJob;
    while (job.status === 'running') {
      await new Promise((r) => setTimeout(r, IMPORT_POLL_MS));
      job = await request('get', '/imports/jobs/{id}', { path: { id: job.id } });
      setPhase(job.phase);
      setProgress(importPercent(job));
    }
    return job;
  }

  async function run(dryRun: boolean) {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const body: ImportBody = {
        entity,
        filename: file.name,
        content_base64: content,
        mapping,
        dry_run: dryRun,
      };
      if (dryRun) {
        // a dry run answers 200 with the result
        setCheck((await request('post', '/imports', { body })) as ImportResult);
        setStep(2);
        return;
      }
      const job = await runInBackground(body);
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

  return {
    step,
    setStep,
    entity,
    setEntity,
    file,
    setFile,
    preview,
    mapping,
    setMapping,
    check,
    result,
    busy,
    progress,
    phase,
    error,
    setError,
    readFile,
    run,
    reset,
  };
}

export type ImportWizard = ReturnType<typeof useImportWizard>;
