import i18n from 'i18next';
import type { ApiProblem } from './api-types';

/** RFC 9457 problem details as returned by the API (every part optional: a proxy's error page has none). */
export type Problem = Partial<ApiProblem>;
export type FieldError = NonNullable<ApiProblem['errors']>[number];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** seconds from the response's Retry-After header (429/503), when it had one */
    readonly retryAfter?: number,
  ) {
    super(problem.detail || problem.title || `HTTP ${status}`);
  }
}

/** Normalises a server field path to the form field it belongs to: `custom.budget_code`, `stages[1].name` → `stages`, `/amount` → `amount`. */
export function normaliseField(field: string): string {
  let f = field.trim().replace(/^\/+/, '').replace(/\//g, '.');
  if (f.startsWith('body.')) f = f.slice(5);
  if (f.startsWith('custom.')) {
    const key = f.slice(7).split(/[.[]/)[0];
    return `custom.${key}`;
  }
  return f.split(/[.[]/)[0] ?? f;
}

/**
 * Maps problem+json `errors` to form fields. Errors whose field is not one of `known`
 * (or has no field) are returned in `general` so they can be shown above the form.
 */
export function problemToFieldErrors(
  problem: Problem | undefined,
  known: readonly string[],
): { fields: Record<string, string>; general: string[] } {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const e of problem?.errors ?? []) {
    const f = e.field ? normaliseField(e.field) : '';
    if (f && known.includes(f)) {
      fields[f] = fields[f] ? `${fields[f]}; ${e.reason}` : e.reason;
    } else {
      general.push(e.field ? `${fieldName(e.field)}: ${e.reason}` : e.reason);
    }
  }
  if (!problem?.errors?.length && problem?.detail) general.push(problem.detail);
  return { fields, general };
}

/** A field's name in the UI language where the app knows it (`credit_code` → 统一社会信用代码), else the path. */
function fieldName(field: string): string {
  const key = `fields.${normaliseField(field)}`;
  return i18n.exists(key) ? i18n.t(key) : field;
}
