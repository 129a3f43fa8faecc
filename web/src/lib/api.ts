import i18n from 'i18next';
import type {
  ApiBody,
  ApiPathParams,
  ApiQuery,
  ApiResponse,
  ApiRow,
  HttpMethod,
  PathsWith,
} from './api-types';
import { parseRetryAfter } from './lockout';
import { ApiError, type Problem } from './problem';

export const API_BASE = '/api/v1';

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler | null = null;
/** Called on any 401 from an authenticated request (session expired or logged out elsewhere). */
export function setUnauthorizedHandler(fn: UnauthorizedHandler | null) {
  onUnauthorized = fn;
}

/**
 * The UI's current language as an Accept-Language value, so the server writes problem messages
 * (field reasons shown under form inputs) in the language the user picked, not the browser's.
 * Read per request: switching language switches the language of the next error.
 */
export function acceptLanguage(): string | undefined {
  return i18n.resolvedLanguage ?? i18n.language ?? undefined;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function toSearch(params: Query | undefined): string {
  if (!params) return '';
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

export async function api<T = unknown>(
  path: string,
  init: {
    method?: string;
    body?: unknown;
    query?: Query;
    signal?: AbortSignal;
    skipAuthRedirect?: boolean;
  } = {},
): Promise<T> {
  const lang = acceptLanguage();
  const res = await fetch(`${API_BASE}${path}${toSearch(init.query)}`, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: {
      Accept: 'application/json, application/problem+json',
      ...(lang ? { 'Accept-Language': lang } : {}),
      ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    signal: init.signal,
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const problem: Problem =
      json && typeof json === 'object'
        ? (json as Problem)
        : { title: res.statusText, status: res.status, detail: text };
    if (res.status === 401 && !init.skipAuthRedirect) onUnauthorized?.();
    throw new ApiError(res.status, problem, parseRetryAfter(res.headers.get('retry-after')));
  }
  return json as T;
}

/** '/accounts/{id}' has path parameters; '/accounts' has none. */
type HasParams<P> = P extends `${string}{${string}}${string}` ? true : false;

/** Options of a typed call: path parameters, query and body as the API declares them. */
export type CallOptions<P extends PathsWith<M>, M extends HttpMethod> = {
  query?: ApiQuery<P, M>;
  signal?: AbortSignal;
  skipAuthRedirect?: boolean;
} & (HasParams<P> extends true ? { path: ApiPathParams<P, M> } : { path?: undefined }) &
  ([ApiBody<P, M>] extends [undefined] ? { body?: undefined } : { body: ApiBody<P, M> });

/** '/accounts/{id}' + { id: 'a1' } → '/accounts/a1' (each value URI-encoded). */
export function fillPath(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null || value === '') throw new Error(`${template}: no ${name}`);
    return encodeURIComponent(String(value));
  });
}

/**
 * A call typed by the API's OpenAPI document: the path is one the server has, query and body
 * are what it takes, and the answer is what it returns. Same transport as `api()`.
 *
 *   const account = await request('get', '/accounts/{id}', { path: { id } });
 */
export function request<M extends HttpMethod, P extends PathsWith<M>>(
  method: M,
  path: P,
  ...[opts]: HasParams<P> extends true
    ? [CallOptions<P, M>]
    : [ApiBody<P, M>] extends [undefined]
      ? [CallOptions<P, M>?]
      : [CallOptions<P, M>]
): Promise<ApiResponse<P, M>> {
  const o = (opts ?? {}) as { path?: Record<string, unknown>; query?: Query; body?: unknown } & Omit<
    Parameters<typeof api>[1] & object,
    'query' | 'body' | 'method'
  >;
  return api<ApiResponse<P, M>>(fillPath(path, o.path), {
    method: method.toUpperCase(),
    query: o.query,
    body: o.body,
    signal: o.signal,
    skipAuthRedirect: o.skipAuthRedirect,
  });
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Follows next_cursor until `max` rows (or the end) — for boards and lookups. */
export async function fetchAll<T>(path: string, query: Query = {}, max = 5000): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await api<Page<T>>(path, { query: { ...query, limit: 500, cursor: cursor ?? undefined } });
    out.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor && out.length < max);
  return out;
}

/** fetchAll for a list path the API has, its rows typed as the API returns them. */
export function fetchRows<P extends PathsWith<'get'>>(
  path: P,
  query: ApiQuery<P> = {} as ApiQuery<P>,
  max = 5000,
): Promise<ApiRow<P>[]> {
  return fetchAll<ApiRow<P>>(path, query as Query, max);
}

export function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let bin = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    bin += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(bin);
}
