import i18n from 'i18next';
import type { ApiResponse } from '../lib/api-types';
import { ApiError, type Problem } from '../lib/problem';

/**
 * The portal's own API client: only /api/v1/portal/*, with the portal cookie (zs_portal, sent by
 * the browser to that path only). Nothing here touches the staff session or the staff API.
 */
export const PORTAL_API = '/api/v1/portal';

let onSignedOut: (() => void) | null = null;
/** Called when a portal call answers 401 (the session ended: idle, 8 hours, signed out elsewhere). */
export function setPortalSignedOut(fn: (() => void) | null) {
  onSignedOut = fn;
}

export async function portalApi<T>(
  path: string,
  init: { method?: 'GET' | 'POST' | 'PUT'; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const lang = i18n.resolvedLanguage ?? i18n.language;
  const res = await fetch(`${PORTAL_API}${path}`, {
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
    if (res.status === 401 && path !== '/session' && path !== '/verify') onSignedOut?.();
    const retry = Number(res.headers.get('retry-after'));
    throw new ApiError(res.status, problem, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  return json as T;
}

/** What went wrong, in the words the server (in the chosen language) or the browser gave. */
export function errorText(err: unknown, t: (k: string) => string): string {
  if (err instanceof ApiError) {
    const reason = err.problem.errors?.[0]?.reason;
    return err.problem.detail ?? reason ?? err.message;
  }
  if (err instanceof TypeError) return t('portal.errorNetwork');
  return err instanceof Error ? err.message : t('portal.error');
}

export const exportFileUrl = (id: string) => `${PORTAL_API}/me/exports/${encodeURIComponent(id)}/file`;

// ---------- shapes of the portal API, from the server's OpenAPI document (types only: no staff code)

export interface Text2 {
  en: string;
  zh: string;
}

export type PortalSession = ApiResponse<'/portal/session'>;
export type Organisation = PortalSession['organisations'][number];
export type ProfileField = ApiResponse<'/portal/me/profile'>['items'][number];
export type FieldLineage = NonNullable<ProfileField['lineage']>;
export type DataSection = ApiResponse<'/portal/me/data'>['sections'][number];
export type DatumLineage = DataSection['records'][number]['fields'][number]['lineage'][number];
export type Consents = ApiResponse<'/portal/me/consents'>;
export type ConsentItem = Consents['items'][number];
export type Notice = NonNullable<Consents['notice']>;
export type ExportStatus = ApiResponse<'/portal/me/exports/{id}'>;
export type PortalRequest = ApiResponse<'/portal/me/requests'>['items'][number];

export const portalKeys = {
  session: ['portal', 'session'] as const,
  profile: ['portal', 'profile'] as const,
  data: ['portal', 'data'] as const,
  consents: ['portal', 'consents'] as const,
  requests: ['portal', 'requests'] as const,
  export: (id: string) => ['portal', 'export', id] as const,
};
