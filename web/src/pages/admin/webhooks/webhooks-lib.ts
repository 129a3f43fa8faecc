/** Admin → Webhooks: API types, query keys and the pure helpers the screens share (tested in webhooks.test.tsx). */
import type { ApiBody, ApiResponse, ApiRow } from '../../../lib/api-types';

export type Endpoint = ApiRow<'/webhooks/endpoints'>;
export type EventType = ApiRow<'/webhooks/event-types'>;
export type Delivery = ApiRow<'/webhooks/deliveries'>;
export type DeliveryDetail = ApiResponse<'/webhooks/deliveries/{id}'>;
export type Attempt = DeliveryDetail['attempts'][number];
export type AttemptResult = ApiResponse<'/webhooks/endpoints/{id}/test', 'post'>;
export type EndpointBody = ApiBody<'/webhooks/endpoints', 'post'>;
export type DeliveryStatus = Delivery['status'];

export const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'succeeded', 'failed'];
export const KEEP_HOURS = [0, 1, 24, 72, 168] as const;

/** This screen's TanStack Query keys (all under 'webhooks', so one invalidation refreshes the tab). */
export const webhookKeys = {
  all: ['webhooks'] as const,
  eventTypes: ['webhooks', 'event-types'] as const,
  endpoints: ['webhooks', 'endpoints'] as const,
  secret: (id: string) => ['webhooks', 'endpoints', id, 'secret'] as const,
  deliveries: (filter: DeliveryFilter) => ['webhooks', 'deliveries', filter] as const,
  delivery: (id: string) => ['webhooks', 'delivery', id] as const,
};

export interface DeliveryFilter {
  endpoint_id?: string;
  status?: DeliveryStatus;
  event_type?: string;
}

/** What the create/edit form holds (the condition as the text the admin typed). */
export interface EndpointForm {
  url: string;
  description: string;
  event_types: string[];
  condition: string;
}

export const emptyForm: EndpointForm = { url: '', description: '', event_types: [], condition: '' };

export function formOf(e: Endpoint): EndpointForm {
  return {
    url: e.url,
    description: e.description ?? '',
    event_types: [...e.event_types],
    condition: e.condition == null ? '' : JSON.stringify(e.condition, null, 2),
  };
}

export type ConditionCheck =
  | { ok: true; value: Record<string, unknown> | null }
  | { ok: false; error: 'invalid'; reason: string }
  | { ok: false; error: 'notObject' };

/** The condition text as JsonLogic: blank = none (null), else a JSON object. */
export function parseCondition(text: string): ConditionCheck {
  if (!text.trim()) return { ok: true, value: null };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: 'invalid', reason: e instanceof Error ? e.message : String(e) };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ok: false, error: 'notObject' };
  return { ok: true, value: v as Record<string, unknown> };
}

/** The request body of a form whose condition parsed. */
export function endpointBody(form: EndpointForm, condition: Record<string, unknown> | null): EndpointBody {
  return {
    url: form.url.trim(),
    description: form.description.trim() || null,
    event_types: form.event_types,
    condition,
  };
}

export const FORM_FIELDS = ['url', 'description', 'event_types', 'condition'];

export function statusColor(s: DeliveryStatus | string): string {
  return s === 'succeeded' ? 'green' : s === 'failed' ? 'red' : 'yellow';
}

/** An HTTP status as a badge colour: 2xx green, none (network error) or 5xx red, else orange. */
export function codeColor(code: number | null): string {
  if (code === null) return 'red';
  if (code >= 200 && code < 300) return 'green';
  return code >= 500 ? 'red' : 'orange';
}

/** A datetime-local value (local wall time) as an ISO time with offset, for `since`. */
export function localToIso(local: string): string | null {
  if (!local) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** A Date as a datetime-local input value in the browser's time zone. */
export function isoToLocal(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Pretty JSON of a payload (the delivery drawer). */
export function prettyJson(v: unknown): string {
  return JSON.stringify(v, null, 2) ?? 'null';
}
