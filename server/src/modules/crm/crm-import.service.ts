import { randomUUID } from 'node:crypto';
import { and, eq, inArray, or } from 'drizzle-orm';
import type ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type { z } from 'zod';
import { users } from '../../platform/auth/auth.schema.js';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import { badRequest } from '../../platform/http/problem.js';
import { readableWhere } from '../../platform/sharing/sharing.service.js';
import { accounts } from './crm.schema.js';
import {
  crmServices,
  customFieldsOf,
  defaultPipeline,
  type ImportableEntity,
  type Stage,
} from './crm.service.js';
import {
  accountInput,
  activityInput,
  contactInput,
  opportunityInput,
  productInput,
} from './crm.validation.js';

export interface ParsedFile {
  headers: string[];
  /** Data rows; rowNumbers[i] is the line/row number the user sees in the file (header = 1). */
  rows: string[][];
  rowNumbers: number[];
  format: 'csv' | 'xlsx';
}

export interface RowError {
  row: number;
  field: string;
  reason: string;
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

/** Importable fields per entity; `*_ref` columns are looked up by name/email instead of id. */
export const IMPORT_FIELDS: Record<ImportableEntity, string[]> = {
  accounts: [
    'name',
    'aliases',
    'domains',
    'credit_code',
    'industry',
    'size',
    'employees',
    'owner',
    'tags',
    'website',
    'phone',
    'address',
    'description',
  ],
  contacts: [
    'name',
    'name_en',
    'account',
    'emails',
    'phones',
    'title',
    'department',
    'committee_role',
    'influence',
    'stance',
    'preferences',
    'owner',
    'tags',
  ],
  opportunities: [
    'name',
    'account',
    'stage',
    'amount',
    'currency',
    'expected_close_date',
    'probability',
    'owner',
    'close_reason',
  ],
  activities: [
    'type',
    'subject',
    'body',
    'occurred_at',
    'duration_minutes',
    'status',
    'account',
    'owner',
    'participants',
  ],
  products: ['name', 'sku', 'family', 'unit_price', 'currency', 'active', 'description'],
};

const SYNONYMS: Record<string, string[]> = {
  name: [
    'name',
    'company',
    'company name',
    'account name',
    'full name',
    'contact name',
    'opportunity name',
    'deal name',
    'product name',
    '名称',
    '公司',
    '公司名称',
    '客户名称',
    '企业名称',
    '姓名',
    '联系人',
    '商机名称',
    '机会名称',
    '产品名称',
  ],
  aliases: ['aliases', 'alias', '别名', '简称'],
  domains: ['domains', 'domain', 'website domain', '域名'],
  credit_code: [
    'credit code',
    'credit_code',
    'unified social credit code',
    'uscc',
    '统一社会信用代码',
    '信用代码',
  ],
  industry: ['industry', '行业'],
  size: ['size', 'company size', '规模'],
  employees: ['employees', 'employee count', 'headcount', '员工数', '人数'],
  owner: ['owner', 'owner email', 'account owner', 'sales rep', '负责人', '销售', '所有人', '负责人邮箱'],
  tags: ['tags', 'tag', 'labels', '标签'],
  website: ['website', 'url', 'web', '官网', '网站'],
  phone: ['phone', 'telephone', 'tel', '电话', '联系电话'],
  address: ['address', '地址'],
  description: ['description', 'notes', '描述', '备注', '简介'],
  name_en: ['english name', 'name_en', 'name (en)', '英文名'],
  account: ['account', 'account name', 'company', 'customer', '客户', '所属客户', '公司', '客户名称'],
  emails: ['email', 'emails', 'e-mail', 'mail', '邮箱', '电子邮件'],
  phones: ['phone', 'phones', 'mobile', 'cell', '手机', '电话', '手机号'],
  title: ['title', 'job title', 'position', '职位', '职务', '头衔'],
  department: ['department', 'dept', '部门'],
  committee_role: ['committee role', 'buying role', 'role', '角色', '决策角色'],
  influence: ['influence', '影响力'],
  stance: ['stance', 'attitude', '态度', '立场'],
  preferences: ['preferences', 'cares about', '偏好', '关注点'],
  stage: ['stage', 'deal stage', 'sales stage', '阶段', '销售阶段'],
  amount: ['amount', 'value', 'deal value', 'deal amount', '金额', '商机金额', '合同金额'],
  currency: ['currency', '币种', '货币'],
  expected_close_date: [
    'close date',
    'expected close date',
    'expected_close_date',
    'closing date',
    '预计成交日期',
    '预计签约日期',
    '成交日期',
  ],
  probability: ['probability', 'win probability', '赢率', '概率'],
  close_reason: ['close reason', 'reason', '输赢原因', '关闭原因'],
  type: ['type', 'activity type', '类型', '活动类型'],
  subject: ['subject', 'title', '主题', '标题'],
  body: ['body', 'notes', 'content', '内容', '纪要'],
  occurred_at: ['date', 'time', 'occurred at', 'occurred_at', 'datetime', '时间', '日期', '发生时间'],
  duration_minutes: ['duration', 'duration minutes', 'minutes', '时长', '时长(分钟)'],
  status: ['status', '状态'],
  participants: ['participants', 'attendees', '参与人', '参会人'],
  sku: ['sku', 'product code', 'code', '编码', '产品编码'],
  family: ['family', 'category', 'product family', '产品线', '类别'],
  unit_price: ['unit price', 'price', 'list price', '单价', '价格'],
  active: ['active', 'enabled', '启用', '是否启用'],
};

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
  const fields = [...IMPORT_FIELDS[entity], ...customKeys.map((k) => `custom.${k}`)];
  const mapping: Record<string, string> = {};
  const taken = new Set<string>();
  for (const h of headers) {
    const n = norm(h);
    const exact = fields.find(
      (f) => !taken.has(f) && (norm(f) === n || f === `custom.${n.replaceAll(' ', '_')}`),
    );
    const syn = exact ?? fields.find((f) => !taken.has(f) && (SYNONYMS[f] ?? []).some((s) => norm(s) === n));
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
  errors: { field: string; reason: string }[],
) {
  const out: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  for (const [field, raw] of Object.entries(row)) {
    const v = restoreCell(raw.trim());
    if (v === '') continue;
    if (field.startsWith('custom.')) {
      const key = field.slice(7);
      const type = lk.customTypes.get(key);
      if (type === 'number') custom[key] = Number.isFinite(Number(v)) ? Number(v) : v;
      else if (type === 'boolean')
        custom[key] = /^(true|yes|1|是|y)$/i.test(v) ? true : /^(false|no|0|否|n)$/i.test(v) ? false : v;
      else if (type === 'date') custom[key] = parseUserDate(v) ?? v;
      else if (type === 'multiselect') custom[key] = splitList(v);
      else custom[key] = v;
      continue;
    }
    switch (field) {
      case 'aliases':
      case 'domains':
      case 'tags':
      case 'emails':
      case 'phones':
      case 'preferences':
      case 'participants':
        out[field] = splitList(v);
        break;
      case 'employees':
      case 'influence':
      case 'duration_minutes':
      case 'probability':
        out[field] = /^-?\d+$/.test(v) ? Number(v) : v;
        break;
      case 'amount':
      case 'unit_price': {
        const n = Number(v.replace(/[¥$€,，\s]/g, ''));
        out[field] = Number.isFinite(n) ? n : v;
        break;
      }
      case 'active':
        out[field] = !/^(false|no|0|否|n)$/i.test(v);
        break;
      case 'expected_close_date':
        out[field] = parseUserDate(v) ?? v;
        break;
      case 'occurred_at': {
        const d = parseUserDate(v);
        out[field] = d ? `${d}T09:00:00+08:00` : Number.isNaN(Date.parse(v)) ? v : new Date(v).toISOString();
        break;
      }
      case 'owner': {
        const id = lk.usersByKey.get(v.toLowerCase());
        if (!id) errors.push({ field: 'owner', reason: `no user with email or name "${v}"` });
        else out.owner_id = id;
        break;
      }
      case 'account': {
        const id = lk.accountsByKey.get(v.toLowerCase());
        if (!id) errors.push({ field: 'account', reason: `no account named "${v}"` });
        else out.account_id = id;
        break;
      }
      case 'stage': {
        const s = lk.stages.find(
          (st) => st.key === v || st.name === v || st.name_en?.toLowerCase() === v.toLowerCase(),
        );
        if (!s)
          errors.push({
            field: 'stage',
            reason: `unknown stage "${v}"; one of ${lk.stages.map((x) => x.name).join(', ')}`,
          });
        else out.stage = s.key;
        break;
      }
      case 'committee_role':
      case 'stance':
      case 'type':
      case 'status':
      case 'currency':
        out[field] = field === 'currency' ? v.toUpperCase() : v.toLowerCase();
        break;
      default:
        out[field] = v;
    }
  }
  if (Object.keys(custom).length) out.custom = custom;
  if (
    entity === 'opportunities' &&
    out.account_id === undefined &&
    !errors.some((e) => e.field === 'account')
  ) {
    errors.push({ field: 'account', reason: 'required' });
  }
  return out;
}

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
  const errors: RowError[] = [];
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
    const rowErrors: { field: string; reason: string }[] = [];
    const input = toInput(entity, cells, lk, rowErrors);
    const parsed = schema.safeParse(input);
    if (!parsed.success)
      for (const iss of parsed.error.issues)
        rowErrors.push({ field: iss.path.join('.') || '(row)', reason: iss.message });
    const value = parsed.success ? (parsed.data as Record<string, unknown>) : input;
    if (parsed.success) {
      // Checks the schema cannot make: custom field types, uniqueness in file and tenant.
      for (const [k, v] of Object.entries((value.custom as Record<string, unknown>) ?? {})) {
        const t = lk.customTypes.get(k);
        if (
          (t === 'number' && typeof v !== 'number') ||
          (t === 'boolean' && typeof v !== 'boolean') ||
          (t === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(String(v)))
        ) {
          rowErrors.push({ field: `custom.${k}`, reason: `must be a ${t}` });
        }
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
    else good.push(value);
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

/** Flattens records into a table for CSV/Excel export (texts neutralised, numbers kept as numbers). */
export function toTable(rows: Record<string, unknown>[]): { headers: string[]; data: ExportCell[][] } {
  const headers: string[] = [];
  const customKeys = new Set<string>();
  for (const r of rows.slice(0, 1))
    for (const k of Object.keys(r)) if (k !== 'custom' && k !== 'tenant_id') headers.push(k);
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
