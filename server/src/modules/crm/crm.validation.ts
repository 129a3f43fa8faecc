import { createRequire } from 'node:module';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';

// libphonenumber's full metadata (needed to tell 0755-8765432 from 0755-87654321) takes ~150 ms to
// load: on first use, not at every start.
let phoneLib: typeof import('libphonenumber-js/max') | undefined;
const phoneNumbers = () => {
  phoneLib ??= createRequire(import.meta.url)(
    'libphonenumber-js/max',
  ) as typeof import('libphonenumber-js/max');
  return phoneLib;
};

/** The default region phone numbers are read in when they do not start with + (or 00). */
export const DEFAULT_PHONE_REGION: CountryCode = 'CN';

/**
 * The E.164 form of a phone number as people type it (13800138000, 010-12345678, +86 …, 0086 …,
 * +1 650 253 0000; an extension such as "ext. 12" is allowed and dropped), or null if it is not
 * a valid number. Stored records keep the text as typed; this is the canonical form beside it.
 */
export function phoneE164(text: string, region: CountryCode = DEFAULT_PHONE_REGION): string | null {
  const parsed = phoneNumbers().parsePhoneNumberFromString(text.trim(), region);
  return parsed?.isValid() ? parsed.number : null;
}

/** A phone number as typed, checked to be a real number; `allowEmpty`: '' clears the field. */
export const phoneText = (allowEmpty: boolean) =>
  z
    .string()
    .trim()
    .max(50)
    .refine(
      (v) => (allowEmpty && v === '') || phoneE164(v) !== null,
      'not a valid phone number: enter a mobile number such as 13800138000, a landline with its area code such as 010-12345678, or an international number starting with + and the country code',
    );

/** `https://…` / `http://…` as typed; a bare host name (www.example.com) gets https:// in front. */
const SCHEME = /^[a-z][a-z0-9+.-]*:(?!\d)/i;
const HTTP_SCHEME = /^https?:\/\//i;

export function isHttpUrl(v: string): boolean {
  if (!HTTP_SCHEME.test(v) || /[\s\p{Cc}]/u.test(v)) return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && /[.:]|^localhost$/.test(u.hostname);
  } catch {
    return false;
  }
}

export const webAddress = z
  .string()
  .trim()
  .max(300)
  .refine(
    (v) => v === '' || HTTP_SCHEME.test(v) || !SCHEME.test(v),
    'only web addresses starting with http:// or https:// are accepted',
  )
  .transform((v) => (v === '' || HTTP_SCHEME.test(v) ? v : `https://${v}`))
  .refine((v) => v === '' || isHttpUrl(v), 'not a web address: enter one such as https://www.example.com');

/** Unified social credit code (统一社会信用代码): 18 chars, GB 32100-2015 check digit. */
const CREDIT_CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function isValidCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CODE_CHARS.indexOf(code[i]) * CREDIT_CODE_WEIGHTS[i];
  const check = (31 - (sum % 31)) % 31;
  return CREDIT_CODE_CHARS[check] === code[17];
}

/** Completes a 17-character prefix with its check character (used by the demo seed). */
export function withCreditCodeCheckDigit(prefix17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CODE_CHARS.indexOf(prefix17[i]) * CREDIT_CODE_WEIGHTS[i];
  return prefix17 + CREDIT_CODE_CHARS[(31 - (sum % 31)) % 31];
}

export const COMMITTEE_ROLES = [
  'technical',
  'procurement',
  'finance',
  'legal',
  'esg',
  'executive',
  'user',
  'other',
] as const;
export const STANCES = ['champion', 'supporter', 'neutral', 'skeptic', 'blocker'] as const;
export const ACTIVITY_TYPES = ['call', 'meeting', 'email', 'visit', 'note', 'task'] as const;
export const ACTIVITY_STATUSES = ['planned', 'done', 'cancelled'] as const;
export const CURRENCIES = ['CNY', 'USD', 'EUR', 'HKD', 'JPY', 'GBP', 'SGD'] as const;
export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'select', 'multiselect'] as const;
export const CUSTOMIZABLE_ENTITIES = [
  'accounts',
  'contacts',
  'opportunities',
  'activities',
  'products',
] as const;

export const domain = z
  .string()
  .trim()
  .toLowerCase()
  .transform((d) =>
    d
      .replace(/^https?:\/\//, '')
      .replace(/^www\./, '')
      .replace(/\/.*$/, ''),
  )
  .pipe(z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'not a domain name like example.com'));

export const creditCode = z
  .string()
  .trim()
  .toUpperCase()
  .refine(
    isValidCreditCode,
    'not a valid unified social credit code (18 characters with a correct check digit)',
  );

export const strList = (max = 50) => z.array(z.string().trim().min(1).max(200)).max(max);
export const isoDate = z.iso.date('a date as YYYY-MM-DD');
export const customValues = z.record(z.string(), z.unknown());
export const OPPORTUNITY_STATUSES = ['open', 'won', 'lost'] as const;
