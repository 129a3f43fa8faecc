import i18n from 'i18next';
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

// ---------- shapes of the portal API (server/src/modules/sovereignty/sovereignty-portal.routes.ts)

export interface Text2 {
  en: string;
  zh: string;
}

export interface Organisation {
  tenant_id: string;
  name: string;
  contact_name: string;
  account_name: string | null;
}

export interface PortalSession {
  organisations: Organisation[];
  selected: Organisation | null;
  expires_at: string;
}

export interface FieldLineage {
  method: string;
  source: string;
  actor_type: string;
  actor_name: string | null;
  at: string;
}

export interface ProfileField {
  key: string;
  label: Text2;
  value: unknown;
  policy: 'direct' | 'request';
  lineage: FieldLineage | null;
}

export interface DatumLineage {
  method: string;
  source: string;
  actorName?: string | null;
  at: string;
  detail?: string | Text2;
}

export interface DataSection {
  module: string;
  kind: string;
  label: Text2;
  total: number;
  records: {
    id: string;
    /** The record's own words, or a label in both languages. */
    title: string | Text2;
    at?: string;
    fields: { key: string; label: Text2; value: unknown; lineage: DatumLineage[] }[];
  }[];
}

export interface ConsentItem {
  purpose: string;
  label: Text2;
  description: Text2;
  granted: boolean;
  basis: 'recorded' | 'default';
  requires_consent: boolean;
  notice_version_id: string | null;
  notice_version: number | null;
  channel: string | null;
  actor_name: string | null;
  at: string | null;
}

export interface Notice {
  id: string;
  version: number;
  title_zh: string;
  title_en: string;
  text_zh: string;
  text_en: string;
  published_at: string | null;
}

export interface Consents {
  notice: Notice | null;
  items: ConsentItem[];
}

export interface ExportStatus {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: { done: number; total: number };
  records: number | null;
  file_bytes: number | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  expires_at: string;
}

export interface PortalRequest {
  id: string;
  kind: string;
  state: string;
  channel: string;
  regime: string;
  received_at: string;
  due_at: string;
  due_date: string;
  clock_status: string;
  closed_at: string | null;
  resolution: string | null;
  payload: Record<string, unknown>;
}

export const portalKeys = {
  session: ['portal', 'session'] as const,
  profile: ['portal', 'profile'] as const,
  data: ['portal', 'data'] as const,
  consents: ['portal', 'consents'] as const,
  requests: ['portal', 'requests'] as const,
  export: (id: string) => ['portal', 'export', id] as const,
};
