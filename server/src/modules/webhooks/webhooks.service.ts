import { randomBytes } from 'node:crypto';
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import jsonLogic, { type RulesLogic } from 'json-logic-js';
import { recordChange } from '../../platform/audit/change-log.js';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import { type CacheRegistry, cachesOf } from '../../platform/caches.js';
import type { Tx } from '../../platform/db/database.js';
import { emitEvent } from '../../platform/events/event-bus.js';
import { badRequest, notFound, unprocessable } from '../../platform/http/problem.js';
import type { PublishedEvent } from '../../platform/modules/module-definition.js';
import { consentGateOf } from '../../platform/privacy/consent-gate.js';
import { type ResourceDef, ResourceService } from '../../platform/records/resource.js';
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookMessages } from './webhooks.schema.js';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type MessageRow = typeof webhookMessages.$inferSelect;
export interface EndpointSecret {
  secret: string;
  created_at: string;
  /** Set on the previous secret by a rotation: it keeps signing until then. */
  expires_at: string | null;
}

/** Attempts after the first, in seconds (× ZHONGSHU_WEBHOOK_RETRY_SCALE): ~3.2 days in all. */
export const RETRY_DELAYS_S = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400] as const;
/** An endpoint failing without a success for this long is disabled (and admins are told). */
export const DISABLE_AFTER_MS = 5 * 24 * 3600 * 1000;
/** How long the message log is kept (replay and recovery reach this far back). */
export const KEEP_DAYS = 90;

/** The delay before attempt n+1 (n attempts made), with ±20 % jitter; null when none is left. */
export function retryDelayMs(attemptsMade: number, scale: number, random = Math.random): number | null {
  const base = RETRY_DELAYS_S[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * 1000 * scale * (0.8 + 0.4 * random()));
}

export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The secrets that still sign: the newest, and a rotated-out one until it expires. */
export function signingSecrets(secrets: EndpointSecret[], now = new Date()): string[] {
  return secrets
    .filter((s) => !s.expires_at || Date.parse(s.expires_at) > now.getTime())
    .map((s) => s.secret);
}

function secretsOf(row: { secrets: unknown }): EndpointSecret[] {
  return Array.isArray(row.secrets) ? (row.secrets as EndpointSecret[]) : [];
}

export const endpointService = new ResourceService({
  entity: 'webhook_endpoints',
  label: 'Webhook endpoint',
  table: webhookEndpoints,
  fields: ['url', 'description', 'event_types', 'condition', 'status', 'disabled_reason'],
  sortable: { created_at: webhookEndpoints.created_at, url: webhookEndpoints.url },
  defaultSort: '-created_at',
  filters: { status: { column: webhookEndpoints.status, op: 'eq' } },
  search: (q) =>
    sql`(${webhookEndpoints.url} ilike ${`%${q}%`} or ${webhookEndpoints.description} ilike ${`%${q}%`})`,
  present: presentEndpoint,
} satisfies ResourceDef);

/** An endpoint as the API shows it: never its secrets, only whether a rotation is under way. */
export function presentEndpoint({ secrets, ...rest }: Record<string, unknown>): Record<string, unknown> {
  const list = Array.isArray(secrets) ? (secrets as EndpointSecret[]) : [];
  const rotating = list.find((s) => s.expires_at && Date.parse(s.expires_at) > Date.now());
  return { ...rest, secret_rotating_until: rotating?.expires_at ?? null };
}

// ---------- the event catalogue and filters ----------

/** Event names an endpoint may subscribe to: every published event, and `prefix.*` for a family. */
export function eventTypeCatalogue(published: readonly PublishedEvent[]): string[] {
  const names = new Set<string>();
  for (const e of published) {
    names.add(e.name);
    names.add(`${e.name.split('.')[0]}.*`);
  }
  names.add('webhooks.test');
  return [...names].sort();
}

export function typeMatches(eventTypes: readonly string[], name: string): boolean {
  if (eventTypes.length === 0) return true;
  return eventTypes.some((t) => t === name || (t.endsWith('.*') && name.startsWith(t.slice(0, -1))));
}

/** The object a condition is evaluated on: the webhook payload itself ({ type, timestamp, data }). */
export function conditionPasses(condition: unknown, payload: Record<string, unknown>): boolean {
  if (condition === null || condition === undefined) return true;
  try {
    return Boolean(jsonLogic.apply(condition as RulesLogic, payload));
  } catch {
    return false;
  }
}

/** Checks an endpoint's event types against the catalogue and its condition's shape (422 naming the field). */
export function checkSubscription(
  input: { event_types?: string[]; condition?: unknown },
  catalogue: readonly string[],
): void {
  const known = new Set(catalogue);
  const unknown = (input.event_types ?? []).filter((t) => !known.has(t));
  if (unknown.length)
    throw unprocessable('Unknown event type', [
      { field: 'event_types', reason: `not an event this server publishes: ${unknown.join(', ')}` },
    ]);
  if (input.condition !== undefined && input.condition !== null) {
    try {
      jsonLogic.apply(input.condition as RulesLogic, { type: 'x', timestamp: '', data: {} });
    } catch {
      throw unprocessable('The condition is not valid JsonLogic', [
        { field: 'condition', reason: 'not a JsonLogic expression' },
      ]);
    }
  }
}

// ---------- endpoints ----------

const endpointsCache = (caches: CacheRegistry) =>
  caches.map<string, { at: number; list: EndpointRow[] }>('webhooks.endpoints', { max: 10_000 });
const CACHE_MS = 10_000;
/** Bumped by every eviction: a list read before an eviction is never cached after it. */
const endpointsGeneration = (caches: CacheRegistry) =>
  caches.map<string, number>('webhooks.endpoints.generation', { max: 10_000 });

/**
 * Drops a tenant's cached endpoint list (after any endpoint write: inside the writing transaction,
 * and again once it committed — a fan-out that read the old list in between must not keep it).
 */
export function evictEndpoints(caches: CacheRegistry, tenantId: string): void {
  endpointsCache(caches).delete(tenantId);
  const generation = endpointsGeneration(caches);
  generation.set(tenantId, (generation.get(tenantId) ?? 0) + 1);
}

/** Whether the cache knows the tenant has no enabled endpoint (the fan-out then opens no transaction). */
export function knownToHaveNoEndpoints(caches: CacheRegistry, tenantId: string): boolean {
  const hit = endpointsCache(caches).get(tenantId);
  return hit !== undefined && Date.now() - hit.at < CACHE_MS && hit.list.length === 0;
}

/** A tenant's enabled endpoints, cached ≤ 10 s (writes evict): the fan-out looks at every event. */
export async function enabledEndpoints(tx: Tx, tenantId: string): Promise<EndpointRow[]> {
  const caches = cachesOf(tx);
  const cache = endpointsCache(caches);
  const hit = cache.get(tenantId);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.list;
  const generation = endpointsGeneration(caches).get(tenantId) ?? 0;
  const list = await tx
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenant_id, tenantId), eq(webhookEndpoints.status, 'enabled')));
  if ((endpointsGeneration(caches).get(tenantId) ?? 0) === generation)
    cache.set(tenantId, { at: Date.now(), list });
  return list;
}

export interface EndpointInput {
  url: string;
  description?: string | null;
  event_types?: string[];
  condition?: unknown;
}

/** Creates an endpoint with a fresh signing secret; the secret is in the answer (and revealable later). */
export async function createEndpoint(tx: Tx, ctx: ActorContext, input: EndpointInput) {
  const secret: EndpointSecret = {
    secret: newSecret(),
    created_at: new Date().toISOString(),
    expires_at: null,
  };
  const row = await endpointService.create(
    tx,
    ctx,
    {
      url: input.url,
      description: input.description ?? null,
      event_types: input.event_types ?? [],
      condition: input.condition ?? null,
      secrets: [secret],
      created_by: ctx.actorId,
    },
    { method: 'manual' },
  );
  evictEndpoints(cachesOf(tx), ctx.tenantId);
  return { ...presentEndpoint(row), secret: secret.secret };
}

export async function getEndpointRow(tx: Tx, ctx: ActorContext, id: string): Promise<EndpointRow> {
  const [row] = await tx
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenant_id, ctx.tenantId), eq(webhookEndpoints.id, id)));
  if (!row) throw notFound('Webhook endpoint');
  return row;
}

/** Changes an endpoint; enabling it again clears the failure state and re-arms its pending deliveries. */
export async function updateEndpoint(
  tx: Tx,
  ctx: ActorContext,
  id: string,
  patch: Partial<EndpointInput> & { status?: 'enabled' | 'disabled'; change_reason?: string },
) {
  const before = await getEndpointRow(tx, ctx, id);
  const { change_reason, ...fields } = patch;
  const values: Record<string, unknown> = { ...fields };
  if (patch.status === 'disabled' && before.status !== 'disabled') {
    values.disabled_reason = 'manual';
    values.disabled_at = new Date();
  }
  if (patch.status === 'enabled' && before.status !== 'enabled') {
    values.disabled_reason = null;
    values.disabled_at = null;
    values.failing_since = null;
  }
  const row = await endpointService.update(tx, ctx, id, values, { reason: change_reason, method: 'manual' });
  if (patch.status === 'enabled' && before.status !== 'enabled')
    await tx
      .update(webhookDeliveries)
      .set({ next_attempt_at: new Date(), updated_at: new Date() })
      .where(and(eq(webhookDeliveries.endpoint_id, id), eq(webhookDeliveries.status, 'pending')));
  evictEndpoints(cachesOf(tx), ctx.tenantId);
  return row;
}

export async function deleteEndpoint(tx: Tx, ctx: ActorContext, id: string) {
  await endpointService.remove(tx, ctx, id, { method: 'manual' });
  evictEndpoints(cachesOf(tx), ctx.tenantId);
}

/** A new signing secret; the previous one keeps signing for `keepHours` (0 = stops at once). */
export async function rotateSecret(tx: Tx, ctx: ActorContext, id: string, keepHours: number) {
  const row = await getEndpointRow(tx, ctx, id);
  const now = new Date();
  const until = new Date(now.getTime() + keepHours * 3600 * 1000).toISOString();
  const kept = secretsOf(row)
    .filter((s) => !s.expires_at || Date.parse(s.expires_at) > now.getTime())
    .slice(0, 1)
    .map((s) => ({ ...s, expires_at: keepHours > 0 ? until : now.toISOString() }))
    .filter((s) => keepHours > 0 || Date.parse(s.expires_at) > now.getTime());
  const fresh: EndpointSecret = { secret: newSecret(), created_at: now.toISOString(), expires_at: null };
  await tx
    .update(webhookEndpoints)
    .set({ secrets: [fresh, ...kept], updated_at: now })
    .where(and(eq(webhookEndpoints.tenant_id, ctx.tenantId), eq(webhookEndpoints.id, id)));
  // The change log says that and when — never the secrets themselves.
  await recordChange(
    tx,
    ctx,
    'webhook_endpoints',
    id,
    'update',
    { secret: { old: '(rotated)', new: '(new secret)' } },
    {
      method: 'manual',
      reason: keepHours > 0 ? `previous secret valid until ${until}` : 'previous secret revoked',
    },
  );
  evictEndpoints(cachesOf(tx), ctx.tenantId);
  return { secret: fresh.secret, previous_valid_until: keepHours > 0 && kept.length ? until : null };
}

export async function revealSecrets(tx: Tx, ctx: ActorContext, id: string) {
  const row = await getEndpointRow(tx, ctx, id);
  const now = Date.now();
  return {
    secrets: secretsOf(row)
      .filter((s) => !s.expires_at || Date.parse(s.expires_at) > now)
      .map((s) => ({ secret: s.secret, created_at: s.created_at, expires_at: s.expires_at })),
  };
}

// ---------- fan-out: domain event → message + deliveries ----------

export interface OutboxEvent {
  id: number;
  tenant_id: string;
  name: string;
  entity: string | null;
  entity_id: string | null;
  payload: Record<string, unknown>;
  created_at: string;
}

/** The Standard Webhooks payload of a domain event. */
export function webhookPayload(ev: OutboxEvent): Record<string, unknown> {
  return {
    type: ev.name,
    timestamp: new Date(ev.created_at).toISOString(),
    data: { entity: ev.entity, entity_id: ev.entity_id, ...ev.payload },
  };
}

/**
 * Queues one domain event for every enabled endpoint that wants it. Idempotent (the relay delivers
 * at least once): one message per event, one delivery per endpoint and message. Returns how many
 * deliveries it queued.
 */
export async function fanOut(tx: Tx, ev: OutboxEvent): Promise<number> {
  const endpoints = await enabledEndpoints(tx, ev.tenant_id);
  if (endpoints.length === 0) return 0;
  const payload = webhookPayload(ev);
  const wanted = endpoints.filter(
    (e) => typeMatches(e.event_types, ev.name) && conditionPasses(e.condition, payload),
  );
  if (wanted.length === 0) return 0;
  if (await aboutRestrictedPerson(tx, ev)) return 0;
  const messageId = await storeMessage(tx, ev.tenant_id, ev.id, ev.name, payload);
  const rows = await tx
    .insert(webhookDeliveries)
    .values(
      wanted.map((e) => ({
        tenant_id: ev.tenant_id,
        endpoint_id: e.id,
        message_id: messageId,
        event_type: ev.name,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.id });
  return rows.length;
}

/** Events that only say what happened to a person's rights: recipients must hear of them (GDPR Art. 19). */
const PRIVACY_NOTICES = ['privacy', 'processing_restrictions.', 'consents.'];

/**
 * Whether the event carries data of a person whose processing is restricted (R-5.5): the contact
 * itself, or a record naming them (`contact_id`, `contact_ids`). Such events are not sent to any
 * endpoint; notices about the person's rights (restriction, consent, erasure) still are.
 */
async function aboutRestrictedPerson(tx: Tx, ev: OutboxEvent): Promise<boolean> {
  if (PRIVACY_NOTICES.some((p) => ev.name.startsWith(p))) return false;
  const ids = new Set<string>();
  if (ev.entity === 'contacts' && ev.entity_id) ids.add(ev.entity_id);
  const record = ev.payload?.record as Record<string, unknown> | undefined;
  if (record && typeof record.contact_id === 'string') ids.add(record.contact_id);
  if (record && Array.isArray(record.contact_ids))
    for (const id of record.contact_ids) if (typeof id === 'string') ids.add(id);
  if (ids.size === 0) return false;
  return (await consentGateOf(tx).restricted(tx, ev.tenant_id, [...ids])).size > 0;
}

async function storeMessage(
  tx: Tx,
  tenantId: string,
  eventId: number | null,
  type: string,
  payload: Record<string, unknown>,
): Promise<string> {
  const [inserted] = await tx
    .insert(webhookMessages)
    .values({ tenant_id: tenantId, event_id: eventId, event_type: type, payload })
    .onConflictDoNothing()
    .returning({ id: webhookMessages.id });
  if (inserted) return inserted.id;
  const [existing] = await tx
    .select({ id: webhookMessages.id })
    .from(webhookMessages)
    .where(and(eq(webhookMessages.tenant_id, tenantId), eq(webhookMessages.event_id, eventId ?? -1)));
  return existing.id;
}

/** A `webhooks.test` message to one endpoint (not from the outbox), queued for an attempt now. */
export async function queueTestMessage(tx: Tx, ctx: ActorContext, endpointId: string): Promise<string> {
  const endpoint = await getEndpointRow(tx, ctx, endpointId);
  const payload = {
    type: 'webhooks.test',
    timestamp: new Date().toISOString(),
    data: { message: 'Test event from Zhongshu 中枢', endpoint_id: endpoint.id, sent_by: ctx.actorName },
  };
  const messageId = await storeMessage(tx, ctx.tenantId, null, 'webhooks.test', payload);
  const [d] = await tx
    .insert(webhookDeliveries)
    .values({
      tenant_id: ctx.tenantId,
      endpoint_id: endpoint.id,
      message_id: messageId,
      event_type: 'webhooks.test',
    })
    .returning({ id: webhookDeliveries.id });
  return d.id;
}

/**
 * Recovery: every message since `since` (not before the endpoint was created) that the endpoint wants (its types and condition now) is
 * queued again — failed deliveries restart their schedule, missing ones (sent while the endpoint
 * was disabled or not yet subscribed) are added; succeeded ones are left alone.
 */
export async function recoverSince(tx: Tx, ctx: ActorContext, endpointId: string, since: Date) {
  const endpoint = await getEndpointRow(tx, ctx, endpointId);
  const oldest = new Date(Date.now() - KEEP_DAYS * 24 * 3600 * 1000);
  if (since < oldest)
    throw badRequest(`Events are kept ${KEEP_DAYS} days`, [
      { field: 'since', reason: `no earlier than ${oldest.toISOString()}` },
    ]);
  // Events from before the endpoint existed are not its to recover (no backfill of older history).
  const from = since < endpoint.created_at ? endpoint.created_at : since;
  let queued = 0;
  // Keyset on the row itself (timestamps have microseconds a JS Date would drop).
  let after: string | null = null;
  for (;;) {
    const page: MessageRow[] = await tx
      .select()
      .from(webhookMessages)
      .where(
        and(
          eq(webhookMessages.tenant_id, ctx.tenantId),
          gte(webhookMessages.created_at, from),
          after
            ? sql`(${webhookMessages.created_at}, ${webhookMessages.id}) > (select m.created_at, m.id from webhook_messages m where m.id = ${after})`
            : undefined,
        ),
      )
      .orderBy(webhookMessages.created_at, webhookMessages.id)
      .limit(1000);
    if (page.length === 0) break;
    const wanted = page.filter(
      (m) =>
        m.event_type !== 'webhooks.test' &&
        typeMatches(endpoint.event_types, m.event_type) &&
        conditionPasses(endpoint.condition, m.payload as Record<string, unknown>),
    );
    if (wanted.length) {
      const now = new Date();
      const rows = await tx
        .insert(webhookDeliveries)
        .values(
          wanted.map((m) => ({
            tenant_id: ctx.tenantId,
            endpoint_id: endpoint.id,
            message_id: m.id,
            event_type: m.event_type,
          })),
        )
        .onConflictDoUpdate({
          target: [webhookDeliveries.endpoint_id, webhookDeliveries.message_id],
          set: { status: 'pending', attempts: 0, next_attempt_at: now, updated_at: now },
          setWhere: sql`${webhookDeliveries.status} <> 'succeeded'`,
        })
        .returning({ id: webhookDeliveries.id });
      queued += rows.length;
    }
    after = page[page.length - 1].id;
  }
  return { queued };
}

// ---------- reads for the admin pages ----------

export async function listDeliveries(
  tx: Tx,
  ctx: ActorContext,
  q: { endpoint_id?: string; status?: string; event_type?: string; limit?: number; cursor?: string },
) {
  const limit = q.limit ?? 50;
  // The cursor is the last row's id: the keyset compares the stored row (microsecond timestamps).
  let cursor: string | null = null;
  if (q.cursor) {
    const id = Buffer.from(q.cursor, 'base64url').toString('utf8');
    if (!/^[0-9a-f-]{36}$/.test(id))
      throw badRequest('Invalid cursor', [{ field: 'cursor', reason: 'not a cursor returned by this API' }]);
    cursor = id;
  }
  const rows = await tx
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.tenant_id, ctx.tenantId),
        q.endpoint_id ? eq(webhookDeliveries.endpoint_id, q.endpoint_id) : undefined,
        q.status ? eq(webhookDeliveries.status, q.status) : undefined,
        q.event_type ? eq(webhookDeliveries.event_type, q.event_type) : undefined,
        cursor
          ? sql`(${webhookDeliveries.created_at}, ${webhookDeliveries.id}) < (select c.created_at, c.id from webhook_deliveries c where c.id = ${cursor}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.created_at), desc(webhookDeliveries.id))
    .limit(limit + 1);
  const more = rows.length > limit;
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return {
    data,
    next_cursor: more && last ? Buffer.from(last.id).toString('base64url') : null,
  };
}

export async function getDelivery(tx: Tx, ctx: ActorContext, id: string) {
  const [d] = await tx
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.tenant_id, ctx.tenantId), eq(webhookDeliveries.id, id)));
  if (!d) throw notFound('Webhook delivery');
  const [m] = await tx.select().from(webhookMessages).where(eq(webhookMessages.id, d.message_id));
  const attempts = await tx
    .select()
    .from(webhookAttempts)
    .where(eq(webhookAttempts.delivery_id, d.id))
    .orderBy(desc(webhookAttempts.at));
  return {
    ...d,
    message: { id: m.id, event_type: m.event_type, payload: m.payload, created_at: m.created_at },
    attempts,
  };
}

/** Deletes messages (with their deliveries and attempts) older than the 90 days kept. */
export async function purgeOldMessages(tx: Tx): Promise<number> {
  const cutoff = new Date(Date.now() - KEEP_DAYS * 24 * 3600 * 1000);
  const gone = await tx
    .delete(webhookMessages)
    .where(lt(webhookMessages.created_at, cutoff))
    .returning({ id: webhookMessages.id });
  return gone.length;
}

/** Emitted when an endpoint is disabled by the dispatcher (410 or 5 days of failures). */
export async function emitEndpointDisabled(tx: Tx, endpoint: EndpointRow, reason: string) {
  await emitEvent(tx, {
    tenantId: endpoint.tenant_id,
    name: 'webhook_endpoints.disabled',
    entity: 'webhook_endpoints',
    entityId: endpoint.id,
    payload: { url: endpoint.url, reason },
  });
}
