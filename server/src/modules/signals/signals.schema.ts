import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, real, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantIdColumn, timestamptz, timestamptzMs } from '../../platform/db/columns.js';

const tenantId = tenantIdColumn;
const ts = timestamptz;
const tsMs = timestamptzMs;

/**
 * The append-only signal store. A signal row is its own lineage: source, received_at and
 * provenance (actor, method, request/batch id) are stored on it and never change; only the
 * entity link (account/contact/opportunity, matched, match_method) may be set later by a review.
 * No foreign keys to CRM tables: signals outlive the records they mention.
 */
export const signals = pgTable(
  'signals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    type: text('type').notNull(),
    source: text('source').notNull(),
    source_event_id: text('source_event_id'),
    idempotency_key: text('idempotency_key'),
    /** idempotency_key, or source + '#' + source_event_id: unique per tenant. */
    dedupe_key: text('dedupe_key'),
    occurred_at: tsMs('occurred_at').notNull(),
    received_at: tsMs('received_at').notNull().defaultNow(),
    subject: jsonb('subject').notNull(),
    payload: jsonb('payload').notNull(),
    strength: real('strength'),
    provenance: jsonb('provenance').notNull(),
    account_id: uuid('account_id'),
    contact_id: uuid('contact_id'),
    opportunity_id: uuid('opportunity_id'),
    matched: boolean('matched').notNull().default(false),
    match_method: text('match_method'),
    linked_by: uuid('linked_by'),
    linked_at: ts('linked_at'),
  },
  (t) => [
    uniqueIndex('signals_dedupe_uq').on(t.tenant_id, t.dedupe_key),
    index('signals_tenant_received_idx').on(t.tenant_id, t.received_at, t.id),
    index('signals_account_time_idx').on(t.tenant_id, t.account_id, t.occurred_at),
    // Exactly the rules' feature and evidence lookups (signal-features.service.ts): one range per
    // (account, type), newest first, whatever the planner statistics.
    index('signals_feature_idx').on(t.tenant_id, t.account_id, t.type, t.occurred_at),
    index('signals_contact_idx').on(t.tenant_id, t.contact_id, t.occurred_at),
    index('signals_opp_idx').on(t.tenant_id, t.opportunity_id, t.occurred_at),
    index('signals_unmatched_idx').on(t.tenant_id, t.received_at).where(sql`matched = false`),
    index('signals_source_time_idx').on(t.tenant_id, t.source, t.occurred_at),
  ],
);

/** A system that sends signals; `key` is the `source` string on signals. Holds the webhook secret. */
export const signalSources = pgTable(
  'signal_sources',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    kind: text('kind').notNull().default('api'), // api | webhook | connector | file
    description: text('description'),
    webhook_secret: text('webhook_secret'),
    active: boolean('active').notNull().default(true),
    override_score: real('override_score'),
    override_reason: text('override_reason'),
    created_at: ts('created_at').notNull().defaultNow(),
    updated_at: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('signal_sources_key_uq').on(t.tenant_id, t.key)],
);

/** Admin-defined signal types, besides the built-in catalogue (signal-catalogue.ts). */
export const signalTypes = pgTable(
  'signal_types',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    name_en: text('name_en'),
    description: text('description'),
    /** { field: { type: string|number|integer|boolean|date|enum, required?, values? } } */
    payload_fields: jsonb('payload_fields').notNull().default(sql`'{}'::jsonb`),
    created_at: ts('created_at').notNull().defaultNow(),
    updated_at: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('signal_types_key_uq').on(t.tenant_id, t.key)],
);
