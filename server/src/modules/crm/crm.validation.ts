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
const phoneText = (allowEmpty: boolean) =>
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

const domain = z
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

const creditCode = z
  .string()
  .trim()
  .toUpperCase()
  .refine(
    isValidCreditCode,
    'not a valid unified social credit code (18 characters with a correct check digit)',
  );

const strList = (max = 50) => z.array(z.string().trim().min(1).max(200)).max(max);
const isoDate = z.iso.date('a date as YYYY-MM-DD');
const customValues = z.record(z.string(), z.unknown());

export const accountInput = z.object({
  name: z.string().trim().min(1, 'required').max(300),
  aliases: strList().optional(),
  domains: z.array(domain).max(20).optional(),
  credit_code: creditCode.nullable().optional(),
  industry: z.string().trim().max(100).nullable().optional(),
  region_id: z.uuid().nullable().optional(),
  size: z.string().trim().max(50).nullable().optional(),
  employees: z.number().int().min(0).nullable().optional(),
  owner_id: z.uuid().nullable().optional(),
  tags: strList().optional(),
  website: webAddress.nullable().optional(),
  phone: phoneText(true).nullable().optional(),
  address: z.string().trim().max(500).nullable().optional(),
  description: z.string().max(10_000).nullable().optional(),
  custom: customValues.optional(),
});

export const contactInput = z.object({
  name: z.string().trim().min(1, 'required').max(200),
  name_en: z.string().trim().max(200).nullable().optional(),
  account_id: z.uuid().nullable().optional(),
  emails: z.array(z.email('not an email address').trim().toLowerCase()).max(10).optional(),
  phones: z.array(phoneText(false)).max(10).optional(),
  title: z.string().trim().max(200).nullable().optional(),
  department: z.string().trim().max(200).nullable().optional(),
  committee_role: z.enum(COMMITTEE_ROLES).nullable().optional(),
  influence: z.number().int().min(1).max(5).nullable().optional(),
  stance: z.enum(STANCES).nullable().optional(),
  preferences: strList().optional(),
  owner_id: z.uuid().nullable().optional(),
  tags: strList().optional(),
  custom: customValues.optional(),
});

export const opportunityInput = z.object({
  name: z.string().trim().min(1, 'required').max(300),
  account_id: z.uuid('must be an account id'),
  pipeline_id: z.uuid().optional().describe('Defaults to the tenant default pipeline'),
  stage: z.string().trim().min(1).optional().describe('Stage key; defaults to the first stage'),
  amount: z.number().min(0, 'must not be negative').max(1e15),
  currency: z.enum(CURRENCIES).optional(),
  expected_close_date: isoDate,
  probability: z.number().int().min(0).max(100).optional().describe('Defaults to the stage probability'),
  owner_id: z.uuid().nullable().optional(),
  team_id: z.uuid().nullable().optional(),
  region_id: z.uuid().nullable().optional(),
  product_ids: z.array(z.uuid()).max(100).optional(),
  close_reason: z.string().trim().max(1000).nullable().optional(),
  custom: customValues.optional(),
});

export const activityInput = z.object({
  type: z.enum(ACTIVITY_TYPES),
  subject: z.string().trim().min(1, 'required').max(300),
  body: z.string().max(100_000).nullable().optional(),
  occurred_at: z.iso.datetime({ offset: true, message: 'an ISO date-time, e.g. 2026-03-01T09:30:00+08:00' }),
  duration_minutes: z.number().int().min(0).max(100_000).nullable().optional(),
  status: z.enum(ACTIVITY_STATUSES).optional(),
  account_id: z.uuid().nullable().optional(),
  opportunity_id: z.uuid().nullable().optional(),
  contact_ids: z.array(z.uuid()).max(100).optional(),
  owner_id: z.uuid().nullable().optional(),
  participants: strList(100).optional(),
  custom: customValues.optional(),
});

export const productInput = z.object({
  name: z.string().trim().min(1, 'required').max(300),
  sku: z.string().trim().max(100).nullable().optional(),
  family: z.string().trim().max(100).nullable().optional(),
  unit_price: z.number().min(0).nullable().optional(),
  currency: z.enum(CURRENCIES).optional(),
  active: z.boolean().optional(),
  description: z.string().max(10_000).nullable().optional(),
  custom: customValues.optional(),
});

export const stageInput = z.object({
  key: z
    .string()
    .trim()
    .regex(/^[a-z0-9_]{1,40}$/, 'lowercase letters, digits and _'),
  name: z.string().trim().min(1).max(100),
  name_en: z.string().trim().max(100).optional(),
  probability: z.number().int().min(0).max(100),
  kind: z.enum(['open', 'won', 'lost']),
});

export const pipelineInput = z.object({
  name: z.string().trim().min(1).max(200),
  is_default: z.boolean().optional(),
  stages: z
    .array(stageInput)
    .min(2, 'a pipeline needs at least two stages')
    .max(30)
    .refine((s) => new Set(s.map((x) => x.key)).size === s.length, 'stage keys must be unique')
    .refine(
      (s) => s.some((x) => x.kind === 'won') && s.some((x) => x.kind === 'lost'),
      'needs a won and a lost stage',
    ),
});

export const customFieldInput = z.object({
  entity: z.enum(CUSTOMIZABLE_ENTITIES),
  key: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, 'lowercase letters, digits and _, starting with a letter'),
  label: z.string().trim().min(1).max(100),
  label_en: z.string().trim().max(100).nullable().optional(),
  type: z.enum(CUSTOM_FIELD_TYPES),
  options: strList(200).optional(),
  required: z.boolean().optional(),
});

export const regionInput = z.object({
  name: z.string().trim().min(1).max(100),
  code: z.string().trim().max(20).nullable().optional(),
  parent_id: z.uuid().nullable().optional(),
});

export const teamInput = z.object({
  name: z.string().trim().min(1).max(100),
  region_id: z.uuid().nullable().optional(),
  leader_id: z.uuid().nullable().optional(),
});
