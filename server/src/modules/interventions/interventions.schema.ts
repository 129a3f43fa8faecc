import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, real, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantIdColumn, timestamptz } from '../../platform/db/columns.js';

const tenantId = tenantIdColumn;
const ts = timestamptz;

/** A rule: stable identity (key) with versioned definitions (intervention_rule_versions). */
export const interventionRules = pgTable(
  'intervention_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    active: boolean('active').notNull().default(true),
    is_default: boolean('is_default').notNull().default(false),
    current_version: integer('current_version').notNull().default(1),
    created_at: ts('created_at').notNull().defaultNow(),
    updated_at: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('intervention_rules_key_uq').on(t.tenant_id, t.key)],
);

/** Immutable definition of one version of a rule (JsonLogic condition, window, templates …). */
export const interventionRuleVersions = pgTable(
  'intervention_rule_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    rule_id: uuid('rule_id')
      .notNull()
      .references(() => interventionRules.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    definition: jsonb('definition').notNull(),
    created_by: uuid('created_by'),
    created_by_name: text('created_by_name'),
    created_at: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('intervention_rule_versions_uq').on(t.tenant_id, t.rule_id, t.version)],
);

/** One intervention bundle: risk alert + talk track + resources, addressed to an owner, with evidence. */
export const interventions = pgTable(
  'interventions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    account_id: uuid('account_id').notNull(),
    opportunity_id: uuid('opportunity_id'),
    rule_id: uuid('rule_id').notNull(),
    rule_key: text('rule_key').notNull(),
    rule_version: integer('rule_version').notNull(),
    status: text('status').notNull().default('open'), // open | accepted | dismissed
    severity: text('severity').notNull(), // low | medium | high | critical
    title: text('title').notNull(),
    risk: jsonb('risk').notNull(), // { severity, what_changed }
    talk_track: text('talk_track').notNull(),
    resources: jsonb('resources').notNull(), // { cases[], specialist, budget }
    owner_id: uuid('owner_id'),
    due_at: ts('due_at').notNull(),
    evidence: jsonb('evidence').notNull(), // { signal_ids, rule_id, rule_key, rule_version, features }
    signal_ids: uuid('signal_ids').array().notNull().default(sql`'{}'::uuid[]`),
    occurrences: integer('occurrences').notNull().default(1),
    delivery: text('delivery').notNull().default('realtime'), // realtime | brief
    delivery_reason: text('delivery_reason'),
    first_fired_at: ts('first_fired_at').notNull().defaultNow(),
    last_fired_at: ts('last_fired_at').notNull().defaultNow(),
    acted_at: ts('acted_at'),
    acted_by: uuid('acted_by'),
    dismiss_reason: text('dismiss_reason'),
    sign_off_status: text('sign_off_status').notNull().default('not_required'), // not_required | pending | approved | rejected
    outcome: text('outcome'), // won | lost | helped | no_effect | …
    outcome_note: text('outcome_note'),
    outcome_at: ts('outcome_at'),
    fire_latency_ms: real('fire_latency_ms'),
    created_at: ts('created_at').notNull().defaultNow(),
    updated_at: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('interventions_one_open_uq')
      .on(t.tenant_id, t.account_id, t.rule_key)
      .where(sql`status = 'open'`),
    index('interventions_owner_idx').on(t.tenant_id, t.owner_id, t.created_at),
    index('interventions_tenant_created_idx').on(t.tenant_id, t.created_at, t.id),
    index('interventions_account_idx').on(t.tenant_id, t.account_id, t.created_at),
  ],
);

/** Sign-off of a strategy built on an intervention: decision + written basis, kept forever. */
export const interventionSignOffs = pgTable(
  'intervention_sign_offs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    intervention_id: uuid('intervention_id')
      .notNull()
      .references(() => interventions.id, { onDelete: 'cascade' }),
    decision: text('decision').notNull(), // approved | rejected
    basis: text('basis').notNull(),
    signed_by: uuid('signed_by'),
    signed_by_name: text('signed_by_name'),
    signed_by_role: text('signed_by_role').notNull(),
    created_at: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('intervention_sign_offs_idx').on(t.tenant_id, t.intervention_id, t.created_at)],
);
