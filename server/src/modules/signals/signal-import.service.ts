import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Database, Tx } from '../../platform/db/database.js';
import { badRequest } from '../../platform/http/problem.js';
import { type ParsedFile, parseImportFile, parseUserDate } from '../crm/crm-import.service.js';
import { describePayload } from './signal-catalogue.js';
import { ingestSignals, MAX_BATCH, typeSchemas } from './signals.service.js';

/**
 * CSV/Excel signal import. The file is read by the CRM import's parser (BOM, delimiter
 * detection, GB18030, .xlsx, row numbers as the user sees them); every data row becomes one item
 * of `ingestSignals`, the function behind POST /api/v1/signals, so validation, idempotency, entity
 * resolution and durability are the batch API's. A real run writes the whole file in one
 * transaction (committed before the answer); a dry run runs the very same ingest and rolls back,
 * so it reports exactly what a real run would (including duplicates of stored signals).
 */

export const SUBJECT_FIELDS = [
  'account_id',
  'contact_id',
  'opportunity_id',
  'domain',
  'email',
  'credit_code',
  'company_name',
] as const;
export const IMPORT_SIGNAL_FIELDS = [
  'type',
  'source',
  'occurred_at',
  ...SUBJECT_FIELDS,
  'strength',
  'idempotency_key',
  'source_event_id',
  'payload',
] as const;

const SYNONYMS: Record<string, string[]> = {
  type: ['type', 'signal type', 'kind', '类型', '信号类型'],
  source: ['source', 'signal source', 'system', '来源', '数据来源', '信号来源'],
  occurred_at: [
    'occurred at',
    'occurred',
    'date',
    'time',
    'datetime',
    'timestamp',
    'event time',
    '时间',
    '日期',
    '发生时间',
  ],
  account_id: ['account id', '客户id'],
  contact_id: ['contact id', '联系人id'],
  opportunity_id: ['opportunity id', 'deal id', '商机id'],
  domain: ['domain', 'website', 'website domain', '域名', '官网'],
  email: ['email', 'e-mail', 'mail', '邮箱', '电子邮件'],
  credit_code: ['credit code', 'unified social credit code', 'uscc', '统一社会信用代码', '信用代码'],
  company_name: [
    'company',
    'company name',
    'account',
    'account name',
    'customer',
    '公司',
    '公司名称',
    '客户',
    '客户名称',
    '企业名称',
  ],
  strength: ['strength', 'score', 'weight', '强度', '信号强度'],
  idempotency_key: ['idempotency key', 'key', '幂等键'],
  source_event_id: ['source event id', 'event id', '事件id', '事件编号'],
  payload: ['payload', 'payload json', 'data', '数据'],
};

const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[\s_\-（）()]+/g, ' ')
    .trim();
const PAYLOAD_COLUMN = /^payload\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** Column → field: exact field names, `payload.<key>` columns, then synonyms (English and Chinese). */
export function suggestSignalMapping(headers: string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  const taken = new Set<string>();
  for (const h of headers) {
    const p = h.trim().match(PAYLOAD_COLUMN);
    if (p) {
      if (!taken.has(`payload.${p[1]}`)) {
        mapping[h] = `payload.${p[1]}`;
        taken.add(mapping[h]);
      }
      continue;
    }
    const n = norm(h);
    const field =
      IMPORT_SIGNAL_FIELDS.find((f) => !taken.has(f) && norm(f) === n) ??
      IMPORT_SIGNAL_FIELDS.find((f) => !taken.has(f) && (SYNONYMS[f] ?? []).some((s) => norm(s) === n));
    if (field) {
      mapping[h] = field;
      taken.add(field);
    }
  }
  return mapping;
}

function checkMapping(headers: string[], mapping: Record<string, string>, defaultSource?: string) {
  const errors: { field: string; reason: string }[] = [];
  const used = new Map<string, string>();
  for (const [column, field] of Object.entries(mapping)) {
    if (!headers.includes(column))
      errors.push({ field: `mapping.${column}`, reason: 'no such column in the file' });
    if (field === 'ignore') continue;
    if (!(IMPORT_SIGNAL_FIELDS as readonly string[]).includes(field) && !PAYLOAD_COLUMN.test(field)) {
      errors.push({
        field: `mapping.${column}`,
        reason: `unknown field ${field} (use ${IMPORT_SIGNAL_FIELDS.join(', ')}, payload.<key> or ignore)`,
      });
      continue;
    }
    const before = used.get(field);
    if (before)
      errors.push({ field: `mapping.${column}`, reason: `${field} is already mapped from ${before}` });
    used.set(field, column);
  }
  const fields = new Set(used.keys());
  if (!fields.has('type')) errors.push({ field: 'type', reason: 'no column is mapped to type' });
  if (!fields.has('occurred_at'))
    errors.push({ field: 'occurred_at', reason: 'no column is mapped to occurred_at' });
  if (!fields.has('source') && !defaultSource)
    errors.push({ field: 'source', reason: 'map a column to source or give a default source' });
  if (!SUBJECT_FIELDS.some((f) => fields.has(f)))
    errors.push({ field: 'subject', reason: `map a column to one of ${SUBJECT_FIELDS.join(', ')}` });
  if (errors.length) throw badRequest('The column mapping cannot produce signals', errors);
}

/**
 * Date-times as files carry them: ISO with an offset stays; a date-time without an offset or a
 * date alone (2026-11-20, 2026/11/20, 2026年11月20日, Excel date cells) is China Standard Time
 * (+08:00, as in the CRM import), a date alone meaning its midnight. Anything else is passed on
 * unchanged so the ingest validation rejects it with its usual reason.
 */
export function normalizeOccurredAt(v: string): string {
  const t = v.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(t)) return t;
  const m = t.match(/^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/);
  if (m) {
    const d = parseUserDate(m[1]);
    if (d && +m[2] < 24) return `${d}T${m[2].padStart(2, '0')}:${m[3]}:${m[4] ?? '00'}${m[5] ?? ''}+08:00`;
    return t;
  }
  const d = parseUserDate(t);
  return d ? `${d}T00:00:00+08:00` : t;
}

type Kind = 'number' | 'boolean' | 'array' | 'string' | 'unknown';
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const THOUSANDS = /^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const TRUE = new Set(['true', 'yes', 'y', '1', '是', '真', 'on']);
const FALSE = new Set(['false', 'no', 'n', '0', '否', '假', 'off']);

function toNumber(s: string): number | string {
  const t = THOUSANDS.test(s) ? s.replaceAll(',', '') : s;
  return NUMBER.test(t) ? Number(t) : s;
}

/** A cell → the JSON value its payload field expects; values that do not convert stay strings. */
function cellValue(s: string, kind: Kind): unknown {
  switch (kind) {
    case 'number':
      return toNumber(s);
    case 'boolean': {
      const l = s.toLowerCase();
      return TRUE.has(l) ? true : FALSE.has(l) ? false : s;
    }
    case 'array':
      return s
        .split(/[;；,，|]/)
        .map((x) => x.trim())
        .filter(Boolean);
    case 'string':
      return s;
    default:
      // Undeclared (extra) payload keys: canonical numbers and true/false keep their JSON type.
      if (NUMBER.test(s) && String(Number(s)) === s) return Number(s);
      if (s === 'true' || s === 'false') return s === 'true';
      return s;
  }
}

/** What kindsOf reads of a JSON Schema property. */
interface JsonSchemaProperty {
  type?: string | string[];
  anyOf?: { type?: string | string[] }[];
}

function kindsOf(schema: z.ZodObject | undefined): Map<string, Kind> {
  const kinds = new Map<string, Kind>();
  if (!schema) return kinds;
  const json = describePayload(schema) as { properties?: Record<string, JsonSchemaProperty> };
  for (const [key, prop] of Object.entries(json.properties ?? {})) {
    const types = new Set<string>(
      [prop?.type, ...(prop?.anyOf ?? []).map((a) => a?.type)].flat().filter((t): t is string => Boolean(t)),
    );
    kinds.set(
      key,
      types.has('number') || types.has('integer')
        ? 'number'
        : types.has('boolean')
          ? 'boolean'
          : types.has('array')
            ? 'array'
            : types.has('string')
              ? 'string'
              : 'unknown',
    );
  }
  return kinds;
}

const canonical = (v: unknown): string =>
  v === null || typeof v !== 'object'
    ? JSON.stringify(v)
    : Array.isArray(v)
      ? `[${v.map(canonical).join(',')}]`
      : `{${Object.keys(v)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
          .join(',')}}`;

/**
 * One file row → one ingest item. Empty cells are left out. A row with neither idempotency_key
 * nor source_event_id gets a key derived from its content (`file:<sha256>`), so importing the
 * same file again stores nothing new.
 */
function rowToItem(
  cells: string[],
  columns: { index: number; field: string }[],
  defaultSource: string | undefined,
  kindsFor: (type: string) => Map<string, Kind>,
): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  const subject: Record<string, string> = {};
  const payloadCells: [string, string][] = [];
  let payloadJson: unknown;
  for (const { index, field } of columns) {
    const v = (cells[index] ?? '').trim();
    if (v === '') continue;
    if (field.startsWith('payload.')) payloadCells.push([field.slice(8), v]);
    else if (field === 'payload') {
      try {
        payloadJson = JSON.parse(v);
      } catch {
        payloadJson = v; // not JSON: the ingest rejects it ("payload: … expected record")
      }
    } else if ((SUBJECT_FIELDS as readonly string[]).includes(field)) subject[field] = v;
    else if (field === 'occurred_at') item.occurred_at = normalizeOccurredAt(v);
    else if (field === 'strength') item.strength = toNumber(v);
    else item[field] = v;
  }
  if (item.source === undefined && defaultSource) item.source = defaultSource;
  item.subject = subject;
  const kinds = typeof item.type === 'string' ? kindsFor(item.type) : new Map<string, Kind>();
  let payload: unknown = payloadJson ?? {};
  if (payloadCells.length) {
    if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
      const merged: Record<string, unknown> = { ...payload };
      for (const [k, v] of payloadCells) merged[k] = cellValue(v, kinds.get(k) ?? 'unknown');
      payload = merged;
    }
  }
  item.payload = payload;
  if (item.idempotency_key === undefined && item.source_event_id === undefined) {
    const occurred = Date.parse(String(item.occurred_at));
    const basis = canonical({
      type: item.type,
      source: item.source,
      occurred_at: Number.isNaN(occurred) ? item.occurred_at : new Date(occurred).toISOString(),
      subject,
      payload,
      strength: item.strength,
    });
    item.idempotency_key = `file:${createHash('sha256').update(basis).digest('hex').slice(0, 40)}`;
  }
  return item;
}

export interface ImportRowResult {
  row: number;
  id: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  matched: boolean;
  reason?: string;
}
export interface SignalImportResult {
  dry_run: boolean;
  format: 'csv' | 'xlsx';
  total: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  mapping: Record<string, string>;
  ignored_columns: string[];
  results: ImportRowResult[];
}

export interface SignalImportInput {
  filename: string;
  content: Buffer;
  mapping?: Record<string, string>;
  dry_run: boolean;
  /** Source of rows that do not name one. */
  source?: string;
}

class DryRunRollback extends Error {
  constructor(readonly result: SignalImportResult) {
    super('dry run');
  }
}

/** Parses the file (ProblemError 400 for a bad file or mapping) before any transaction opens. */
export async function readSignalFile(input: SignalImportInput): Promise<{
  file: ParsedFile;
  mapping: Record<string, string>;
}> {
  if (input.content.length === 0)
    throw badRequest('The file is empty', [{ field: 'content_base64', reason: 'empty or not base64' }]);
  const file = await parseImportFile(input.content, input.filename);
  const mapping = input.mapping ?? suggestSignalMapping(file.headers);
  checkMapping(file.headers, mapping, input.source);
  return { file, mapping };
}

async function ingestFile(
  tx: Tx,
  ctx: ActorContext,
  file: ParsedFile,
  mapping: Record<string, string>,
  input: SignalImportInput,
  fileHash: string,
): Promise<SignalImportResult> {
  const columns = file.headers
    .map((h, index) => ({ index, field: mapping[h] }))
    .filter((c) => c.field && c.field !== 'ignore');
  const schemas = await typeSchemas(tx, ctx);
  const kindCache = new Map<string, Map<string, Kind>>();
  const kindsFor = (type: string) => {
    let k = kindCache.get(type);
    if (!k) kindCache.set(type, (k = kindsOf(schemas.get(type))));
    return k;
  };
  const items = file.rows.map((cells) => rowToItem(cells, columns, input.source, kindsFor));
  const results: ImportRowResult[] = [];
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  for (let start = 0; start < items.length; start += MAX_BATCH) {
    const chunk = items.slice(start, start + MAX_BATCH);
    const r = await ingestSignals(tx, ctx, chunk, {
      method: `import:${file.format}`,
      extraProvenance: { filename: input.filename, file_sha256: fileHash, first_row: file.rowNumbers[start] },
    });
    accepted += r.accepted;
    duplicates += r.duplicates;
    rejected += r.rejected;
    for (const item of r.results) {
      const { index, ...rest } = item;
      results.push({
        row: file.rowNumbers[start + index],
        ...rest,
        id: input.dry_run ? null : rest.id,
      });
    }
  }
  return {
    dry_run: input.dry_run,
    format: file.format,
    total: items.length,
    accepted,
    duplicates,
    rejected,
    mapping,
    ignored_columns: file.headers.filter((h) => !mapping[h] || mapping[h] === 'ignore'),
    results,
  };
}

/**
 * Imports a signal file into the tenant of `ctx`. A real run commits every accepted row in one
 * transaction before returning; a dry run performs the same ingest and rolls it back.
 */
export async function importSignalFile(
  database: Database,
  ctx: ActorContext,
  input: SignalImportInput,
): Promise<SignalImportResult> {
  const { file, mapping } = await readSignalFile(input);
  const fileHash = createHash('sha256').update(input.content).digest('hex');
  const importCtx: ActorContext = { ...ctx, source: `import:${file.format}` };
  try {
    return await database.tenantTx(ctx.tenantId, async (tx) => {
      const result = await ingestFile(tx, importCtx, file, mapping, input, fileHash);
      if (input.dry_run) throw new DryRunRollback(result);
      return result;
    });
  } catch (err) {
    if (err instanceof DryRunRollback) return err.result;
    throw err;
  }
}
