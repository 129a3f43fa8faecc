import jsonLogic, { type RulesLogic } from 'json-logic-js';
import jsonata from 'jsonata';
import { z } from 'zod';
import { LOCALES, type Locale, translate, zodIssueReasons } from '../../platform/http/locale.js';
import { type CrmField, crmFields } from '../crm/crm.fields.js';
import { IMPORT_SIGNAL_FIELDS, SUBJECT_FIELDS } from '../signals/signal-import.service.js';
import { signalInput } from '../signals/signals.service.js';

/**
 * The mapping engine, free of the database: the target field lists (from their owners: the
 * signal ingest's fields, the CRM's field definitions), evaluating `{ target_field: jsonata }` on a
 * payload into a record, checking it against the target's own validation, and the JsonLogic
 * trigger. Every problem is reported at the field it belongs to, in English and zh-CN.
 */

export const CRM_TARGETS = ['accounts', 'contacts', 'opportunities', 'activities'] as const;
export const TARGETS = ['signal', ...CRM_TARGETS] as const;
export type Target = (typeof TARGETS)[number];
export type CrmTarget = (typeof CRM_TARGETS)[number];
export const isCrmTarget = (t: string): t is CrmTarget => (CRM_TARGETS as readonly string[]).includes(t);

export interface TargetField {
  key: string;
  label: Record<Locale, string>;
  required: boolean;
  /** A group shown together (signal subject fields: at least one of them). */
  group?: string;
  /** Free keys below this field (`payload.<key>`). */
  open?: boolean;
}

/** One problem of a mapping, at its field; `reasons` holds the text in every locale. */
export interface MappingError {
  field: string;
  kind: 'syntax' | 'evaluation' | 'invalid' | 'required' | 'unknown_field' | 'trigger';
  reason: string;
  reasons: Record<Locale, string>;
}

const label = (en: string, zh: string): Record<Locale, string> => ({ en, 'zh-CN': zh });

const SIGNAL_LABELS: Record<(typeof IMPORT_SIGNAL_FIELDS)[number], Record<Locale, string>> = {
  type: label('Signal type', '信号类型'),
  source: label('Source (default: the webhook source)', '来源（默认为推送来源）'),
  occurred_at: label('Occurred at', '发生时间'),
  account_id: label('Account ID', '客户 ID'),
  contact_id: label('Contact ID', '联系人 ID'),
  opportunity_id: label('Opportunity ID', '商机 ID'),
  domain: label('Company domain', '公司域名'),
  email: label('Email', '邮箱'),
  credit_code: label('Unified social credit code', '统一社会信用代码'),
  company_name: label('Company name', '公司名称'),
  strength: label('Strength (0–1)', '信号强度（0–1）'),
  idempotency_key: label('Idempotency key', '幂等键'),
  source_event_id: label('Source event ID', '来源事件编号'),
  payload: label('Payload (an object)', '信号内容（对象）'),
};

/** The fields a mapping onto the target may set, from the target's owner. */
export function targetFields(target: Target): TargetField[] {
  if (target === 'signal') {
    return IMPORT_SIGNAL_FIELDS.map((key) => ({
      key,
      label: SIGNAL_LABELS[key],
      required: key === 'type' || key === 'occurred_at',
      group: (SUBJECT_FIELDS as readonly string[]).includes(key) ? 'subject' : undefined,
      open: key === 'payload' ? true : undefined,
    }));
  }
  const specs: Record<string, CrmField> = crmFields[target];
  return Object.entries(specs)
    .filter(([, spec]) => spec.input)
    .map(([key, spec]) => ({
      key,
      label: spec.label ?? label(key, key),
      required: !spec.input?.safeParse(undefined).success,
    }));
}

function fieldAllowed(target: Target, fields: TargetField[], key: string): boolean {
  if (fields.some((f) => f.key === key)) return true;
  return target === 'signal' && /^payload\.[A-Za-z_][A-Za-z0-9_]*$/.test(key);
}

function inLocales(english: string, ...values: string[]): Record<Locale, string> {
  const out = {} as Record<Locale, string>;
  for (const locale of LOCALES) {
    out[locale] = translate(english, locale).replace(
      /\{(\d+)\}/g,
      (_all, n: string) => values[Number(n)] ?? '',
    );
  }
  return out;
}

/** An error whose English text is a catalogue template (`{0}` slots filled with `values`). */
function fieldError(
  field: string,
  kind: MappingError['kind'],
  template: string,
  ...values: string[]
): MappingError {
  const reasons = inLocales(template, ...values);
  return { field, kind, reason: reasons.en, reasons };
}

// The English templates (translated in messages-mappings.zh-CN.ts); named here so the scan finds them.
const T = {
  syntax: 'The expression cannot be read near character {0}: {1}',
  evaluation: 'The expression failed on this payload: {0}',
  tooSlow: 'The expression took too long or nested too deeply',
  required: 'Required: map a value to this field',
  subject:
    'Map at least one of account ID, contact ID, opportunity ID, domain, email, credit code or company name',
  unknown: 'Not a field of this target',
  trigger: 'The trigger condition is not valid JsonLogic: {0}',
  notObject: 'Must be an object (e.g. {"key": value})',
  unknownType: 'Unknown signal type {0}',
} as const;

/** Localises a zod issue of the target's own validation (zod's own zh-CN/en texts). */
function zodError(field: string, issue: z.core.$ZodIssue): MappingError {
  const reasons = zodIssueReasons(issue) as Record<Locale, string>;
  return { field, kind: 'invalid', reason: reasons.en, reasons };
}

const MAX_MS = 250;
const MAX_DEPTH = 300;

/** Evaluates one jsonata expression with a time box and depth limit; undefined when it yields nothing. */
async function evaluateExpression(expression: jsonata.Expression, input: unknown): Promise<unknown> {
  const started = Date.now();
  let depth = 0;
  // jsonata's documented entry/exit hooks (bound under Symbol.for keys in jsonata 2).
  Reflect.apply(expression.assign, expression, [
    Symbol.for('jsonata.__evaluate_entry'),
    () => {
      depth++;
      if (depth > MAX_DEPTH || Date.now() - started > MAX_MS) throw new TooSlow();
    },
  ]);
  Reflect.apply(expression.assign, expression, [
    Symbol.for('jsonata.__evaluate_exit'),
    () => {
      depth--;
    },
  ]);
  const value = await expression.evaluate(input);
  // Sequences and frozen arrays → plain JSON (dates stay ISO strings, functions drop out).
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value) ?? 'null');
}

class TooSlow extends Error {}

const errorProp = (err: unknown, key: string): string | undefined => {
  const v = err !== null && typeof err === 'object' ? Reflect.get(err, key) : undefined;
  return v === undefined || v === null ? undefined : String(v);
};
const errorMessage = (err: unknown): string => errorProp(err, 'message') ?? String(err);
const errorPosition = (err: unknown): string => errorProp(err, 'position') ?? '?';

/** jsonata's most common messages in Chinese, by error code ({token} / {value} from the error). */
const JSONATA_ZH: Record<string, string> = {
  S0101: '字符串缺少结束引号',
  S0102: '数字超出范围：{token}',
  S0201: '语法错误：{token}',
  S0202: '这里应为 {value}，实际是 {token}',
  S0203: '表达式结尾前缺少 {value}',
  S0204: '未知的运算符：{token}',
  S0211: '符号 {token} 不能用作一元运算符',
  T0410: '函数 {token} 的第 {index} 个参数类型不符',
  T1003: '对象的键必须是文本，实际为：{value}',
  T1005: '调用的不是函数，函数名前是否漏了 $（{token}）？',
  T1006: '调用的不是函数',
  T2001: '运算符 {token} 左边必须是数字',
  T2002: '运算符 {token} 右边必须是数字',
};

/** A jsonata error in every locale: our sentence around jsonata's own message (in Chinese where known). */
function jsonataError(field: string, kind: 'syntax' | 'evaluation', err: unknown): MappingError {
  const english = kind === 'syntax' ? T.syntax : T.evaluation;
  const message = errorMessage(err);
  const reasons =
    kind === 'syntax' ? inLocales(english, errorPosition(err), message) : inLocales(english, message);
  const code = errorProp(err, 'code');
  const zh = code ? JSONATA_ZH[code] : undefined;
  if (zh) {
    const detail = zh.replace(/\{(token|value|index)\}/g, (_all, k: string) => errorProp(err, k) ?? '');
    reasons['zh-CN'] =
      kind === 'syntax'
        ? inLocales(english, errorPosition(err), detail)['zh-CN']
        : inLocales(english, detail)['zh-CN'];
  }
  return { field, kind, reason: reasons.en, reasons };
}

export interface MappingSpec {
  target: Target;
  fields: Record<string, string>;
  trigger?: unknown;
}

export interface EvaluateResult {
  /** The record as the target receives it (signals: subject and payload nested). */
  record: Record<string, unknown>;
  /** Each mapped field's own value, for the preview next to its input. */
  values: Record<string, unknown>;
  errors: MappingError[];
  /** null: no condition (always runs). */
  trigger: { passes: boolean | null; error: MappingError | null };
}

/** Evaluates the trigger on the payload: null when there is none; a bad condition is an error, never a pass. */
export function evaluateTrigger(trigger: unknown, payload: unknown): EvaluateResult['trigger'] {
  if (trigger === null || trigger === undefined) return { passes: null, error: null };
  if (typeof trigger !== 'object' || Array.isArray(trigger))
    return { passes: false, error: fieldError('trigger', 'trigger', T.trigger, 'not an object') };
  try {
    return { passes: Boolean(jsonLogic.apply(trigger as RulesLogic, payload)), error: null };
  } catch (err) {
    return { passes: false, error: fieldError('trigger', 'trigger', T.trigger, errorMessage(err)) };
  }
}

/**
 * Maps a payload: every non-empty expression is compiled and evaluated; a syntax or evaluation
 * error is reported at its field. The record is then checked with the target's own validation
 * (the signal ingest's input schema, the CRM field's input schema) and each issue reported at the
 * field it comes from. `payloadSchema` (signals) checks the payload against the signal type's schema.
 */
export async function evaluateMapping(
  spec: MappingSpec,
  payload: unknown,
  opts: { payloadSchema?: (type: string) => z.ZodObject | undefined | null; defaultSource?: string } = {},
): Promise<EvaluateResult> {
  const fields = targetFields(spec.target);
  const errors: MappingError[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(spec.fields)) {
    const source = raw.trim();
    if (!source) continue;
    if (!fieldAllowed(spec.target, fields, key)) {
      errors.push(fieldError(key, 'unknown_field', T.unknown));
      continue;
    }
    let expression: jsonata.Expression;
    try {
      expression = jsonata(source);
    } catch (err) {
      errors.push(jsonataError(key, 'syntax', err));
      continue;
    }
    try {
      const value = await evaluateExpression(expression, payload);
      if (value !== undefined) values[key] = value;
    } catch (err) {
      if (err instanceof TooSlow) errors.push(fieldError(key, 'evaluation', T.tooSlow));
      else errors.push(jsonataError(key, 'evaluation', err));
    }
  }
  const failed = new Set(errors.map((e) => e.field));
  const record =
    spec.target === 'signal'
      ? checkSignal(values, failed, errors, opts)
      : checkCrm(spec.target, fields, values, failed, errors);
  return { record, values, errors, trigger: evaluateTrigger(spec.trigger, payload) };
}

function checkSignal(
  values: Record<string, unknown>,
  failed: Set<string>,
  errors: MappingError[],
  opts: { payloadSchema?: (type: string) => z.ZodObject | undefined | null; defaultSource?: string },
): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  const subject: Record<string, unknown> = {};
  let payload: Record<string, unknown> = {};
  if (values.payload !== undefined) {
    if (values.payload && typeof values.payload === 'object' && !Array.isArray(values.payload))
      payload = { ...(values.payload as Record<string, unknown>) };
    else errors.push(fieldError('payload', 'invalid', T.notObject));
  }
  for (const [key, value] of Object.entries(values)) {
    if (key === 'payload') continue;
    if (key.startsWith('payload.')) payload[key.slice(8)] = value;
    else if ((SUBJECT_FIELDS as readonly string[]).includes(key))
      subject[key] = typeof value === 'number' ? String(value) : value;
    else record[key] = value;
  }
  if (record.source === undefined && opts.defaultSource) record.source = opts.defaultSource;
  record.subject = subject;
  record.payload = payload;
  const parsed = signalInput.safeParse(record, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [head, next] = issue.path.map(String);
      const field =
        head === 'subject' ? (next ?? '(subject)') : head === 'payload' && next ? `payload.${next}` : head;
      if (!field || failed.has(field)) continue;
      if (field === '(subject)') errors.push(fieldError('(subject)', 'required', T.subject));
      else if (issue.code === 'invalid_type' && values[field] === undefined && record[field] === undefined)
        errors.push(fieldError(field, 'required', T.required));
      else errors.push(zodError(field, issue));
    }
    return record;
  }
  if (opts.payloadSchema && !failed.has('type')) {
    const schema = opts.payloadSchema(parsed.data.type);
    if (!schema) errors.push(fieldError('type', 'invalid', T.unknownType, parsed.data.type));
    else {
      const p = schema.safeParse(payload, { reportInput: true });
      if (!p.success)
        for (const issue of p.error.issues) {
          const key = issue.path.length ? `payload.${String(issue.path[0])}` : 'payload';
          const field = values[key] !== undefined ? key : 'payload';
          errors.push(
            issue.code === 'invalid_type' && issue.path.length && payload[String(issue.path[0])] === undefined
              ? fieldError(key, 'required', T.required)
              : zodError(field, issue),
          );
        }
    }
  }
  return record;
}

function checkCrm(
  target: CrmTarget,
  fields: TargetField[],
  values: Record<string, unknown>,
  failed: Set<string>,
  errors: MappingError[],
): Record<string, unknown> {
  const specs: Record<string, CrmField> = crmFields[target];
  const record: Record<string, unknown> = {};
  for (const f of fields) {
    const schema = specs[f.key]?.input;
    if (!schema || failed.has(f.key)) continue;
    const value = values[f.key];
    if (value === undefined) {
      if (f.required) errors.push(fieldError(f.key, 'required', T.required));
      continue;
    }
    const parsed = schema.safeParse(value, { reportInput: true });
    if (parsed.success) record[f.key] = parsed.data;
    else {
      record[f.key] = value;
      for (const issue of parsed.error.issues) errors.push(zodError(f.key, issue));
    }
  }
  return record;
}

/** Field errors a write path answered with (ProblemError.errors) as mapping errors, localised. */
export function writeErrors(
  errs: { field: string; reason: string; reasons?: Partial<Record<Locale, string>> }[],
  fallbackField = '(record)',
): MappingError[] {
  return errs.map((e) => {
    const reasons = {} as Record<Locale, string>;
    for (const l of LOCALES) reasons[l] = e.reasons?.[l] ?? translate(e.reason, l);
    return { field: e.field || fallbackField, kind: 'invalid', reason: reasons.en, reasons };
  });
}

/** A message (a detail without field errors) as a mapping error at a pseudo-field. */
export function messageError(field: string, english: string): MappingError {
  const reasons = inLocales(english);
  return { field, kind: 'invalid', reason: reasons.en, reasons };
}

/** A mapping as the API takes it (preview of a given mapping). */
export const mappingSpecSchema = z.object({
  target: z.enum(TARGETS),
  fields: z.record(z.string().min(1).max(200), z.string().max(4000)),
  trigger: z.record(z.string(), z.unknown()).nullable().optional(),
});
