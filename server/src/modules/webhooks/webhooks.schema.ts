import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantIdColumn, timestamptz } from '../../platform/db/columns.js';

const tenantId = tenantIdColumn;
const ts = timestamptz;

/**
 * A tenant's outbound webhook endpoint: where to POST, which events (exact names or `prefix.*`;
 * empty = every event), an optional JsonLogic condition on the event, and its signing secrets
 * (Standard Webhooks `whsec_…`; during a rotation the previous one keeps signing until it expires).
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    url: text('url').notNull(),
    description: text('description'),
    event_types: text('event_types').array().notNull().default(sql`'{}'::text[]`),
    condition: jsonb('condition'),
    /** [{ secret, created_at, expires_at|null }]: newest first; never returned by list/get. */
    secrets: jsonb('secrets').notNull(),
    /** enabled | disabled */
    status: text('status').notNull().default('enabled'),
    /** Why it is disabled: manual | gone (the receiver answered 410) | failing (5 days of failures). */
    disabled_reason: text('disabled_reason'),
    disabled_at: ts('disabled_at'),
    /** First failed attempt since the last success; 5 days of it disable the endpoint. */
    failing_since: ts('failing_since'),
    created_by: uuid('created_by'),
    created_at: ts('created_at').notNull().defaultNow(),
    updated_at: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('webhook_endpoints_tenant_idx').on(t.tenant_id, t.status)],
);

/**
 * The event log webhooks are sent from, kept 90 days: one row per domain event that some endpoint
 * wanted (or a test event), in the Standard Webhooks payload shape `{ type, timestamp, data }`.
 */
export const webhookMessages = pgTable(
  'webhook_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    /** domain_events.id it came from (null for a test event); unique per tenant: at-least-once in, once here. */
    event_id: bigint('event_id', { mode: 'number' }),
    event_type: text('event_type').notNull(),
    payload: jsonb('payload').notNull(),
    created_at: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webhook_messages_event_uq').on(t.tenant_id, t.event_id),
    index('webhook_messages_time_idx').on(t.tenant_id, t.created_at),
  ],
);

/**
 * One message to one endpoint: pending until a 2xx, retried on the schedule, failed after the last
 * attempt (replayable). `next_attempt_at` is also the dispatcher's lease.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    endpoint_id: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    message_id: uuid('message_id')
      .notNull()
      .references(() => webhookMessages.id, { onDelete: 'cascade' }),
    event_type: text('event_type').notNull(),
    /** pending | succeeded | failed */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    next_attempt_at: ts('next_attempt_at').defaultNow(),
    last_attempt_at: ts('last_attempt_at'),
    last_status_code: integer('last_status_code'),
    last_error: text('last_error'),
    created_at: ts('created_at').notNull().defaultNow(),
    updated_at: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_uq').on(t.endpoint_id, t.message_id),
    index('webhook_deliveries_due_idx').on(t.next_attempt_at).where(sql`status = 'pending'`),
    index('webhook_deliveries_list_idx').on(t.tenant_id, t.endpoint_id, t.created_at),
  ],
);

/** Every HTTP attempt of a delivery: what was sent, what came back, how long it took. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    delivery_id: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    at: ts('at').notNull().defaultNow(),
    /** null when no HTTP answer came (refused, timeout, blocked address). */
    status_code: integer('status_code'),
    duration_ms: integer('duration_ms').notNull(),
    request_headers: jsonb('request_headers').notNull(),
    /** The first 2 KB of the answer's body. */
    response_excerpt: text('response_excerpt'),
    error: text('error'),
    /** schedule | replay | recover | test */
    trigger: text('trigger').notNull(),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.delivery_id, t.at)],
);
