import type { ApiBody, ApiQuery, Known } from './api-types';
import { ACTIVITY_STATUSES, ACTIVITY_TYPES, ALL_COMMITTEE_ROLES, CURRENCIES, STANCES } from './types';

export type FieldType =
  | 'text'
  | 'textarea'
  | 'number'
  | 'money'
  | 'date'
  | 'datetime'
  | 'enum'
  | 'list'
  | 'account'
  | 'user'
  | 'region'
  | 'team'
  | 'pipeline'
  | 'stage'
  | 'opportunity';

export interface FieldDef {
  name: string;
  type: FieldType;
  required?: boolean;
  /** enum values; labels are t(`${optionsNs}.${value}`) */
  options?: readonly string[];
  optionsNs?: string;
  /** shown in the create form (false = edit only) */
  create?: boolean;
  /** can be set on many rows at once */
  bulk?: boolean;
}

export type Entity = 'accounts' | 'contacts' | 'opportunities' | 'activities';

/** What POST /api/v1/<entity> takes, from the generated API types: form fields must be its fields. */
type BodyOf = {
  accounts: ApiBody<'/accounts', 'post'>;
  contacts: ApiBody<'/contacts', 'post'>;
  opportunities: ApiBody<'/opportunities', 'post'>;
  activities: ApiBody<'/activities', 'post'>;
};
/** The list's query parameters (its filters among them), from the generated API types. */
export type ListQueryOf = {
  accounts: Known<ApiQuery<'/accounts'>>;
  contacts: Known<ApiQuery<'/contacts'>>;
  opportunities: Known<ApiQuery<'/opportunities'>>;
  activities: Known<ApiQuery<'/activities'>>;
};

/** An entity's form fields, each named as the API names it (a field the server drops fails to compile). */
const formOf = <E extends Entity>(_entity: E, defs: (FieldDef & { name: keyof BodyOf[E] & string })[]) =>
  defs;
export const SINGULAR: Record<string, string> = {
  accounts: 'account',
  contacts: 'contact',
  opportunities: 'opportunity',
  activities: 'activity',
  products: 'product',
};

/**
 * The one web-side definition of each entity's fields: how the form edits them, which can be set
 * in bulk, and (listConfig's `fieldFilter`) how a list filters by them.
 */
export const FORM_FIELDS: Record<Entity, FieldDef[]> = {
  accounts: formOf('accounts', [
    { name: 'name', type: 'text', required: true },
    { name: 'credit_code', type: 'text' },
    { name: 'industry', type: 'text', bulk: true },
    { name: 'region_id', type: 'region', bulk: true },
    { name: 'owner_id', type: 'user', bulk: true },
    { name: 'size', type: 'text' },
    { name: 'employees', type: 'number' },
    { name: 'domains', type: 'list' },
    { name: 'website', type: 'text' },
    { name: 'phone', type: 'text' },
    { name: 'address', type: 'text' },
    { name: 'tags', type: 'list', bulk: true },
    { name: 'description', type: 'textarea' },
  ]),
  contacts: formOf('contacts', [
    { name: 'name', type: 'text', required: true },
    { name: 'name_en', type: 'text' },
    { name: 'account_id', type: 'account' },
    { name: 'title', type: 'text' },
    { name: 'department', type: 'text' },
    {
      name: 'committee_role',
      type: 'enum',
      options: ALL_COMMITTEE_ROLES,
      optionsNs: 'committee',
      bulk: true,
    },
    { name: 'stance', type: 'enum', options: STANCES, optionsNs: 'stance', bulk: true },
    { name: 'influence', type: 'number' },
    { name: 'emails', type: 'list' },
    { name: 'phones', type: 'list' },
    { name: 'owner_id', type: 'user', bulk: true },
    { name: 'tags', type: 'list', bulk: true },
  ]),
  opportunities: formOf('opportunities', [
    { name: 'name', type: 'text', required: true },
    { name: 'account_id', type: 'account', required: true },
    { name: 'pipeline_id', type: 'pipeline' },
    { name: 'stage', type: 'stage', bulk: true },
    { name: 'amount', type: 'money', required: true },
    { name: 'currency', type: 'enum', options: CURRENCIES, bulk: true },
    { name: 'expected_close_date', type: 'date', required: true, bulk: true },
    { name: 'probability', type: 'number' },
    { name: 'owner_id', type: 'user', bulk: true },
    { name: 'team_id', type: 'team', bulk: true },
    { name: 'region_id', type: 'region', bulk: true },
    { name: 'close_reason', type: 'textarea', create: false },
  ]),
  activities: formOf('activities', [
    { name: 'type', type: 'enum', options: ACTIVITY_TYPES, optionsNs: 'activityType', required: true },
    { name: 'subject', type: 'text', required: true },
    { name: 'occurred_at', type: 'datetime', required: true },
    { name: 'status', type: 'enum', options: ACTIVITY_STATUSES, optionsNs: 'activityStatus', bulk: true },
    { name: 'duration_minutes', type: 'number' },
    { name: 'account_id', type: 'account' },
    { name: 'opportunity_id', type: 'opportunity' },
    { name: 'owner_id', type: 'user', bulk: true },
    { name: 'body', type: 'textarea' },
  ]),
};

/** Converts a form value to what the API expects for the field type. */
export function toApiValue(type: FieldType, v: unknown): unknown {
  if (v === '' || v === undefined) return null;
  switch (type) {
    case 'number':
    case 'money': {
      if (v === null) return null;
      const n = typeof v === 'number' ? v : Number(String(v).replace(/[,，\s]/g, ''));
      return Number.isFinite(n) ? n : v;
    }
    case 'list':
      if (Array.isArray(v)) return v;
      return String(v ?? '')
        .split(/[,，;；\n]/)
        .map((s) => s.trim())
        .filter(Boolean);
    case 'datetime': {
      if (!v) return null;
      const d = new Date(String(v));
      return Number.isNaN(d.getTime()) ? v : d.toISOString();
    }
    default:
      return v;
  }
}

/** Converts an API value to the form's editable representation. */
export function toFormValue(type: FieldType, v: unknown): unknown {
  if (v === null || v === undefined) return type === 'list' ? '' : '';
  if (type === 'list') return Array.isArray(v) ? v.join(', ') : String(v);
  if (type === 'datetime') {
    const d = new Date(String(v));
    if (Number.isNaN(d.getTime())) return '';
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
  if (type === 'date') return String(v).slice(0, 10);
  return v;
}

/** Builds the request body: every non-empty field on create, only changed fields on edit. */
export function buildPayload(
  defs: readonly FieldDef[],
  values: Record<string, unknown>,
  original?: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of defs) {
    if (!(d.name in values)) continue;
    const v = toApiValue(d.type, values[d.name]);
    if (original) {
      const before = toApiValue(d.type, toFormValue(d.type, original[d.name]));
      if (JSON.stringify(before) === JSON.stringify(v)) continue;
      out[d.name] = v;
    } else if (v !== null && !(Array.isArray(v) && v.length === 0)) {
      out[d.name] = v;
    }
  }
  return out;
}
