import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../../platform/auth/auth.schema.js';
import { createdAtColumn, tenantIdColumn, updatedAtColumn } from '../../platform/db/columns.js';

const tenantId = tenantIdColumn;
const createdAt = createdAtColumn;
const updatedAt = updatedAtColumn;
const custom = () => jsonb('custom').notNull().default(sql`'{}'::jsonb`);
const textArray = (name: string) => text(name).array().notNull().default(sql`'{}'::text[]`);

export const regions = pgTable('regions', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenant_id: tenantId(),
  name: text('name').notNull(),
  code: text('code'),
  parent_id: uuid('parent_id'),
  created_at: createdAt(),
  updated_at: updatedAt(),
});

export const teams = pgTable('teams', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenant_id: tenantId(),
  name: text('name').notNull(),
  region_id: uuid('region_id').references(() => regions.id, { onDelete: 'set null' }),
  leader_id: uuid('leader_id').references(() => users.id, { onDelete: 'set null' }),
  created_at: createdAt(),
  updated_at: updatedAt(),
});

export const accounts = pgTable(
  'accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    name: text('name').notNull(),
    // Sort and search keys for Chinese names (pinyin, e.g. 华为 → huawei / hw), derived from
    // name on every write by the CRM service; null until derived (backfilled at start).
    name_pinyin: text('name_pinyin'),
    name_initials: text('name_initials'),
    aliases: textArray('aliases'),
    domains: textArray('domains'),
    credit_code: text('credit_code'),
    industry: text('industry'),
    region_id: uuid('region_id').references(() => regions.id, { onDelete: 'set null' }),
    size: text('size'),
    employees: integer('employees'),
    owner_id: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    tags: textArray('tags'),
    website: text('website'),
    phone: text('phone'),
    address: text('address'),
    description: text('description'),
    custom: custom(),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    index('accounts_tenant_pinyin_idx').on(t.tenant_id, t.name_pinyin, t.id),
    // Empty in steady state: lets the backfill after each start find rows without keys without a scan.
    index('accounts_pinyin_missing_idx')
      .on(t.id)
      .where(sql`${t.name_pinyin} is null or ${t.name_initials} is null`),
    index('accounts_pinyin_trgm_idx').using('gin', sql`${t.name_pinyin} gin_trgm_ops`),
    // Initials are matched by prefix (hw → 华为…), so a pattern-ops btree is enough and far cheaper
    // to maintain on bulk imports than a trigram index.
    index('accounts_initials_prefix_idx').on(t.tenant_id, t.name_initials.op('text_pattern_ops')),
    index('accounts_tenant_name_idx').on(t.tenant_id, t.name, t.id),
    index('accounts_tenant_updated_idx').on(t.tenant_id, t.updated_at, t.id),
    index('accounts_owner_idx').on(t.tenant_id, t.owner_id),
    uniqueIndex('accounts_credit_code_uq').on(t.tenant_id, t.credit_code),
    index('accounts_domains_idx').using('gin', t.domains),
    index('accounts_name_trgm_idx').using('gin', sql`${t.name} gin_trgm_ops`),
  ],
);

export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    account_id: uuid('account_id').references(() => accounts.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    // Sort and search keys for Chinese names (pinyin, e.g. 华为 → huawei / hw), derived from
    // name on every write by the CRM service; null until derived (backfilled at start).
    name_pinyin: text('name_pinyin'),
    name_initials: text('name_initials'),
    name_en: text('name_en'),
    emails: textArray('emails'),
    phones: textArray('phones'),
    title: text('title'),
    department: text('department'),
    committee_role: text('committee_role'),
    influence: integer('influence'),
    stance: text('stance'),
    preferences: textArray('preferences'),
    owner_id: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    tags: textArray('tags'),
    custom: custom(),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    index('contacts_tenant_pinyin_idx').on(t.tenant_id, t.name_pinyin, t.id),
    // Empty in steady state: lets the backfill after each start find rows without keys without a scan.
    index('contacts_pinyin_missing_idx')
      .on(t.id)
      .where(sql`${t.name_pinyin} is null or ${t.name_initials} is null`),
    index('contacts_pinyin_trgm_idx').using('gin', sql`${t.name_pinyin} gin_trgm_ops`),
    // Initials are matched by prefix (hw → 华为…), so a pattern-ops btree is enough and far cheaper
    // to maintain on bulk imports than a trigram index.
    index('contacts_initials_prefix_idx').on(t.tenant_id, t.name_initials.op('text_pattern_ops')),
    index('contacts_tenant_name_idx').on(t.tenant_id, t.name, t.id),
    index('contacts_tenant_updated_idx').on(t.tenant_id, t.updated_at, t.id),
    index('contacts_account_idx').on(t.tenant_id, t.account_id),
    index('contacts_emails_idx').using('gin', t.emails),
    index('contacts_name_trgm_idx').using('gin', sql`${t.name} gin_trgm_ops`),
  ],
);

export const products = pgTable('products', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenant_id: tenantId(),
  name: text('name').notNull(),
  sku: text('sku'),
  family: text('family'),
  unit_price: numeric('unit_price', { precision: 18, scale: 2, mode: 'number' }),
  currency: text('currency').notNull().default('CNY'),
  active: boolean('active').notNull().default(true),
  description: text('description'),
  custom: custom(),
  created_at: createdAt(),
  updated_at: updatedAt(),
});

/** stages: [{ key, name, name_en, probability (0–100), kind: open|won|lost }] in board order. */
export const pipelines = pgTable('pipelines', {
  id: uuid('id').primaryKey().defaultRandom(),
  tenant_id: tenantId(),
  name: text('name').notNull(),
  is_default: boolean('is_default').notNull().default(false),
  stages: jsonb('stages').notNull(),
  created_at: createdAt(),
  updated_at: updatedAt(),
});

export const opportunities = pgTable(
  'opportunities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    name: text('name').notNull(),
    // Sort and search keys for Chinese names (pinyin, e.g. 华为 → huawei / hw), derived from
    // name on every write by the CRM service; null until derived (backfilled at start).
    name_pinyin: text('name_pinyin'),
    name_initials: text('name_initials'),
    account_id: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'restrict' }),
    pipeline_id: uuid('pipeline_id')
      .notNull()
      .references(() => pipelines.id, { onDelete: 'restrict' }),
    stage: text('stage').notNull(),
    status: text('status').notNull().default('open'), // open | won | lost, derived from the stage kind
    amount: numeric('amount', { precision: 18, scale: 2, mode: 'number' }).notNull().default(0),
    currency: text('currency').notNull().default('CNY'),
    expected_close_date: date('expected_close_date').notNull(),
    probability: integer('probability').notNull().default(0),
    owner_id: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    team_id: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    region_id: uuid('region_id').references(() => regions.id, { onDelete: 'set null' }),
    product_ids: uuid('product_ids').array().notNull().default(sql`'{}'::uuid[]`),
    close_reason: text('close_reason'),
    closed_at: timestamp('closed_at', { withTimezone: true }),
    stage_changed_at: timestamp('stage_changed_at', { withTimezone: true }).notNull().defaultNow(),
    custom: custom(),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    index('opps_tenant_pinyin_idx').on(t.tenant_id, t.name_pinyin, t.id),
    // Empty in steady state: lets the backfill after each start find rows without keys without a scan.
    index('opps_pinyin_missing_idx')
      .on(t.id)
      .where(sql`${t.name_pinyin} is null or ${t.name_initials} is null`),
    index('opps_pinyin_trgm_idx').using('gin', sql`${t.name_pinyin} gin_trgm_ops`),
    // Initials are matched by prefix (hw → 华为…), so a pattern-ops btree is enough and far cheaper
    // to maintain on bulk imports than a trigram index.
    index('opps_initials_prefix_idx').on(t.tenant_id, t.name_initials.op('text_pattern_ops')),
    index('opps_tenant_updated_idx').on(t.tenant_id, t.updated_at, t.id),
    index('opps_tenant_close_idx').on(t.tenant_id, t.expected_close_date, t.id),
    index('opps_tenant_amount_idx').on(t.tenant_id, t.amount, t.id),
    index('opps_stage_amount_idx').on(t.tenant_id, t.stage, t.amount, t.id),
    index('opps_owner_close_idx').on(t.tenant_id, t.owner_id, t.expected_close_date, t.id),
    index('opps_account_idx').on(t.tenant_id, t.account_id),
    index('opps_name_trgm_idx').using('gin', sql`${t.name} gin_trgm_ops`),
  ],
);

export const activities = pgTable(
  'activities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    type: text('type').notNull(), // call | meeting | email | visit | note | task
    subject: text('subject').notNull(),
    body: text('body'),
    occurred_at: timestamp('occurred_at', { withTimezone: true }).notNull(),
    duration_minutes: integer('duration_minutes'),
    status: text('status').notNull().default('done'), // planned | done | cancelled
    account_id: uuid('account_id').references(() => accounts.id, { onDelete: 'cascade' }),
    opportunity_id: uuid('opportunity_id').references(() => opportunities.id, { onDelete: 'cascade' }),
    contact_ids: uuid('contact_ids').array().notNull().default(sql`'{}'::uuid[]`),
    owner_id: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    participants: textArray('participants'),
    custom: custom(),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    index('activities_tenant_time_idx').on(t.tenant_id, t.occurred_at, t.id),
    index('activities_account_idx').on(t.tenant_id, t.account_id, t.occurred_at),
    index('activities_opp_idx').on(t.tenant_id, t.opportunity_id, t.occurred_at),
    index('activities_contacts_idx').using('gin', t.contact_ids),
  ],
);

/** Admin-defined typed fields stored in each record's `custom` object. */
export const customFields = pgTable(
  'custom_fields',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    entity: text('entity').notNull(), // accounts | contacts | opportunities | activities | products
    key: text('key').notNull(),
    label: text('label').notNull(),
    label_en: text('label_en'),
    type: text('type').notNull(), // text | number | date | boolean | select | multiselect
    options: textArray('options'),
    required: boolean('required').notNull().default(false),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [uniqueIndex('custom_fields_uq').on(t.tenant_id, t.entity, t.key)],
);

/**
 * A merge of two accounts or two contacts (issue 16): the merged record's own values, the
 * survivor's values before the merge and the ids of every CRM row moved, so an undo within 30
 * days restores both records and moves exactly those rows back. Other modules' moves are in
 * the platform's record_moves (batch_id = this id).
 */
export const crmMerges = pgTable(
  'crm_merges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    entity: text('entity').notNull(), // account | contact
    survivor_id: uuid('survivor_id').notNull(),
    merged_id: uuid('merged_id').notNull(),
    merged_name: text('merged_name').notNull(),
    /** The merged record as it was (every column but derived ones), to recreate it on undo. */
    merged_record: jsonb('merged_record').notNull(),
    /** The survivor's fields the merge changed, with their values before it. */
    survivor_before: jsonb('survivor_before').notNull().default(sql`'{}'::jsonb`),
    /** The values the merge wrote on those fields: undo reverts a field only while it still holds this. */
    survivor_after: jsonb('survivor_after').notNull().default(sql`'{}'::jsonb`),
    /** The merged record's shares ({ subject_type, subject_id, access }[]), re-created on undo. */
    merged_shares: jsonb('merged_shares').notNull().default(sql`'[]'::jsonb`),
    /** CRM rows moved: { contacts: [ids], opportunities: [ids], activities: [{ id, contact_ids? }] }. */
    moved_rows: jsonb('moved_rows').notNull().default(sql`'{}'::jsonb`),
    status: text('status').notNull().default('merged'), // merged | undone
    created_at: createdAt(),
    created_by: uuid('created_by'),
    created_by_name: text('created_by_name'),
    undo_until: timestamp('undo_until', { withTimezone: true }).notNull(),
    undone_at: timestamp('undone_at', { withTimezone: true }),
    undone_by: uuid('undone_by'),
  },
  (t) => [
    index('crm_merges_merged_idx').on(t.tenant_id, t.merged_id),
    index('crm_merges_survivor_idx').on(t.tenant_id, t.survivor_id),
    index('crm_merges_created_idx').on(t.tenant_id, t.created_at, t.id),
  ],
);
