/** RFC 9457 problem details; every error leaves the server in this one shape. */
export interface FieldError {
  field: string;
  reason: string;
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors: FieldError[] = [],
    readonly type = 'about:blank',
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
export const notFound = (what = 'Resource') => new ProblemError(404, 'Not Found', `${what} not found`);
export const conflict = (detail: string, errors: FieldError[] = []) =>
  new ProblemError(409, 'Conflict', detail, errors);

export function problemBody(err: ProblemError, instance?: string) {
  return {
    type: err.type,
    title: err.title,
    status: err.status,
    detail: err.detail,
    instance,
    ...(err.errors.length ? { errors: err.errors } : {}),
  };
}
