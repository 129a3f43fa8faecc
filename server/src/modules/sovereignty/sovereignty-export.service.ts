import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq, lt } from 'drizzle-orm';
import { strToU8, zipSync } from 'fflate';
import { recordChange } from '../../platform/audit/change-log.js';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import { afterCommit, type Tx } from '../../platform/db/database.js';
import { conflict, notFound, ProblemError } from '../../platform/http/problem.js';
import type { Platform } from '../../platform/platform.js';
import type { PersonalDataSection } from '../../platform/privacy/personal-data.js';
import { lineageWords } from '../../platform/privacy/personal-data-scrub.js';
import { privacyExports } from './sovereignty-erasure.schema.js';
import { assertMayActFor, subjectOf } from './sovereignty-erasure.service.js';

/**
 * Export of everything held about a person (issue 13 item 3, R-5.2 portability): a durable job
 * (queue `sovereignty.export`) collects every module's sections, writes a zip with one JSON file
 * (everything, machine-readable) and one CSV per section to the data dir, and records its progress
 * ("n of m" modules). Files expire after 7 days and are erased with the person.
 */

export const EXPORT_QUEUE = 'sovereignty.export';
export const PURGE_QUEUE = 'sovereignty.purge-exports';
const KEEP_MS = 7 * 24 * 3600 * 1000;
/** Records per section in an export (a person with more is cut there, and the export says so). */
export const EXPORT_SECTION_LIMIT = 100_000;

export type ExportRow = typeof privacyExports.$inferSelect;

export function exportsDir(platform: Platform): string {
  return join(platform.config.dataDir, 'exports');
}

export interface ExportStatus {
  id: string;
  contact_id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: { done: number; total: number };
  records: number | null;
  file_bytes: number | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  expires_at: string;
}

export function presentExport(r: ExportRow): ExportStatus {
  return {
    id: r.id,
    contact_id: r.contact_id,
    status: r.status as ExportStatus['status'],
    progress: { done: r.done_steps, total: r.total_steps },
    records: r.records,
    file_bytes: r.file_bytes,
    error: r.error,
    created_at: r.created_at.toISOString(),
    finished_at: r.finished_at?.toISOString() ?? null,
    expires_at: r.expires_at.toISOString(),
  };
}

/**
 * Queues an export of the contact's data and returns it (the job may already be done when no worker
 * runs: then it ran in this call). Staff need privacy:manage (checked by the route) and must see the
 * contact; a portal context (actorType 'customer') may export only its own contact.
 */
export async function startExport(
  platform: Platform,
  ctx: ActorContext,
  contactId: string,
): Promise<ExportStatus> {
  const row = await platform.database.tenantTx(ctx.tenantId, async (tx) => {
    await assertMayActFor(tx, ctx, contactId);
    const [r] = await tx
      .insert(privacyExports)
      .values({
        tenant_id: ctx.tenantId,
        contact_id: contactId,
        status: 'queued',
        total_steps: platform.personalData.list().length,
        requested_by_type: ctx.actorType,
        requested_by_id: ctx.actorId,
        requested_by_name: ctx.actorName,
        expires_at: new Date(Date.now() + KEEP_MS),
      })
      .returning();
    await recordChange(tx, ctx, 'privacy_exports', r.id, 'create', {
      status: { old: null, new: 'queued' },
      contact_id: { old: null, new: contactId },
    });
    return r;
  });
  await platform.jobs.send(EXPORT_QUEUE, { tenantId: ctx.tenantId, exportId: row.id });
  return platform.database.tenantTx(ctx.tenantId, (tx) => exportStatus(tx, row.id));
}

/** One CSV cell; a text a spreadsheet would run as a formula (= + - @, tab, CR) starts with ' (review item 12). */
export const csvCell = (v: unknown): string => {
  const raw = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  const s = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const CSV_HEAD = [
  'record_id',
  'record_title',
  'record_at',
  'field',
  'label_en',
  'label_zh',
  'value',
  'source_method',
  'source',
  'source_actor',
  'source_at',
  'source_words_en',
  'source_words_zh',
];

/** One section as CSV: one line per field of each record, with its latest lineage. */
export function sectionCsv(section: PersonalDataSection): string {
  const lines = [CSV_HEAD.join(',')];
  for (const r of section.records)
    for (const f of r.fields) {
      const l = f.lineage[0];
      const words = l ? lineageWords(l) : null;
      lines.push(
        [
          r.id,
          typeof r.title === 'string' ? r.title : `${r.title.zh} / ${r.title.en}`,
          r.at ?? '',
          f.key,
          f.label.en,
          f.label.zh,
          f.value,
          l?.method ?? '',
          l?.source ?? '',
          l?.actorName ?? '',
          l?.at ?? '',
          words?.en ?? '',
          words?.zh ?? '',
        ]
          .map(csvCell)
          .join(','),
      );
    }
  // A BOM so spreadsheet programs read the Chinese text as UTF-8.
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The job: collects module by module (progress after each), then writes the zip. */
export async function runExport(
  platform: Platform,
  data: { tenantId: string; exportId: string },
): Promise<void> {
  const { tenantId, exportId } = data;
  const db = platform.database;
  const row = await db.tenantTx(tenantId, async (tx) => {
    const [r] = await tx.select().from(privacyExports).where(eq(privacyExports.id, exportId));
    if (!r || r.status === 'done') return undefined;
    await tx
      .update(privacyExports)
      .set({ status: 'running', done_steps: 0, error: null })
      .where(eq(privacyExports.id, exportId));
    return r;
  });
  if (!row) return;
  try {
    const subject = await db.tenantTx(tenantId, (tx) => subjectOf(tx, tenantId, row.contact_id));
    const providers = platform.personalData.list();
    const sections: (PersonalDataSection & { module: string })[] = [];
    for (const [i, { module, provider }] of providers.entries()) {
      const got = await db.tenantTx(tenantId, (tx) =>
        provider.collect(tx, subject, { limit: EXPORT_SECTION_LIMIT }),
      );
      sections.push(...got.map((s) => ({ ...s, module })));
      await db.tenantTx(tenantId, (tx) =>
        tx
          .update(privacyExports)
          .set({ done_steps: i + 1, total_steps: providers.length })
          .where(eq(privacyExports.id, exportId)),
      );
    }
    const files: Record<string, Uint8Array> = {};
    const doc = {
      format: 'zhongshu-personal-data/1',
      generated_at: new Date().toISOString(),
      contact_id: row.contact_id,
      sections,
    };
    files['personal-data.json'] = strToU8(JSON.stringify(doc, null, 2));
    const used = new Set<string>();
    for (const s of sections) {
      let name = `${s.module}-${s.kind}`.replace(/[^a-z0-9_-]/gi, '_');
      while (used.has(name)) name += '_';
      used.add(name);
      files[`csv/${name}.csv`] = strToU8(sectionCsv(s));
    }
    files['README.txt'] = strToU8(
      [
        'personal-data.json: everything held about you, machine-readable (sections → records → fields with their lineage).',
        'csv/*.csv: one file per section, one line per field, with where each value came from.',
        '',
        'personal-data.json：我们保存的关于您的全部数据（机器可读，含每项数据的来源）。',
        'csv/*.csv：每类数据一个文件，每行一个字段，并注明来源。',
        '',
      ].join('\n'),
    );
    const zip = zipSync(files, { level: 6 });
    const dir = exportsDir(platform);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fileName = `${exportId}.zip`;
    writeFileSync(join(dir, fileName), zip, { mode: 0o600 });
    const stored = await db.tenantTx(tenantId, (tx) =>
      tx
        .update(privacyExports)
        .set({
          status: 'done',
          file_name: fileName,
          file_bytes: zip.byteLength,
          records: sections.reduce((n, s) => n + s.records.length, 0),
          finished_at: new Date(),
        })
        .where(eq(privacyExports.id, exportId))
        .returning({ id: privacyExports.id }),
    );
    // The person was erased while the export ran (the row went with them): the file goes too.
    if (stored.length === 0) rmSync(join(dir, fileName), { force: true });
  } catch (err) {
    const message = err instanceof ProblemError ? err.message : 'The export could not be built; try again.';
    await db.tenantTx(tenantId, (tx) =>
      tx
        .update(privacyExports)
        .set({ status: 'failed', error: message, finished_at: new Date() })
        .where(eq(privacyExports.id, exportId)),
    );
    if (!(err instanceof ProblemError)) throw err;
  }
}

/** One export (404 when missing); `contactId` limits it to that contact's exports (the portal). */
async function exportRow(tx: Tx, exportId: string, opts: { contactId?: string }) {
  const [r] = await tx
    .select()
    .from(privacyExports)
    .where(
      and(
        eq(privacyExports.id, exportId),
        opts.contactId ? eq(privacyExports.contact_id, opts.contactId) : undefined,
      ),
    );
  if (!r) throw notFound('Export');
  return r;
}

/** An export's progress; `contactId` limits it to that contact's exports (the portal). */
export async function exportStatus(
  tx: Tx,
  exportId: string,
  opts: { contactId?: string } = {},
): Promise<ExportStatus> {
  const r = await exportRow(tx, exportId, opts);
  return presentExport(r);
}

/** The zip of a finished export (404 while it is not done, once expired or erased). */
export async function exportFile(
  platform: Platform,
  tx: Tx,
  exportId: string,
  opts: { contactId?: string } = {},
): Promise<{ filename: string; data: Buffer }> {
  const r = await exportRow(tx, exportId, opts);
  if (r.status !== 'done' || !r.file_name || r.expires_at.getTime() < Date.now())
    throw conflict('The export is not ready yet, or it has expired', [{ field: 'status', reason: r.status }]);
  let data: Buffer;
  try {
    data = readFileSync(join(exportsDir(platform), r.file_name));
  } catch {
    throw notFound('Export');
  }
  return { filename: `personal-data-${r.created_at.toISOString().slice(0, 10)}.zip`, data };
}

/** Deletes a person's exports, rows and files (derived copies, on erasure); returns how many. */
export async function eraseExportsOf(
  platform: Platform,
  tx: Tx,
  tenantId: string,
  contactId: string,
): Promise<number> {
  const gone = await tx
    .delete(privacyExports)
    .where(and(eq(privacyExports.tenant_id, tenantId), eq(privacyExports.contact_id, contactId)))
    .returning({ file_name: privacyExports.file_name });
  const dir = exportsDir(platform);
  afterCommit(tx, () => {
    for (const g of gone) if (g.file_name) rmSync(join(dir, g.file_name), { force: true });
  });
  return gone.length;
}

/** The cron job: exports older than 7 days are deleted (files and rows). */
export async function purgeExpiredExports(platform: Platform): Promise<number> {
  const gone = await platform.database.systemTx((tx) =>
    tx
      .delete(privacyExports)
      .where(lt(privacyExports.expires_at, new Date()))
      .returning({ file_name: privacyExports.file_name }),
  );
  for (const g of gone) if (g.file_name) rmSync(join(exportsDir(platform), g.file_name), { force: true });
  return gone.length;
}
