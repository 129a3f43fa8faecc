/** Signals, interventions, sources and rules: types + pure helpers. */
import { useQuery } from '@tanstack/react-query';
import { request } from './api';
import type { ApiResponse, ApiRow } from './api-types';
import type { Lang } from './format';
import { queryKeys } from './query-keys';

type ApiIntervention = ApiResponse<'/interventions/{id}'>;
export type Severity = ApiIntervention['severity'];
/**
 * A bundle as the API returns it; risk, resources and evidence are open records in the API, so
 * the fields this app reads are named here.
 */
export type Intervention = Omit<ApiRow<'/interventions'>, 'risk' | 'resources' | 'evidence'> & {
  risk: { severity?: string; what_changed?: string };
  resources: {
    cases?: string[];
    specialist?: string | null;
    budget?: number | null;
    /** Present once an LLM rewrite of the talk track was attempted (server: talk-track-rewrite.ts). */
    talk_track?: TalkTrackOrigin;
  };
  evidence: {
    signal_ids?: string[];
    rule_id?: string;
    rule_key?: string;
    rule_version?: number;
    features?: Record<string, unknown>;
  };
};
/** Where a bundle's talk track came from: the LLM's rewrite, or the template after a failed attempt. */
export type TalkTrackOrigin =
  | { source: 'llm'; template_text: string; model: string; rewritten_at: string }
  | { source: 'template'; template_text: string; model: string; llm_error: string; attempted_at: string };
type ApiInboxPage = ApiResponse<'/interventions'>;
export type Breaker = NonNullable<ApiInboxPage['circuit_breaker']>;
export type InboxPage = Omit<ApiInboxPage, 'data'> & { data: Intervention[] };
export type Signal = ApiResponse<'/signals/{id}'>;
export type SignalType = ApiRow<'/signal-types'>;
export type SourceRow = ApiRow<'/signal-sources'>;
// The API declares rules and briefs as open records: their shape is named here.
export interface RuleDefinition {
  description?: string;
  signal_types: string[];
  condition: Record<string, unknown>;
  window_days: number;
  severity: Severity;
  cooldown_hours: number;
  due_hours?: number;
  title: string;
  what_changed: string;
  talk_track: string;
  resources: { cases: string[]; specialist: string | null; budget: number | null };
}
export interface Rule {
  id: string;
  key: string;
  name: string;
  active: boolean;
  is_default: boolean;
  current_version: number;
  definition: RuleDefinition | null;
  versions: { version: number; created_at: string; created_by_name: string | null }[];
}
export interface BriefMember {
  owner_id: string;
  name: string | null;
  count: number;
  accounts: number;
  tripped: boolean;
  suggested_today: number;
  threshold: number;
}

export interface Brief {
  /** person: one user's brief; team: a manager's roll-up over the people reporting to them. */
  scope: 'person' | 'team';
  owner_id: string;
  week_start: string;
  week_end: string;
  /** The person's breaker today (null on the team brief: each member has their own). */
  circuit_breaker: Breaker | null;
  members: BriefMember[] | null;
  summary: { count: number; accounts: number; by_severity: Record<string, number> };
  accounts: {
    account_id: string;
    account_name: string | null;
    items: {
      id: string;
      title: string;
      severity: Severity;
      rule_key: string;
      status: string;
      delivery_reason: string | null;
      created_at: string;
      talk_track: string;
      owner_id: string;
    }[];
  }[];
}

export const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low'];
export function severityColor(s: string): string {
  return s === 'critical' ? 'red' : s === 'high' ? 'orange' : s === 'medium' ? 'yellow' : 'gray';
}

/** Sort for the inbox: open first, then by severity, then newest. */
export function sortInbox(rows: Intervention[]): Intervention[] {
  const rank = (i: Intervention) => (i.status === 'open' ? 0 : 1) * 10 + SEVERITY_ORDER.indexOf(i.severity);
  return [...rows].sort((a, b) => rank(a) - rank(b) || b.created_at.localeCompare(a.created_at));
}

/** Flattens evidence features {count: {tender_notice: 1}} into [["count.tender_notice", "1"]]. */
export function flattenFeatures(obj: unknown, prefix = ''): [string, string][] {
  if (obj === null || obj === undefined) return prefix ? [[prefix, '—']] : [];
  if (typeof obj !== 'object' || Array.isArray(obj))
    return [[prefix, Array.isArray(obj) ? obj.join(', ') : String(obj)]];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) =>
    flattenFeatures(v, prefix ? `${prefix}.${k}` : k),
  );
}

/** Is the due time past (and by how much)? */
export function isOverdue(dueAt: string, now = new Date()): boolean {
  return new Date(dueAt).getTime() < now.getTime();
}

/** Ids newly present compared with what was seen before (to highlight live arrivals). */
export function newIds(prev: Set<string> | null, rows: { id: string }[]): Set<string> {
  if (!prev) return new Set();
  return new Set(rows.filter((r) => !prev.has(r.id)).map((r) => r.id));
}

/** A signal type's name in the reader's language; '…' while the catalogue loads (never the raw key then). */
export function signalTypeName(types: SignalType[] | undefined, key: string, lang: Lang): string {
  if (types === undefined) return '…';
  const t = types.find((x) => x.key === key);
  if (!t) return key;
  return lang === 'en' && t.name_en ? t.name_en : t.name;
}

export function useSignalTypes() {
  return useQuery({
    queryKey: queryKeys.signalTypes.all,
    queryFn: () => request('get', '/signal-types').then((r) => r.data),
    staleTime: 5 * 60_000,
  });
}

/** Polling interval of the inbox (the server has no push endpoint for interventions). */
export const INBOX_POLL_MS = 5_000;
