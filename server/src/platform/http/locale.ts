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

/**
 * The reason for one zod issue in every locale. zod's built-in messages are rendered again with
 * each locale from the raw issue (which needs the issue's `input`, so call this while it is still
 * there, before the input is dropped); a message a schema set itself is our own English text and
 * goes through the catalogue instead.
 */
export function zodIssueReasons(issue: z.core.$ZodIssue): Record<Locale, string> {
  const builtIn = renderIssue(issue, 'en') === issue.message;
  const reasons = {} as Record<Locale, string>;
  for (const locale of LOCALES) {
    reasons[locale] = (builtIn && renderIssue(issue, locale)) || translate(issue.message, locale);
  }
  return reasons;
}
