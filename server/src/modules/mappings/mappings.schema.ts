import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantIdColumn, timestamptz } from '../../platform/db/columns.js';

const tenantId = tenantIdColumn;
const ts = timestamptz;

/**
 * A mapping definition (R-6.2): where a foreign payload goes (`target`: signal, or a CRM record —
 * accounts | contacts | opportunities | activities), its editable draft ({ sample, fields, trigger })
 * and which frozen version is active (null: none). `source_id` is the inbound webhook source
 * (signals' signal_sources.id, no foreign key across modules) whose payloads it maps; one per source.
 */
export const mappingDefinitions = pgTable(
  'mapping_definitions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    name: text('name').notNull(),
    description: text('description'),
    target: text('target').notNull(),
    source_id: uuid('source_id'),
    /** { sample, fields: { target_field: jsonata }, trigger: JsonLogic | null } */
    draft: jsonb('draft').notNull(),
    draft_updated_at: ts('draft_updated_at').notNull().defaultNow(),
    active_version: integer('active_version'),
    created_by: uuid('created_by'),
    created_at: ts('created_at').notNull().defaultNow(),
    updated_at: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('mapping_definitions_tenant_idx').on(t.tenant_id, t.created_at),
    uniqueIndex('mapping_definitions_source_uq').on(t.tenant_id, t.source_id),
  ],
);

/** A frozen version: what "activate" made of the draft. Never changed, kept for viewing and re-activation. */
export const mappingVersions = pgTable(
  'mapping_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    definition_id: uuid('definition_id')
      .notNull()
      .references(() => mappingDefinitions.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    target: text('target').notNull(),
    fields: jsonb('fields').notNull(),
    trigger: jsonb('trigger'),
    sample: jsonb('sample'),
    created_by: uuid('created_by'),
    created_at: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('mapping_versions_uq').on(t.definition_id, t.version)],
);

/** One run of a mapping on a payload: a test run (dry) or an inbound webhook. */
export const mappingRuns = pgTable(
  'mapping_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    definition_id: uuid('definition_id')
      .notNull()
      .references(() => mappingDefinitions.id, { onDelete: 'cascade' }),
    /** null: the draft */
    version: integer('version'),
    /** test | webhook */
    trigger: text('trigger').notNull(),
    /** ok | skipped (trigger condition not met) | failed */
    status: text('status').notNull(),
    dry_run: boolean('dry_run').notNull().default(false),
    source_id: uuid('source_id'),
    /** The first 2 KB of the payload. */
    input_excerpt: text('input_excerpt').notNull(),
    /** The mapped record(s) and what the write path answered. */
    output: jsonb('output'),
    result: jsonb('result'),
    /** [{ field, reason, reasons }] */
    errors: jsonb('errors').notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('mapping_runs_list_idx').on(t.tenant_id, t.definition_id, t.at)],
);

/** The latest raw payload each inbound webhook source received (the editor's "use captured sample"). */
export const mappingSourceSamples = pgTable(
  'mapping_source_samples',
  {
    tenant_id: tenantId(),
    source_id: uuid('source_id').notNull(),
    payload: jsonb('payload').notNull(),
    received_at: ts('received_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('mapping_source_samples_uq').on(t.tenant_id, t.source_id)],
);
