import { randomUUID } from 'node:crypto';
import type { CacheRegistry } from '../../platform/caches.js';
import type { FieldError } from '../../platform/http/problem.js';
import { prop } from '../../platform/narrow.js';
import type { ImportProgress, ImportResult } from './crm-import.service.js';

/**
 * Imports that run after the request returned, so the web app can show real progress. Progress
 * lives in memory, in the platform's caches (the import itself is one transaction, and PGlite
 * cannot write progress rows while it is open); a finished job keeps its result for an hour, and
 * at most the latest 500 jobs are kept. A job of a process that dies is gone with it — the
 * transaction rolled back, nothing was half-written.
 */
export interface ImportJob {
  id: string;
  tenant_id: string;
  user_id: string | null;
  entity: string;
  filename: string;
  status: 'running' | 'succeeded' | 'failed';
  phase: ImportProgress['phase'] | 'queued' | 'done';
  processed: number;
  total: number;
  result: ImportResult | null;
  error: { status: number; detail: string; errors?: FieldError[] } | null;
  started_at: string;
  finished_at: string | null;
}

const KEEP_MS = 3600_000;
const jobsIn = (caches: CacheRegistry) => caches.map<string, ImportJob>('crm.import-jobs', { max: 500 });

export function startImportJob(
  caches: CacheRegistry,
  meta: { tenantId: string; userId: string | null; entity: string; filename: string },
  run: (onProgress: (p: ImportProgress) => void) => Promise<ImportResult>,
): ImportJob {
  const jobs = jobsIn(caches);
  for (const [id, j] of jobs)
    if (j.finished_at && Date.now() - Date.parse(j.finished_at) > KEEP_MS) jobs.delete(id);
  const job: ImportJob = {
    id: randomUUID(),
    tenant_id: meta.tenantId,
    user_id: meta.userId,
    entity: meta.entity,
    filename: meta.filename,
    status: 'running',
    phase: 'queued',
    processed: 0,
    total: 0,
    result: null,
    error: null,
    started_at: new Date().toISOString(),
    finished_at: null,
  };
  jobs.set(job.id, job);
  setImmediate(() => {
    run((p) => Object.assign(job, p))
      .then((result) =>
        Object.assign(job, { status: 'succeeded', phase: 'done', result, processed: result.total }),
      )
      .catch((err: unknown) => {
        // A ProblemError (or any error with an HTTP status) is reported as it is; anything else is a 500.
        const status = prop(err, 'status');
        const errors = prop(err, 'errors') as FieldError[] | undefined;
        return Object.assign(job, {
          status: 'failed',
          error: {
            status: typeof status === 'number' ? status : 500,
            detail:
              typeof status === 'number'
                ? String(prop(err, 'message'))
                : 'The import failed; nothing was stored.',
            errors: errors?.length ? errors : undefined,
          },
        });
      })
      .finally(() => {
        job.finished_at = new Date().toISOString();
      });
  });
  return job;
}

/** The job if it belongs to this tenant (another tenant's job is indistinguishable from none). */
export function findImportJob(caches: CacheRegistry, tenantId: string, id: string): ImportJob | undefined {
  const job = jobsIn(caches).get(id);
  return job && job.tenant_id === tenantId ? job : undefined;
}
