import { index, integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { tenantIdColumn, timestamptz } from '../../platform/db/columns.js';

const ts = timestamptz;

/**
 * One portal sign-in request: written for every e-mail asked about, known or not, so the
 * rate limits and the answer are the same either way. Holds no address in clear: the e-mail and
 * the client address are SHA-256 digests. When the address belongs to a contact, the hashed code
 * and link token are filled in after the answer was sent. Not a tenant table: a contact of several
 * tenants signs in once and chooses the organisation afterwards.
 */
export const portalLogins = pgTable(
  'portal_logins',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email_hash: text('email_hash').notNull(),
    ip_hash: text('ip_hash').notNull(),
    /** zh-CN | en: the language of the mail (Accept-Language of the request). */
    locale: text('locale').notNull(),
    /** sha256 of the 6-digit code; null while not (yet) sent or when the address is unknown. */
    code_hash: text('code_hash'),
    /** sha256 of the one-time link's token. */
    token_hash: text('token_hash'),
    /** [{ tenant_id, contact_id }] the address belonged to when the mail was sent (the session's choices). */
    candidates: jsonb('candidates'),
    /** Wrong codes entered against this request; at 5 it is locked. */
    attempts: integer('attempts').notNull().default(0),
    expires_at: ts('expires_at').notNull(),
    consumed_at: ts('consumed_at'),
    created_at: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('portal_logins_email_idx').on(t.email_hash, t.created_at),
    index('portal_logins_ip_idx').on(t.ip_hash, t.created_at),
    index('portal_logins_token_idx').on(t.token_hash),
  ],
);

/**
 * A portal session (cookie `zs_portal`, stored hashed): never a staff session. `candidates` are
 * the (tenant, contact) pairs the verified e-mail belongs to; `tenant_id`/`contact_id` are set once
 * the person chose the organisation (at once when there is only one). 30 minutes idle, 8 hours
 * at most. Deliberately no tenant_id column name for the choice: the row exists before a tenant is
 * chosen and is read across tenants (system transaction) by the portal's own pre-handler.
 */
export const portalSessions = pgTable(
  'portal_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    token_hash: text('token_hash').notNull().unique(),
    /** [{ tenant_id, contact_id }] */
    candidates: jsonb('candidates').notNull(),
    selected_tenant_id: uuid('selected_tenant_id'),
    selected_contact_id: uuid('selected_contact_id'),
    locale: text('locale').notNull(),
    created_at: ts('created_at').notNull().defaultNow(),
    last_seen_at: ts('last_seen_at').notNull().defaultNow(),
    /** created_at + 8 h: the session ends then whatever the activity. */
    expires_at: ts('expires_at').notNull(),
    ended_at: ts('ended_at'),
  },
  (t) => [index('portal_sessions_contact_idx').on(t.selected_tenant_id, t.selected_contact_id)],
);

/**
 * What a contact set for themselves in the portal that the CRM has no field for: the language
 * they want to be written to (zh-CN | en). Changes are recorded in the contact's change log
 * (field `preferred_language`, actor the customer, source portal).
 */
export const portalPreferences = pgTable(
  'portal_preferences',
  {
    tenant_id: tenantIdColumn(),
    /** The contact (crm); no foreign key across modules. */
    contact_id: uuid('contact_id').notNull(),
    preferred_language: text('preferred_language'),
    updated_at: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenant_id, t.contact_id] })],
);
