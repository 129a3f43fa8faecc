import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantIdColumn, timestamptz } from '../../platform/db/columns.js';

const tenantId = tenantIdColumn;
const ts = timestamptz;

/** Each tenant's salt for hashing erased identifiers (sha256(salt + normalised identifier)). */
export const privacySalts = pgTable('privacy_salts', {
  tenant_id: tenantId().primaryKey(),
  salt: text('salt').notNull(),
  created_at: ts('created_at').notNull().defaultNow(),
});

/**
 * The erasure ledger (issue 13 item 5): written BEFORE anything is deleted, it holds only salted
 * hashes of the person's identifiers, never the identifiers. Replaying it on a restored backup erases
 * the person again; while an entry is not lifted, the e-mail is blocked from being created again.
 * Each entry also goes to an append-only file beside the database (the file survives a restore).
 */
export const privacyErasureLedger = pgTable(
  'privacy_erasure_ledger',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    erasure_id: uuid('erasure_id').notNull(),
    case_id: uuid('case_id'),
    /** The contact's record id (an opaque key: it names no one once the record is gone). */
    contact_id: uuid('contact_id').notNull(),
    /** The salt the hashes were made with (copied, so a restore that lost privacy_salts still matches). */
    salt: text('salt').notNull(),
    email_hashes: text('email_hashes').array().notNull().default(sql`'{}'::text[]`),
    phone_hashes: text('phone_hashes').array().notNull().default(sql`'{}'::text[]`),
    name_hashes: text('name_hashes').array().notNull().default(sql`'{}'::text[]`),
    created_at: ts('created_at').notNull().defaultNow(),
    /** "The person returned": a staff member with privacy:manage lifted the re-import block. */
    lifted_at: ts('lifted_at'),
    lifted_by: uuid('lifted_by'),
    lifted_by_name: text('lifted_by_name'),
    lifted_reason: text('lifted_reason'),
  },
  (t) => [
    uniqueIndex('privacy_erasure_ledger_erasure_uq').on(t.tenant_id, t.erasure_id),
    index('privacy_erasure_ledger_emails_idx').using('gin', t.email_hashes),
  ],
);

/** One erasure run and its proof report (what was deleted or anonymised where, tombstones with reasons). */
export const privacyErasures = pgTable(
  'privacy_erasures',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    case_id: uuid('case_id'),
    contact_id: uuid('contact_id').notNull(),
    /** running | done | failed */
    status: text('status').notNull().default('running'),
    /** replay: re-applied from the ledger after a restore */
    trigger: text('trigger').notNull().default('case'),
    actor_type: text('actor_type').notNull(),
    actor_id: uuid('actor_id'),
    actor_name: text('actor_name'),
    /** { outcomes: ErasureOutcome[] by module, derived: [...], propagation: {...} } */
    report: jsonb('report').notNull().default(sql`'{}'::jsonb`),
    rows_touched: integer('rows_touched').notNull().default(0),
    /** domain_events.id of the privacy.erasure_requested event sent to connected systems. */
    event_id: bigint('event_id', { mode: 'number' }),
    started_at: ts('started_at').notNull().defaultNow(),
    finished_at: ts('finished_at'),
  },
  (t) => [index('privacy_erasures_tenant_idx').on(t.tenant_id, t.started_at)],
);

/** A connected system's receipt of an erasure (one per webhook endpoint subscribed to the event). */
export const privacyErasureReceipts = pgTable(
  'privacy_erasure_receipts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    erasure_id: uuid('erasure_id')
      .notNull()
      .references(() => privacyErasures.id, { onDelete: 'cascade' }),
    /** webhook (later: connector) */
    system_kind: text('system_kind').notNull(),
    system_id: uuid('system_id').notNull(),
    system_label: text('system_label').notNull(),
    /** pending | confirmed | failed */
    state: text('state').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    last_error: text('last_error'),
    confirmed_at: ts('confirmed_at'),
    updated_at: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('privacy_erasure_receipts_uq').on(t.tenant_id, t.erasure_id, t.system_kind, t.system_id),
  ],
);

/** An export of everything held about a contact (JSON + CSV in a zip on disk), with its progress. */
export const privacyExports = pgTable(
  'privacy_exports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    contact_id: uuid('contact_id').notNull(),
    /** queued | running | done | failed */
    status: text('status').notNull().default('queued'),
    /** Providers done of all (progress "n of m"). */
    done_steps: integer('done_steps').notNull().default(0),
    total_steps: integer('total_steps').notNull().default(0),
    requested_by_type: text('requested_by_type').notNull(),
    requested_by_id: uuid('requested_by_id'),
    requested_by_name: text('requested_by_name'),
    /** File name under the data dir's exports/ folder (never a path from outside). */
    file_name: text('file_name'),
    file_bytes: integer('file_bytes'),
    records: integer('records'),
    error: text('error'),
    created_at: ts('created_at').notNull().defaultNow(),
    finished_at: ts('finished_at'),
    expires_at: ts('expires_at').notNull(),
  },
  (t) => [
    index('privacy_exports_contact_idx').on(t.tenant_id, t.contact_id, t.created_at),
    index('privacy_exports_expiry_idx').on(t.expires_at),
  ],
);
