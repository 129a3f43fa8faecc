import { randomUUID } from 'node:crypto';
import { and, eq, getTableColumns, inArray, or } from 'drizzle-orm';
import type ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type { z } from 'zod';
import { users } from '../../platform/auth/auth.schema.js';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import type { Locale } from '../../platform/http/locale.js';
import { badRequest } from '../../platform/http/problem.js';
import { readableWhere } from '../../platform/sharing/sharing.service.js';
import {
  accountInput,
  activityInput,
  type CrmField,
  contactInput,
  crmFields,
  type ImportSpec,
  opportunityInput,
  productInput,
} from './crm.fields.js';
import { accounts } from './crm.schema.js';
import {
  crmServices,
  customFieldsOf,
  defaultPipeline,
  type ImportableEntity,
  type Stage,
} from './crm.service.js';
import { importDuplicateChecker } from './crm-duplicates.service.js';
import { erasedRowCheck } from './crm-erasure-guard.js';
import { duplicateWarning, issueReason } from './crm-import-reasons.js';

/** The import column a duplicate warning names. */
const DUPLICATE_FIELD: Record<string, string> = {
  credit_code: 'credit_code',
  domain: 'domains',
  name: 'name',
  email: 'emails',
  phone: 'phones',
};

export interface ParsedFile {
  headers: string[];
  /** Data rows; rowNumbers[i] is the line/row number the user sees in the file (header = 1). */
  rows: string[][];
  rowNumbers: number[];
  format: 'csv' | 'xlsx';
}

/** A bad cell of a row: `reason` in English, `reasons` when it was already written per locale. */
interface RowReasonError {
  field: string;
  reason: string;
  reasons?: Record<Locale, string>;
}

export interface RowError extends RowReasonError {
  row: number;
}

/** A row that is imported but looks like an existing record or an earlier row of the file. */
export interface RowWarning extends RowReasonError {
  row: number;
  /** The existing record it looks like; null when it looks like an earlier row of the file. */
  duplicate_of: string | null;
}

export interface ImportProgress {
  phase: 'validating' | 'writing';
  processed: number;
  total: number;
}

export interface ImportResult {
  entity: ImportableEntity;
  dry_run: boolean;
  total: number;
  valid: number;
  invalid: number;
  imported: number;
  errors: RowError[];
  /** Rows imported all the same: possible duplicates of existing records or earlier rows. */
  warnings: RowWarning[];
  mapping: Record<string, string>;
  batch_id: string | null;
}

const MAX_ROWS = 200_000;

export async function parseImportFile(content: Buffer, filename: string): Promise<ParsedFile> {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.xlsx')) return parseXlsx(content);
  if (lower.endsWith('.xls'))
    throw badRequest('Old .xls files are not supported; save as .xlsx or CSV', [
      { field: 'filename', reason: 'use .xlsx or .csv' },
    ]);
  return parseCsv(content);
}

function parseCsv(content: Buffer): ParsedFile {
  let text = content.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\uFFFD')) {
    // Excel in Chinese locales often saves CSV as GB18030.
    try {
      text = new TextDecoder('gb18030').decode(content);
    } catch {
      /* keep utf-8 */
    }
  }
  const parsed = Papa.parse<string[]>(text, {
    skipEmptyLines: false,
    delimitersToGuess: [',', ';', '\t', '|'],
  });
  const all = parsed.data;
  const headerIdx = all.findIndex((r) => r.some((c) => c.trim() !== ''));
  if (headerIdx < 0) throw badRequest('The file is empty', [{ field: 'file', reason: 'no header row' }]);
  const headers = all[headerIdx].map((h) => h.trim());
  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  for (let i = headerIdx + 1; i < all.length; i++) {
    if (all[i].every((c) => c.trim() === '')) continue;
    rows.push(all[i]);
    rowNumbers.push(i + 1);
  }
  if (rows.length > MAX_ROWS)
    throw badRequest(`At most ${MAX_ROWS} rows per import`, [{ field: 'file', reason: 'too many rows' }]);
  return { headers, rows, rowNumbers, format: 'csv' };
}

async function parseXlsx(content: Buffer): Promise<ParsedFile> {
  const { default: Excel } = await import('exceljs'); // loaded on demand: it is large
  const wb = new Excel.Workbook();
  try {
    // exceljs types its input as its own ArrayBuffer-like `Buffer`; it reads Node's Buffer (through JSZip).
    await wb.xlsx.load(content as unknown as ExcelJS.Buffer);
  } catch {
    throw badRequest('The file is not a readable .xlsx workbook', [
      { field: 'file', reason: 'corrupt or not xlsx' },
    ]);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw badRequest('The workbook has no sheet', [{ field: 'file', reason: 'no sheet' }]);
  const cellText = (v: ExcelJS.CellValue): string => {
    if (v === null || v === undefined) return '';
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    if (typeof v === 'object') {
      if ('text' in v && v.text !== undefined) return String(v.text);
      if ('result' in v) return cellText(v.result);
      if ('richText' in v) return v.richText.map((r) => r.text).join('');
      if ('hyperlink' in v) return String(v.hyperlink);
    }
    return String(v);
  };
  let headers: string[] | null = null;
  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText);
    if (!headers) {
      headers = values.map((h) => h.trim());
      return;
    }
    if (values.every((c) => c.trim() === '')) return;
    rows.push(values);
    rowNumbers.push(rowNumber);
  });
  if (!headers) throw badRequest('The sheet is empty', [{ field: 'file', reason: 'no header row' }]);
  if (rows.length > MAX_ROWS)
    throw badRequest(`At most ${MAX_ROWS} rows per import`, [{ field: 'file', reason: 'too many rows' }]);
  return { headers, rows, rowNumbers, format: 'xlsx' };
}

/** The import spec of each import column of an entity, in field order (`owner` for owner_id …). */
function importColumns(
  entity: ImportableEntity,
): Map<string, { key: string; field: CrmField; spec: ImportSpec }> {
  const columns = new Map<string, { key: string; field: CrmField; spec: ImportSpec }>();
  for (const [key, field] of Object.entries<CrmField>(crmFields[entity])) {
    if (field.import) columns.set(field.import.column ?? key, { key, field, spec: field.import });
  }
  return columns;
}

const IMPORT_COLUMNS = Object.fromEntries(
  (Object.keys(crmServices) as ImportableEntity[]).map((e) => [e, importColumns(e)]),
) as Record<ImportableEntity, ReturnType<typeof importColumns>>;

/** Importable fields per entity; `owner` and `account` columns are looked up by name/email instead of id. */
export const IMPORT_FIELDS = Object.fromEntries(
  Object.entries(IMPORT_COLUMNS).map(([e, columns]) => [e, [...columns.keys()]]),
) as Record<ImportableEntity, string[]>;

const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[\s_\-（）()]+/g, ' ')
    .trim();

export function suggestMapping(
  entity: ImportableEntity,
  headers: string[],
  customKeys: string[] = [],
): Record<string, string> {
  const columns = IMPORT_COLUMNS[entity];
  const fields = [...IMPORT_FIELDS[entity], ...customKeys.map((k) => `custom.${k}`)];
  const mapping: Record<string, string> = {};
  const taken = new Set<string>();
  for (const h of headers) {
    const n = norm(h);
    const exact = fields.find(
      (f) => !taken.has(f) && (norm(f) === n || f === `custom.${n.replaceAll(' ', '_')}`),
    );
    const syn =
      exact ??
      fields.find((f) => !taken.has(f) && (columns.get(f)?.spec.synonyms ?? []).some((s) => norm(s) === n));
    if (syn) {
      mapping[h] = syn;
      taken.add(syn);
    }
  }
  return mapping;
}

const splitList = (s: string) =>
  s
    .split(/[;；,，|]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Dates as users type them: 2026-03-01, 2026/3/1, 3/1/2026 (M/D/YYYY), 2026年3月1日. */
export function parseUserDate(s: string): string | null {
  const t = s.trim();
  let m = t.match(/^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$/);
  if (m) return iso(+m[1], +m[2], +m[3]);
  m = t.match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/);
  if (m) return iso(+m[3], +m[1], +m[2]);
  return null;
}
function iso(y: number, mo: number, d: number): string | null {
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return dt.toISOString().slice(0, 10);
}

const inputSchemas: Record<ImportableEntity, z.ZodObject> = {
  accounts: accountInput,
  contacts: contactInput,
  opportunities: opportunityInput,
  activities: activityInput,
  products: productInput,
};

interface Lookups {
  usersByKey: Map<string, string>;
  accountsByKey: Map<string, string>;
  stages: Stage[];
  pipelineId: string | null;
  customTypes: Map<string, string>;
  existingCreditCodes: Set<string>;
}

async function loadLookups(
  tx: Tx,
  ctx: ActorContext,
  entity: ImportableEntity,
  accountKeys: string[],
): Promise<Lookups> {
  const userRows = await tx
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(users.tenant_id, ctx.tenantId));
  const usersByKey = new Map<string, string>();
  for (const u of userRows) {
    usersByKey.set(u.email.toLowerCase(), u.id);
    usersByKey.set(u.name.toLowerCase(), u.id);
  }
  const accountsByKey = new Map<string, string>();
  const keys = [...new Set(accountKeys.map((k) => k.trim()).filter(Boolean))];
  // Rows attach only to accounts the importer may read (record-level sharing); others stay unknown.
  const readable = keys.length ? await readableWhere(tx, ctx, 'accounts') : undefined;
  for (let i = 0; i < keys.length; i += 5000) {
    const chunk = keys.slice(i, i + 5000);
    const rows = await tx
      .select({ id: accounts.id, name: accounts.name, credit_code: accounts.credit_code })
      .from(accounts)
      .where(
        and(
          eq(accounts.tenant_id, ctx.tenantId),
          or(inArray(accounts.name, chunk), inArray(accounts.credit_code, chunk)),
          readable,
        ),
      );
    for (const r of rows) {
      accountsByKey.set(r.name.toLowerCase(), r.id);
      if (r.credit_code) accountsByKey.set(r.credit_code.toLowerCase(), r.id);
    }
  }
  const pipeline = entity === 'opportunities' ? await defaultPipeline(tx, ctx) : undefined;
  const customTypes = new Map((await customFieldsOf(tx, ctx, entity)).map((d) => [d.key, d.type]));
  return {
    usersByKey,
    accountsByKey,
    stages: (pipeline?.stages as Stage[]) ?? [],
    pipelineId: pipeline?.id ?? null,
    customTypes,
    existingCreditCodes: new Set(),
  };
}

/** Converts one row of strings into the API's input object for the entity (before schema validation). */
function toInput(
  entity: ImportableEntity,
  row: Record<string, string>,
  lk: Lookups,
  errors: RowReasonError[],
) {
  const columns = IMPORT_COLUMNS[entity];
  const out: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(row)) {
    const v = restoreCell(raw.trim());
    if (v === '') continue;
    if (column.startsWith('custom.')) {
      const key = column.slice(7);
      const type = lk.customTypes.get(key);
      if (type === 'number') custom[key] = Number.isFinite(Number(v)) ? Number(v) : v;
      else if (type === 'boolean') custom[key] = YES.test(v) ? true : NO.test(v) ? false : v;
      else if (type === 'date') custom[key] = parseUserDate(v) ?? v;
      else if (type === 'multiselect') custom[key] = splitList(v);
      else custom[key] = v;
      continue;
    }
    const c = columns.get(column);
    if (!c) continue;
    const { key } = c;
    switch (c.spec.parse) {
      case 'list':
        out[key] = splitList(v);
        break;
      case 'integer':
        out[key] = /^-?\d+$/.test(v) ? Number(v) : v;
        break;
      case 'money': {
        const n = Number(v.replace(/[¥$€,，\s]/g, ''));
        out[key] = Number.isFinite(n) ? n : v;
        break;
      }
      case 'boolean':
        out[key] = !NO.test(v);
        break;
      case 'date':
        out[key] = parseUserDate(v) ?? v;
        break;
      case 'datetime': {
        const d = parseUserDate(v);
        out[key] = d ? `${d}T09:00:00+08:00` : Number.isNaN(Date.parse(v)) ? v : new Date(v).toISOString();
        break;
      }
      case 'user': {
        const id = lk.usersByKey.get(v.toLowerCase());
        if (!id) errors.push({ field: column, reason: `no user with email or name "${v}"` });
        else out[key] = id;
        break;
      }
      case 'account': {
        const id = lk.accountsByKey.get(v.toLowerCase());
        if (!id) errors.push({ field: column, reason: `no account named "${v}"` });
        else out[key] = id;
        break;
      }
      case 'stage': {
        const s = lk.stages.find(
          (st) => st.key === v || st.name === v || st.name_en?.toLowerCase() === v.toLowerCase(),
        );
        if (!s)
          errors.push({
            field: column,
            reason: `unknown stage "${v}"; one of ${lk.stages.map((x) => x.name).join(', ')}`,
          });
        else out[key] = s.key;
        break;
      }
      case 'lowercase':
        out[key] = v.toLowerCase();
        break;
      case 'uppercase':
        out[key] = v.toUpperCase();
        break;
      default:
        out[key] = v;
    }
  }
  if (Object.keys(custom).length) out.custom = custom;
  // A required reference column (an opportunity's account) that is missing or empty is reported by
  // its column, not as the id field the file does not have.
  for (const [column, c] of columns) {
    if (column === c.key || out[c.key] !== undefined || errors.some((e) => e.field === column)) continue;
    if (c.field.input && !c.field.input.safeParse(undefined).success)
      errors.push({ field: column, reason: 'required' });
  }
  return out;
}

const YES = /^(true|yes|1|是|y)$/i;
const NO = /^(false|no|0|否|n)$/i;

/**
 * Validates every row (reporting each bad one with its row number and reason) and, unless this
 * is a dry run, inserts all good rows in the caller's single transaction with lineage.
 */
export async function runImport(
  tx: Tx,
  ctx: ActorContext,
  entity: ImportableEntity,
  file: ParsedFile,
  mappingIn: Record<string, string> | undefined,
  dryRun: boolean,
  onProgress?: (p: ImportProgress) => void,
): Promise<ImportResult> {
  const customKeys = [...(await customFieldsOf(tx, ctx, entity)).map((d) => d.key)];
  const mapping =
    mappingIn && Object.keys(mappingIn).length ? mappingIn : suggestMapping(entity, file.headers, customKeys);
  const allowed = new Set([...IMPORT_FIELDS[entity], ...customKeys.map((k) => `custom.${k}`)]);
  const badMapping = Object.entries(mapping).filter(([_h, f]) => f && !allowed.has(f) && f !== 'ignore');
  if (badMapping.length) {
    throw badRequest(
      'The column mapping names unknown fields',
      badMapping.map(([h, f]) => ({ field: `mapping.${h}`, reason: `unknown field ${f}` })),
    );
  }
  const unknownHeaders = Object.keys(mapping).filter((h) => !file.headers.includes(h));
  if (unknownHeaders.length) {
    throw badRequest(
      'The column mapping names columns the file does not have',
      unknownHeaders.map((h) => ({ field: `mapping.${h}`, reason: 'no such column' })),
    );
  }
  const colIndex = Object.entries(mapping)
    .filter(([, f]) => f && f !== 'ignore')
    .map(([h, f]) => ({ idx: file.headers.indexOf(h), field: f }));
  const accountCol = colIndex.find((c) => c.field === 'account');
  const lk = await loadLookups(
    tx,
    ctx,
    entity,
    accountCol ? file.rows.map((r) => r[accountCol.idx] ?? '') : [],
  );
  if (entity === 'accounts') {
    const codes = file.rows
      .map((r) => r[colIndex.find((c) => c.field === 'credit_code')?.idx ?? -1] ?? '')
      .map((c) => c.trim().toUpperCase())
      .filter(Boolean);
    for (let i = 0; i < codes.length; i += 5000) {
      const rows = await tx
        .select({ c: accounts.credit_code })
        .from(accounts)
        .where(
          and(eq(accounts.tenant_id, ctx.tenantId), inArray(accounts.credit_code, codes.slice(i, i + 5000))),
        );
      for (const r of rows) if (r.c) lk.existingCreditCodes.add(r.c);
    }
  }
  const schema = inputSchemas[entity];
  const columns = IMPORT_COLUMNS[entity];
  const fields: Record<string, CrmField | undefined> = crmFields[entity];
  const errors: RowError[] = [];
  const warnings: RowWarning[] = [];
  const duplicateOf =
    entity === 'accounts' || entity === 'contacts' ? await importDuplicateChecker(tx, ctx, entity) : null;
  const erased = entity === 'contacts' ? await erasedRowCheck(tx, ctx.tenantId) : null;
  const good: Record<string, unknown>[] = [];
  const seenCodes = new Set<string>();
  for (let i = 0; i < file.rows.length; i++) {
    if (i % 5000 === 0) {
      onProgress?.({ phase: 'validating', processed: i, total: file.rows.length });
      await new Promise((r) => setImmediate(r)); // let progress polls be answered
    }
    const rowNo = file.rowNumbers[i];
    const cells: Record<string, string> = {};
    for (const c of colIndex) cells[c.field] = file.rows[i][c.idx] ?? '';
    const rowErrors: RowReasonError[] = [];
    const input = toInput(entity, cells, lk, rowErrors);
    const parsed = schema.safeParse(input, { reportInput: true });
    if (!parsed.success)
      for (const iss of parsed.error.issues) {
        const key = String(iss.path[0] ?? '');
        // An id field whose import column was already reported (no such account …) is not reported twice.
        const column = [...columns].find(([, c]) => c.key === key)?.[0];
        if (column && column !== key && rowErrors.some((e) => e.field === column)) continue;
        rowErrors.push({ field: iss.path.join('.') || '(row)', ...issueReason(iss, fields[key]) });
      }
    const value = parsed.success ? (parsed.data as Record<string, unknown>) : input;
    if (parsed.success) {
      if (erased) rowErrors.push(...erased(value));
      // Checks the schema cannot make: custom field types, uniqueness in file and tenant.
      for (const [k, v] of Object.entries((value.custom as Record<string, unknown>) ?? {})) {
        const t = lk.customTypes.get(k);
        const reason =
          t === 'number' && typeof v !== 'number'
            ? 'must be a number'
            : t === 'boolean' && typeof v !== 'boolean'
              ? 'must be yes or no'
              : t === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(String(v))
                ? 'must be a date such as 2026-03-01'
                : undefined;
        if (reason) rowErrors.push({ field: `custom.${k}`, reason });
      }
      const code = value.credit_code as string | undefined;
      if (code) {
        if (lk.existingCreditCodes.has(code))
          rowErrors.push({ field: 'credit_code', reason: 'an account with this credit code already exists' });
        else if (seenCodes.has(code))
          rowErrors.push({ field: 'credit_code', reason: 'duplicate of an earlier row in this file' });
        seenCodes.add(code);
      }
    }
    if (rowErrors.length) for (const e of rowErrors) errors.push({ row: rowNo, ...e });
    else {
      good.push(value);
      const hit = duplicateOf?.(value, rowNo);
      if (hit)
        warnings.push({
          row: rowNo,
          field: DUPLICATE_FIELD[hit.reason] ?? hit.reason,
          ...duplicateWarning(hit),
          duplicate_of: hit.id,
        });
    }
  }
  const invalidRows = new Set(errors.map((e) => e.row)).size;
  const result: ImportResult = {
    entity,
    dry_run: dryRun,
    total: file.rows.length,
    valid: good.length,
    invalid: invalidRows,
    imported: 0,
    errors,
    warnings,
    mapping,
    batch_id: null,
  };
  if (dryRun || good.length === 0) return result;
  const batchId = randomUUID();
  const rows = good.map((v) => finalizeRow(entity, v, lk, ctx));
  const ids = await crmServices[entity].bulkInsert(tx, ctx, rows, { method: 'import', batchId }, (n) =>
    onProgress?.({ phase: 'writing', processed: n, total: rows.length }),
  );
  return { ...result, imported: ids.length, batch_id: batchId };
}

/** Derived values the single-record path computes in prepare() (stage → status/probability, defaults). */
function finalizeRow(entity: ImportableEntity, v: Record<string, unknown>, lk: Lookups, ctx: ActorContext) {
  const row: Record<string, unknown> = { ...v };
  if (entity === 'opportunities') {
    const stage = lk.stages.find((s) => s.key === v.stage) ?? lk.stages[0];
    row.pipeline_id = lk.pipelineId;
    row.stage = stage.key;
    row.status = stage.kind;
    row.probability = v.probability ?? stage.probability;
    row.closed_at = stage.kind === 'open' ? null : new Date();
  }
  if (entity === 'activities') {
    row.occurred_at = new Date(String(v.occurred_at));
    if (row.owner_id === undefined && ctx.actorType === 'user') row.owner_id = ctx.actorId;
  }
  return row;
}

/**
 * Spreadsheet formula injection (OWASP "CSV Injection"): a cell whose text starts with = + - @,
 * a tab or a carriage return — or the full-width ＝＋－＠ that Excel and WPS also read as formula
 * starts — is exported with a leading single quote, so `=HYPERLINK(…)` or `+cmd|…` shows as text
 * and never runs. Numbers exported as numbers (amounts, probabilities, numeric custom fields) are
 * left alone, negative ones included. Texts that already start with quotes before such a character
 * get one more, so the import below can undo exactly one and give back the original text.
 */
const FORMULA_START = /^'*[=+\-@\t\r＝＋－＠]/;

export function neutraliseCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The inverse on import: `'=x` → `=x`, `''=x` → `'=x`; other text is left as it is. */
export function restoreCell(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text) ? text.slice(1) : text;
}

export type ExportCell = string | number;

/**
 * The export columns of an entity: the record's id, every stored field the entity defines (in the
 * table's column order) and its timestamps; custom fields follow as `custom.<key>`.
 */
export function exportColumns(entity: ImportableEntity): string[] {
  const fields: Record<string, CrmField | undefined> = crmFields[entity];
  return Object.keys(getTableColumns(crmServices[entity].def.table)).filter(
    (k) => k === 'id' || k === 'created_at' || k === 'updated_at' || (k !== 'custom' && fields[k]?.output),
  );
}

/** Flattens records into a table for CSV/Excel export (texts neutralised, numbers kept as numbers). */
export function toTable(
  rows: Record<string, unknown>[],
  columns: readonly string[],
): { headers: string[]; data: ExportCell[][] } {
  const headers = [...columns];
  const customKeys = new Set<string>();
  for (const r of rows) for (const k of Object.keys((r.custom as object) ?? {})) customKeys.add(k);
  const allHeaders = [...headers, ...[...customKeys].map((k) => `custom.${k}`)];
  const cell = (v: unknown): ExportCell =>
    v === null || v === undefined
      ? ''
      : typeof v === 'number' && Number.isFinite(v)
        ? v
        : v instanceof Date
          ? v.toISOString()
          : neutraliseCell(
              Array.isArray(v) ? v.join('; ') : typeof v === 'object' ? JSON.stringify(v) : String(v),
            );
  const data = rows.map((r) => [
    ...headers.map((h) => cell(r[h])),
    ...[...customKeys].map((k) => cell((r.custom as Record<string, unknown>)?.[k])),
  ]);
  return { headers: allHeaders.map(neutraliseCell), data };
}

export async function tableToXlsx(
  table: { headers: string[]; data: ExportCell[][] },
  sheetName: string,
): Promise<Buffer> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  const ws = wb.addWorksheet(sheetName);
  ws.addRow(table.headers);
  ws.getRow(1).font = { bold: true };
  for (const r of table.data) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function tableToCsv(table: { headers: string[]; data: ExportCell[][] }): string {
  // BOM so Excel opens UTF-8 Chinese text correctly.
  return `\uFEFF${Papa.unparse({ fields: table.headers, data: table.data })}`;
}
