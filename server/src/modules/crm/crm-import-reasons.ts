import { z } from 'zod';
import { LOCALES, type Locale, translate } from '../../platform/http/locale.js';
import type { CrmField } from './crm.fields.js';

/**
 * Why an imported cell was refused, in business words in every locale: 「必填」, 「金额必须是数字」,
 * 「不是有效的邮箱地址」 — never zod's "Invalid input: expected string, received undefined". A message
 * a field's schema sets itself (a phone number's, a web address's) is our own English text and goes
 * through the message catalogue; zod's built-in ones are replaced by the field's label and the kind
 * of check that failed.
 */
export interface ImportReason {
  reason: string;
  reasons: Record<Locale, string>;
}

const zodEnglish = z.locales.en();

/** Whether zod wrote the issue's message (true) or the schema set its own. */
function builtIn(issue: z.core.$ZodIssue): boolean {
  // zod's error maps take the raw issue: the finished issue is one with its input still attached.
  const rendered = zodEnglish.localeError?.(issue as z.core.$ZodRawIssue);
  return (typeof rendered === 'string' ? rendered : rendered?.message) === issue.message;
}

const both = (en: string, zh: string): ImportReason => ({ reason: en, reasons: { en, 'zh-CN': zh } });

/** Our own English text, with its catalogue translation in every locale. */
export function catalogued(text: string): ImportReason {
  const reasons = {} as Record<Locale, string>;
  for (const locale of LOCALES) reasons[locale] = translate(text, locale);
  return { reason: text, reasons };
}

const FORMATS: Record<string, [string, string]> = {
  email: ['not a valid email address', '不是有效的邮箱地址'],
  uuid: ['not a valid id', '不是有效的 ID'],
  date: ['not a valid date: enter one such as 2026-03-01', '不是有效的日期，请填写如 2026-03-01 的日期'],
  datetime: [
    'not a valid date and time: enter one such as 2026-03-01 09:30',
    '不是有效的日期时间，请填写如 2026-03-01 09:30 的时间',
  ],
};

/** The business reason for one zod issue of an imported row's field. */
export function issueReason(issue: z.core.$ZodIssue, field: CrmField | undefined): ImportReason {
  // A date, time, email or id that is not one says so in the same words whatever the schema says.
  const format = issue.code === 'invalid_format' ? FORMATS[issue.format] : undefined;
  if (format) return both(...format);
  if (!builtIn(issue)) return catalogued(issue.message);
  const label = field?.label ?? {
    en: String(issue.path[0] ?? 'value'),
    'zh-CN': String(issue.path[0] ?? '值'),
  };
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return both('required', '必填');
      if (issue.expected === 'number')
        return both(`${label.en} must be a number`, `${label['zh-CN']}必须是数字`);
      if (issue.expected === 'int')
        return both(`${label.en} must be a whole number`, `${label['zh-CN']}必须是整数`);
      if (issue.expected === 'boolean') return both('must be yes or no', '必须填写“是”或“否”');
      break;
    case 'invalid_value':
      return both(
        `must be one of: ${issue.values.map(String).join(', ')}`,
        `必须是以下之一：${issue.values.map(String).join('、')}`,
      );
    case 'invalid_format':
      return both('not in a valid format', '格式不正确');
    case 'too_small':
      if (issue.origin === 'string') return both('required', '必填');
      if (issue.origin === 'array')
        return both(`needs at least ${issue.minimum} entries`, `至少需要 ${issue.minimum} 项`);
      return both(
        `${label.en} must be at least ${issue.minimum}`,
        `${label['zh-CN']}不能小于 ${issue.minimum}`,
      );
    case 'too_big':
      if (issue.origin === 'string')
        return both(`at most ${issue.maximum} characters`, `最多 ${issue.maximum} 个字符`);
      if (issue.origin === 'array')
        return both(`at most ${issue.maximum} entries`, `最多 ${issue.maximum} 项`);
      return both(
        `${label.en} must be at most ${issue.maximum}`,
        `${label['zh-CN']}不能大于 ${issue.maximum}`,
      );
  }
  return both(`${label.en} is not valid`, `${label['zh-CN']}无效`);
}

const DUPLICATE_REASONS: Record<string, [string, string]> = {
  credit_code: ['credit code', '信用代码相同'],
  domain: ['domain', '域名相同'],
  name: ['name', '名称相同'],
  email: ['email', '邮箱相同'],
  phone: ['phone', '电话相同'],
};

/**
 * The warning on an imported row that looks like an existing record or an earlier row of the file
 * (the row is still imported): 「可能与「华强电子」重复（名称相同）」.
 */
export function duplicateWarning(hit: { name: string; reason: string; row?: number }): ImportReason {
  const [en, zh] = DUPLICATE_REASONS[hit.reason] ?? [hit.reason, hit.reason];
  return hit.row === undefined
    ? both(`possible duplicate of ${hit.name} (${en})`, `可能与「${hit.name}」重复（${zh}）`)
    : both(
        `possible duplicate of ${hit.name} (${en}, row ${hit.row})`,
        `可能与第 ${hit.row} 行「${hit.name}」重复（${zh}）`,
      );
}

type Reasoned = { reason: string; reasons?: Record<Locale, string> };
const localised = <E extends Reasoned>(list: E[], locale: Locale): E[] =>
  list.map(({ reasons, ...e }) => ({ ...e, reason: reasons?.[locale] ?? translate(e.reason, locale) }) as E);

/** An import result as the caller reads it: every row reason (and warning) in their language. */
export function inLocale<R extends { errors: Reasoned[]; warnings?: Reasoned[] }>(
  result: R,
  locale: Locale,
): R {
  return {
    ...result,
    errors: localised(result.errors, locale),
    ...(result.warnings ? { warnings: localised(result.warnings, locale) } : {}),
  };
}
