import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantIdColumn, timestamptz } from '../../platform/db/columns.js';

const tenantId = tenantIdColumn;
const ts = timestamptz;

/**
 * A tenant's privacy notice, versioned: the text a person agrees to when they grant a
 * consent, in zh-CN and en. A draft can be edited; once published a version is immutable. The
 * current notice is the newest published version.
 */
export const privacyNotices = pgTable(
  'privacy_notices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    /** 1, 2, 3 … per tenant, in creation order. */
    version: integer('version').notNull(),
    title_zh: text('title_zh').notNull(),
    title_en: text('title_en').notNull(),
    text_zh: text('text_zh').notNull(),
    text_en: text('text_en').notNull(),
    /** draft | published */
    status: text('status').notNull().default('draft'),
    published_at: ts('published_at'),
    published_by_name: text('published_by_name'),
    created_by: uuid('created_by'),
    created_by_name: text('created_by_name'),
    created_at: ts('created_at').notNull().defaultNow(),
    updated_at: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('privacy_notices_version_uq').on(t.tenant_id, t.version)],
);

/**
 * The append-only consent history of a person (a contact) per purpose: every grant and
 * withdrawal with the notice version agreed to, the channel and who recorded it. The current
 * state of a purpose is its newest event; nothing is ever updated.
 */
export const consentEvents = pgTable(
  'consent_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    /** The contact (crm) the consent belongs to; no foreign key across modules. */
    contact_id: uuid('contact_id').notNull(),
    /** marketing_email | profiling | partner_sharing | call_recording */
    purpose: text('purpose').notNull(),
    granted: boolean('granted').notNull(),
    /** The privacy notice version the person agreed to (a grant) or was shown (a withdrawal). */
    notice_version_id: uuid('notice_version_id').references(() => privacyNotices.id),
    /** portal | staff | import | webform */
    channel: text('channel').notNull(),
    actor_type: text('actor_type').notNull(),
    actor_id: uuid('actor_id'),
    actor_name: text('actor_name'),
    note: text('note'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [
    index('consent_events_contact_idx').on(t.tenant_id, t.contact_id, t.purpose, t.at),
    index('consent_events_time_idx').on(t.tenant_id, t.at),
  ],
);

/**
 * A restriction of processing on a person (GDPR Art. 18, PIPL Art. 44): while active, their data
 * is kept but not used — not scored, not exported, not sent to webhooks or other systems. Set by a
 * restriction case or by staff, lifted by staff; both audited. At most one active per contact.
 */
export const processingRestrictions = pgTable(
  'processing_restrictions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    contact_id: uuid('contact_id').notNull(),
    reason: text('reason').notNull(),
    /** The privacy case that asked for it, when one did. */
    case_id: uuid('case_id'),
    set_by_name: text('set_by_name'),
    set_at: ts('set_at').notNull().defaultNow(),
    lifted_at: ts('lifted_at'),
    lifted_by_name: text('lifted_by_name'),
    lift_reason: text('lift_reason'),
  },
  (t) => [
    uniqueIndex('processing_restrictions_active_uq')
      .on(t.tenant_id, t.contact_id)
      .where(sql`lifted_at IS NULL`),
    index('processing_restrictions_contact_idx').on(t.tenant_id, t.contact_id, t.set_at),
  ],
);
