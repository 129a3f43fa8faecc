import { and, eq, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { PgColumn, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { changeLog } from '../audit/audit.schema.js';
import type { Tx } from '../db/database.js';
import { domainEvents } from '../events/events.schema.js';
import type { DataSubject, DatumLineage, ErasureOutcome } from './personal-data.js';

/**
 * Finding a person in free text and JSON, and taking them out of it (R-5, issue 13 item 5): the
 * helpers every module's personal-data provider uses, plus the platform's own tables that hold
 * copies of personal data (the change log and the events outbox).
 */

/** What replaces an erased person's name, e-mail or phone wherever a record must stay. */
export const ERASED_PERSON = '已删除的联系人';

/** Marks a needle that must be left as written: another contact's longer name (王芳芳 when erasing 王芳). */
const KEEP = '\u0001keep:';

/** Digits only, a mainland 86 prefix dropped (+86 138 0013 8000 → 13800138000). */
const nationalPhone = (digits: string) =>
  digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits;

/**
 * The strings that identify the subject in text: e-mails, phones (as stored, digits only and the
 * national form without +86), names; plus, marked, other contacts' longer names that contain the
 * subject's (left intact). A name another contact bears exactly (`sharedNames`) is left out unless
 * `linked` (the row is linked to the person: contact_ids, contact_id), so mentions of the
 * namesake are never touched.
 */
export function subjectNeedles(s: DataSubject, opts: { linked?: boolean } = {}): string[] {
  const out = new Set<string>();
  for (const e of s.emails) if (e.trim().length >= 3) out.add(e.trim().toLowerCase());
  for (const p of s.phones) {
    const t = p.trim();
    if (t.length >= 5) out.add(t);
    const digits = t.replace(/\D/g, '');
    if (digits.length >= 5) out.add(digits);
    const national = nationalPhone(digits);
    if (national.length >= 5) out.add(national);
  }
  const shared = new Set((s.sharedNames ?? []).map((n) => n.trim().toLowerCase()));
  for (const n of s.names) {
    const t = n.trim();
    if (t.length < 2) continue;
    if (!opts.linked && shared.has(t.toLowerCase())) continue;
    out.add(t);
  }
  for (const n of s.protectedNames ?? []) if (n.trim().length >= 2) out.add(`${KEEP}${n.trim()}`);
  // Longest first, so "王芳芳" is tried before "王芳".
  return [...out].sort((a, b) => b.length - a.length);
}

/** The needles that are searched for (the marked ones to keep are not). */
const searched = (needles: readonly string[]) => needles.filter((n) => !n.startsWith(KEEP));

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Latin-script letters and digits: a Latin name or e-mail matches only as a whole word. */
const WORD = 'A-Za-z0-9_\\u00C0-\\u024F';

function needlePattern(n: string): string {
  if (/^\d+$/.test(n))
    // A phone's digits: an optional +86, spaces or dashes between the digits, never inside a longer number.
    return `(?<![0-9])(?:\\+?86[ -]?)?${n.split('').join('[ -]?')}(?![0-9])`;
  const head = /^[A-Za-z0-9_\u00C0-\u024F]/.test(n) ? `(?<![${WORD}])` : '';
  const tail = /[A-Za-z0-9_\u00C0-\u024F]$/.test(n) ? `(?![${WORD}])` : '';
  return `${head}${escapeRegExp(n)}${tail}`;
}

const regExps = new WeakMap<readonly string[], RegExp | null>();

/** Group 1: a name to keep as written; otherwise a match of the subject. */
function needleRegExp(needles: readonly string[]): RegExp | null {
  const cached = regExps.get(needles);
  if (cached !== undefined) {
    if (cached) cached.lastIndex = 0;
    return cached;
  }
  const keep = needles.filter((n) => n.startsWith(KEEP)).map((n) => n.slice(KEEP.length));
  const find = searched(needles);
  const re =
    find.length === 0
      ? null
      : new RegExp(
          `${keep.length ? `(${keep.map(escapeRegExp).join('|')})|` : '()?'}(?:${find.map(needlePattern).join('|')})`,
          'giu',
        );
  regExps.set(needles, re);
  return re;
}

const replaceSubject = (text: string, re: RegExp) =>
  text.replace(re, (m: string, keep: string | undefined) => (keep ? m : ERASED_PERSON));

/** True when the text names the subject (whole words for Latin names; other contacts' longer names don't count). */
export function mentions(text: string | null | undefined, needles: readonly string[]): boolean {
  const re = needleRegExp(needles);
  if (!text || !re) return false;
  for (const m of text.matchAll(re)) if (!m[1]) return true;
  return false;
}

/** The text with every occurrence of the subject replaced by ERASED_PERSON. */
export function redactText(text: string, needles: readonly string[]): string {
  const re = needleRegExp(needles);
  return re ? replaceSubject(text, re) : text;
}

/** A JSON value with every string value naming the subject redacted (object keys are never rewritten). */
export function redactJson(value: unknown, needles: readonly string[]): { value: unknown; changed: boolean } {
  const re = needleRegExp(needles);
  if (!re) return { value, changed: false };
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const r = replaceSubject(v, re);
      if (r !== v) changed = true;
      return r;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return { value: walk(value), changed };
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * SQL: the column's text (any type, cast to text: jsonb, text[], text) contains one of the needles,
 * case-insensitively; a phone's digits also with spaces or dashes between them. Finds candidate
 * rows only (a superset): the exact match (whole words, names to keep) is redactJson/Text's.
 */
export function textMentions(column: SQLWrapper, needles: readonly string[]): SQL {
  const find = searched(needles);
  if (find.length === 0) return sql`false`;
  const patterns = find.map((n) => sql`${`%${likeEscape(n)}%`}`);
  const plain = sql`(${column})::text ilike any(array[${sql.join(patterns, sql`, `)}]::text[])`;
  const digits = find.filter((n) => /^\d+$/.test(n)).map((n) => sql`${`%${n}%`}`);
  if (digits.length === 0) return plain;
  return sql`(${plain} or regexp_replace((${column})::text, '[ -]', '', 'g') like any(array[${sql.join(digits, sql`, `)}]::text[]))`;
}

/**
 * SQL: any of the columns names one of the needles — the columns' text joined once and matched
 * once (one pass per row instead of one per column; this is a sequential scan of the tenant's rows).
 */
export function anyMentions(columns: readonly SQLWrapper[], needles: readonly string[]): SQL {
  if (searched(needles).length === 0 || columns.length === 0) return sql`false`;
  const joined = sql.join(
    columns.map((c) => sql`coalesce((${c})::text, '')`),
    sql` || ' ' || `,
  );
  return textMentions(sql`${joined}`, needles);
}

/** A change-log row's method and source in the words the portal shows (R-5.4). */
export function lineageOf(row: {
  method: string;
  source: string;
  actor_type: string;
  actor_name: string | null;
  at: Date | string;
  confidence?: number | null;
  reason?: string | null;
}): DatumLineage {
  const method =
    row.actor_type === 'customer' || row.source === 'portal'
      ? 'customer'
      : row.source === 'seed'
        ? 'seed'
        : row.method;
  const detail =
    row.method === 'ai_extracted'
      ? [row.reason, row.confidence != null ? `confidence ${Math.round(row.confidence * 100)}%` : null]
          .filter(Boolean)
          .join(', ') || undefined
      : (row.reason ?? undefined);
  return {
    method,
    source: row.source,
    actorName: row.actor_name,
    at: new Date(row.at).toISOString(),
    ...(detail ? { detail } : {}),
  };
}

/** Plain words for a lineage entry, e.g. "由 CSM 王芳录入，2026-03-02" / "typed in by 王芳, 2026-03-02". */
export function lineageWords(l: DatumLineage): { en: string; zh: string } {
  const day = l.at.slice(0, 10);
  const who = l.actorName ?? '';
  const d = l.detail;
  const detailEn = d ? ` (${typeof d === 'string' ? d : d.en})` : '';
  const detailZh = d ? `（${typeof d === 'string' ? d : d.zh}）` : '';
  switch (l.method) {
    case 'import':
      return { en: `imported from a file (${l.source}), ${day}`, zh: `批量导入（${l.source}），${day}` };
    case 'ai_extracted':
      return { en: `extracted by AI${detailEn}, ${day}`, zh: `AI 自动提取${detailZh}，${day}` };
    case 'customer':
      return { en: `changed by you through the portal, ${day}`, zh: `本人通过自助门户修改，${day}` };
    case 'sync':
      return { en: `synchronised from ${l.source}, ${day}`, zh: `从 ${l.source} 同步，${day}` };
    case 'computed':
      return { en: `computed${detailEn}, ${day}`, zh: `系统计算${detailZh}，${day}` };
    case 'seed':
      return { en: `demo data, ${day}`, zh: `演示数据，${day}` };
    default:
      if (l.source === 'webform') return { en: `from the web form, ${day}`, zh: `来自官网表单，${day}` };
      if (l.source.startsWith('signal:'))
        return {
          en: `from signal source ${l.source.slice(7)}, ${day}`,
          zh: `来自信号源 ${l.source.slice(7)}，${day}`,
        };
      return who
        ? { en: `entered by ${who}, ${day}`, zh: `由 ${who} 录入，${day}` }
        : { en: `entered through ${l.source}, ${day}`, zh: `通过 ${l.source} 录入，${day}` };
  }
}

/** The change-log entries of one record, newest first: each field's lineage. */
export async function recordLineage(
  tx: Tx,
  tenantId: string,
  entity: string,
  entityId: string,
): Promise<{ field: string; lineage: DatumLineage; value: unknown }[]> {
  const rows = await tx
    .select()
    .from(changeLog)
    .where(
      and(eq(changeLog.tenant_id, tenantId), eq(changeLog.entity, entity), eq(changeLog.entity_id, entityId)),
    )
    .orderBy(sql`${changeLog.at} desc, ${changeLog.id} desc`)
    .limit(2000);
  const out: { field: string; lineage: DatumLineage; value: unknown }[] = [];
  for (const r of rows) {
    const changes = (r.changes ?? {}) as Record<string, { new?: unknown }>;
    for (const [field, c] of Object.entries(changes))
      out.push({ field, lineage: lineageOf(r), value: c?.new });
  }
  return out;
}

/**
 * The platform's copies of the person (issue 13 item 5): the change log (their record's history is
 * deleted; other records' history that names them is redacted) and the events outbox (events about
 * their record lose their payload; others are redacted). Runs after every module's provider, so
 * the history of the rows the providers anonymised is cleaned as well.
 */
export async function erasePlatformCopies(
  tx: Tx,
  subject: DataSubject,
  opts: {
    entity: string /** Other records that were the person (merged duplicates). */;
    alsoIds?: readonly string[];
  },
): Promise<ErasureOutcome[]> {
  const ids = [subject.contactId, ...(opts.alsoIds ?? [])];
  const idList = sql`(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)`;
  const needles = subjectNeedles(subject);
  const out: ErasureOutcome[] = [];
  const own = await tx
    .delete(changeLog)
    .where(
      and(
        eq(changeLog.tenant_id, subject.tenantId),
        eq(changeLog.entity, opts.entity),
        sql`${changeLog.entity_id} in ${idList}`,
      ),
    )
    .returning({ id: changeLog.id });
  out.push({ table: 'change_log', action: 'deleted', rows: own.length });
  const named = await tx
    .select({
      id: changeLog.id,
      changes: changeLog.changes,
      actor_name: changeLog.actor_name,
      reason: changeLog.reason,
    })
    .from(changeLog)
    .where(
      and(
        eq(changeLog.tenant_id, subject.tenantId),
        sql`(${textMentions(changeLog.changes, needles)} or ${textMentions(changeLog.reason, needles)} or ${textMentions(changeLog.actor_name, needles)})`,
      ),
    );
  for (const r of named) {
    await tx
      .update(changeLog)
      .set({
        changes: redactJson(r.changes, needles).value,
        reason: r.reason === null ? null : redactText(r.reason, needles),
        actor_name: r.actor_name === null ? null : redactText(r.actor_name, needles),
      })
      .where(eq(changeLog.id, r.id));
  }
  out.push({
    table: 'change_log',
    action: 'anonymised',
    rows: named.length,
    reason: named.length
      ? 'history of records that must stay (audit trail); the person is replaced by a placeholder'
      : undefined,
  });

  const ownEvents = await tx
    .update(domainEvents)
    .set({ payload: { erased: true } })
    .where(
      and(
        eq(domainEvents.tenant_id, subject.tenantId),
        eq(domainEvents.entity, opts.entity),
        sql`${domainEvents.entity_id} in ${idList}`,
      ),
    )
    .returning({ id: domainEvents.id });
  const namedEvents = await tx
    .select({ id: domainEvents.id, payload: domainEvents.payload, last_error: domainEvents.last_error })
    .from(domainEvents)
    .where(
      and(
        eq(domainEvents.tenant_id, subject.tenantId),
        sql`(${textMentions(domainEvents.payload, needles)} or ${textMentions(domainEvents.last_error, needles)})`,
      ),
    );
  for (const r of namedEvents) {
    const payload = redactJson(r.payload, needles).value as Record<string, unknown>;
    await tx
      .update(domainEvents)
      .set({ payload, last_error: r.last_error === null ? null : redactText(r.last_error, needles) })
      .where(eq(domainEvents.id, r.id));
  }
  out.push({
    table: 'domain_events',
    action: 'anonymised',
    rows: ownEvents.length + namedEvents.length,
    reason:
      ownEvents.length + namedEvents.length
        ? 'the outbox keeps that an event happened (delivery bookkeeping); its content about the person is removed'
        : undefined,
  });
  return out;
}

/** The change-log history of a record, in the contact's section (R-5.4). */
export async function countRecordChanges(tx: Tx, tenantId: string, entity: string, entityId: string) {
  const [r] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(changeLog)
    .where(
      and(eq(changeLog.tenant_id, tenantId), eq(changeLog.entity, entity), eq(changeLog.entity_id, entityId)),
    );
  return Number(r?.n ?? 0);
}

/**
 * Redacts the subject out of `columns` (text, text[] or jsonb) of the rows of `table` that name
 * them (and match `where`), row by row; returns the ids of the rows changed. For tables whose
 * records must stay (an account's activity, an intervention's evidence): the person becomes
 * ERASED_PERSON, everything else is kept.
 */
export async function redactColumns(
  tx: Tx,
  args: {
    table: PgTable;
    id: PgColumn;
    columns: Record<string, PgColumn>;
    needles: readonly string[];
    where?: SQL;
  },
): Promise<string[]> {
  const { table, id, columns, needles } = args;
  if (searched(needles).length === 0) return [];
  const any = anyMentions(Object.values(columns), needles);
  const rows = (await tx
    .select({ __id: id, ...columns })
    .from(table)
    .where(args.where ? and(args.where, sql`(${any})`) : sql`(${any})`)) as Record<string, unknown>[];
  const changed: string[] = [];
  for (const row of rows) {
    const set: Record<string, unknown> = {};
    for (const key of Object.keys(columns)) {
      const v = row[key];
      if (typeof v === 'string') {
        const r = redactText(v, needles);
        if (r !== v) set[key] = r;
      } else if (v !== null && v !== undefined) {
        const r = redactJson(v, needles);
        if (r.changed) set[key] = r.value;
      }
    }
    if (Object.keys(set).length === 0) continue;
    await tx
      .update(table)
      .set(set as PgUpdateSetSource<PgTable>)
      .where(eq(id, row.__id));
    changed.push(String(row.__id));
  }
  return changed;
}

/** How each of many records was created (their first change-log entry), in one query. */
export async function createdLineage(
  tx: Tx,
  tenantId: string,
  entity: string,
  ids: readonly string[],
): Promise<Map<string, DatumLineage>> {
  const out = new Map<string, DatumLineage>();
  if (ids.length === 0) return out;
  const rows = await tx
    .select()
    .from(changeLog)
    .where(
      and(
        eq(changeLog.tenant_id, tenantId),
        eq(changeLog.entity, entity),
        eq(changeLog.action, 'create'),
        sql`${changeLog.entity_id} in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)`,
      ),
    );
  for (const r of rows) if (!out.has(r.entity_id)) out.set(r.entity_id, lineageOf(r));
  return out;
}

/** Deletes the change-log history of records a provider deleted (their history is the person's too). */
export async function deleteRecordHistory(
  tx: Tx,
  tenantId: string,
  entity: string,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const gone = await tx
    .delete(changeLog)
    .where(
      and(
        eq(changeLog.tenant_id, tenantId),
        eq(changeLog.entity, entity),
        sql`${changeLog.entity_id} in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)`,
      ),
    )
    .returning({ id: changeLog.id });
  return gone.length;
}
