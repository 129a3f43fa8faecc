import Negotiator from 'negotiator';
import { z } from 'zod';
import { zhCNMessages, zhCNTerms } from './messages.zh-CN.js';

/** Languages problem responses are written in; the first is the default. */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

// Negotiator matches a requested "zh-Hans" or "zh-TW" to an offered "zh" by prefix, but not to an
// offered "zh-CN", so Chinese is offered as "zh" and reported as zh-CN.
const OFFERED = ['en', 'zh'];
const LOCALE_OF_OFFER: Record<string, Locale> = { en: 'en', zh: 'zh-CN' };

/** Picks the response language from an Accept-Language header (q-values respected); English when nothing fits. */
export function negotiateLocale(acceptLanguage: string | string[] | undefined): Locale {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage;
  if (!header) return 'en';
  const best = new Negotiator({ headers: { 'accept-language': header } }).language(OFFERED);
  return (best && LOCALE_OF_OFFER[best]) || 'en';
}

interface Catalogue {
  exact: Map<string, string>;
  /** Templates with {n} slots, most literal text first so the most specific one wins. */
  templates: { pattern: RegExp; translation: string }[];
  terms: Record<string, string>;
}

const HAS_SLOT = /\{\d+\}/;

function compileCatalogue(messages: Record<string, string>, terms: Record<string, string>): Catalogue {
  const exact = new Map<string, string>();
  const templates: { pattern: RegExp; translation: string; literalLength: number }[] = [];
  for (const [english, translation] of Object.entries(messages)) {
    if (!HAS_SLOT.test(english)) {
      exact.set(english, translation);
      continue;
    }
    const parts = english.split(/\{\d+\}/);
    const source = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.+?)');
    templates.push({
      pattern: new RegExp(`^${source}$`, 's'),
      translation,
      literalLength: parts.join('').length,
    });
  }
  templates.sort((a, b) => b.literalLength - a.literalLength);
  return { exact, templates, terms };
}

const catalogues: Partial<Record<Locale, Catalogue>> = {
  'zh-CN': compileCatalogue(zhCNMessages, zhCNTerms),
};

/**
 * The text in the locale: an exact catalogue entry, else the first template it fits, with the
 * slot values put back (`{term:n}` slots go through the terms list, `{n}` ones stay verbatim
 * because they are keys and values the caller sent). Unknown text stays English.
 */
export function translate(text: string, locale: Locale): string {
  const catalogue = catalogues[locale];
  if (!catalogue) return text;
  const exact = catalogue.exact.get(text);
  if (exact !== undefined) return exact;
  for (const { pattern, translation } of catalogue.templates) {
    const match = pattern.exec(text);
    if (!match) continue;
    const values = match.slice(1);
    return translation.replace(/\{(term:)?(\d+)\}/g, (_all, term: string | undefined, n: string) => {
      const value = values[Number(n)] ?? '';
      return term ? (catalogue.terms[value] ?? value) : value;
    });
  }
  return text;
}

const zodLocales: Record<Locale, z.core.$ZodConfig> = {
  en: z.locales.en(),
  'zh-CN': z.locales.zhCN(),
};

function renderIssue(issue: z.core.$ZodIssue, locale: Locale): string | undefined {
  // zod's error maps take the raw issue (with its input): the finished issue plus what it dropped.
  const rendered = zodLocales[locale].localeError?.(issue as z.core.$ZodRawIssue);
  return typeof rendered === 'string' ? rendered : (rendered?.message ?? undefined);
}

type Reasons = Record<Locale, string>;
const both = (en: string, zh: string): Reasons => ({ en, 'zh-CN': zh });

const FORMAT_REASONS: Record<string, [string, string]> = {
  email: ['Enter an email address, such as name@example.com', '请填写有效的邮箱地址，如 name@example.com'],
  url: ['Enter a web address starting with https://', '请填写以 https:// 开头的网址'],
  uuid: ['Not a valid id: pick the record from the list', 'ID 无效，请从列表中选择记录'],
  guid: ['Not a valid id: pick the record from the list', 'ID 无效，请从列表中选择记录'],
  date: ['Enter a date, such as 2026-03-01', '请填写日期，如 2026-03-01'],
  datetime: ['Enter a date and time, such as 2026-03-01 09:30', '请填写日期时间，如 2026-03-01 09:30'],
  time: ['Enter a time, such as 09:30', '请填写时间，如 09:30'],
};

/** What a value of the expected type is, in words a form user knows. */
const TYPE_REASONS: Record<string, [string, string]> = {
  number: ['Enter a number', '请填写数字'],
  int: ['Enter a whole number', '请填写整数'],
  bigint: ['Enter a whole number', '请填写整数'],
  string: ['Enter text', '请填写文字'],
  boolean: ['Choose yes or no', '请选择“是”或“否”'],
  array: ['Choose one or more values', '请选择一个或多个值'],
  object: ['Fill in the details', '请填写完整信息'],
  date: ['Enter a date, such as 2026-03-01', '请填写日期，如 2026-03-01'],
};

const listOf = (values: readonly unknown[], sep: string) => values.map(String).join(sep);

/**
 * zod's built-in issues in plain business words, saying what to enter: 「必填」, 「请填写数字」,
 * 「不能小于 0」, 「请填写有效的邮箱地址」 — never 「无效输入：期望 string，实际接收 undefined」.
 * Undefined for issue kinds without a better sentence (zod's own locale renders those).
 */
function businessReasons(issue: z.core.$ZodIssue & { input?: unknown }): Reasons | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined || issue.input === null || issue.input === '')
        return both('Required', '必填');
      const known = TYPE_REASONS[issue.expected];
      return known ? both(...known) : undefined;
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string')
        return min <= 1
          ? both('Required', '必填')
          : both(`Enter at least ${min} characters`, `至少填写 ${min} 个字符`);
      if (issue.origin === 'array' || issue.origin === 'set')
        return both(`Choose at least ${min}`, `至少选择 ${min} 项`);
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint')
        return issue.inclusive === false
          ? both(`Enter a number greater than ${min}`, `请填写大于 ${min} 的数`)
          : both(`Enter ${min} or more`, `不能小于 ${min}`);
      if (issue.origin === 'date') return both('The date is too early', '日期太早');
      return undefined;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return both(`At most ${max} characters`, `最多 ${max} 个字符`);
      if (issue.origin === 'array' || issue.origin === 'set')
        return both(`Choose at most ${max}`, `最多选择 ${max} 项`);
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint')
        return issue.inclusive === false
          ? both(`Enter a number less than ${max}`, `请填写小于 ${max} 的数`)
          : both(`Enter ${max} or less`, `不能大于 ${max}`);
      if (issue.origin === 'date') return both('The date is too late', '日期太晚');
      return undefined;
    }
    case 'invalid_format': {
      const known = FORMAT_REASONS[issue.format];
      if (known) return both(...known);
      return both('Not in the expected format', '格式不正确');
    }
    case 'invalid_value':
      if (issue.values.length === 1)
        return both(`Must be ${String(issue.values[0])}`, `只能是 ${String(issue.values[0])}`);
      return both(
        `Choose one of: ${listOf(issue.values, ', ')}`,
        `请选择以下之一：${listOf(issue.values, '、')}`,
      );
    case 'not_multiple_of':
      return both(`Enter a multiple of ${issue.divisor}`, `请填写 ${issue.divisor} 的整数倍`);
    case 'unrecognized_keys':
      return both(`Unknown field: ${issue.keys.join(', ')}`, `无法识别的字段：${issue.keys.join('、')}`);
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
      return both('Not a valid value', '填写的值无效');
    default:
      return undefined;
  }
}

/**
 * The reason for one zod issue in every locale. zod's built-in messages become plain business
 * words saying what to enter (kinds without one are rendered by zod's own locale, from the raw
 * issue, which needs the issue's `input`: call this while it is still there); a message a schema
 * set itself is our own English text and goes through the catalogue instead.
 */
export function zodIssueReasons(issue: z.core.$ZodIssue): Record<Locale, string> {
  const builtIn = renderIssue(issue, 'en') === issue.message;
  if (builtIn) {
    const business = businessReasons(issue);
    if (business) return business;
  }
  const reasons = {} as Record<Locale, string>;
  for (const locale of LOCALES) {
    reasons[locale] = (builtIn && renderIssue(issue, locale)) || translate(issue.message, locale);
  }
  return reasons;
}
