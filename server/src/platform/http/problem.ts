import type { z } from 'zod';
import { type Locale, translate, zodIssueReasons } from './locale.js';

/** RFC 9457 problem details; every error leaves the server in this one shape. */
export interface FieldError {
  field: string;
  /** English; translated through the message catalogue unless `reasons` has the caller's locale. */
  reason: string;
  /** The reason already rendered per locale (zod issues, by zod's own locales). Not sent as such. */
  reasons?: Partial<Record<Locale, string>>;
}

/**
 * Field errors for zod issues, each with its reason in every locale. Parse with
 * `{ reportInput: true }` so zod's locales can say what was received (the input is not kept).
 */
export function zodFieldErrors(
  issues: readonly z.core.$ZodIssue[],
  fieldOf: (issue: z.core.$ZodIssue) => string = (issue) => issue.path.join('.') || '(root)',
): FieldError[] {
  return issues.map((issue) => ({
    field: fieldOf(issue),
    reason: issue.message,
    reasons: zodIssueReasons(issue),
  }));
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors: FieldError[] = [],
    readonly type = 'about:blank',
    /** RFC 9457 extension members, machine-readable and never translated (e.g. `merged_into`). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }
}

export const badRequest = (detail: string, errors: FieldError[] = []) =>
  new ProblemError(400, 'Bad Request', detail, errors);
export const unprocessable = (detail: string, errors: FieldError[] = []) =>
  new ProblemError(422, 'Unprocessable Content', detail, errors);
export const unauthorized = (detail = 'Authentication required') =>
  new ProblemError(401, 'Unauthorized', detail);
export const forbidden = (detail = 'You do not have permission for this action') =>
  new ProblemError(403, 'Forbidden', detail);
export const notFound = (what = 'Resource', extensions: Record<string, unknown> = {}) =>
  new ProblemError(404, 'Not Found', `${what} not found`, [], 'about:blank', extensions);
export const conflict = (detail: string, errors: FieldError[] = []) =>
  new ProblemError(409, 'Conflict', detail, errors);

/**
 * The problem+json body in the caller's language: title, detail and every reason go through the
 * message catalogue (English text is the key; unknown text stays English). Fields, status and type
 * are machine-readable and never translated.
 */
export function problemBody(err: ProblemError, instance?: string, locale: Locale = 'en') {
  return {
    type: err.type,
    title: translate(err.title, locale),
    status: err.status,
    detail: err.detail === undefined ? undefined : translate(err.detail, locale),
    instance,
    ...err.extensions,
    ...(err.errors.length
      ? {
          errors: err.errors.map(({ reasons, ...e }) => ({
            ...e,
            reason: reasons?.[locale] ?? translate(e.reason, locale),
          })),
        }
      : {}),
  };
}
