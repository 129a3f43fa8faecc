import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { tenantIdColumn, timestamptzMs } from '../../platform/db/columns.js';

/**
 * A privacy request run as a case: access, rectification, erasure, restriction,
 * portability, withdrawal or objection, for one contact, on a legal clock (GDPR one month, PIPL a
 * number of working days). The due date is derived from the case's history (pauses while waiting
 * on the requester), never stored as the only truth.
 */
export const privacyCases = pgTable(
  'privacy_cases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantIdColumn(),
    /** access | rectification | erasure | restriction | portability | withdrawal | objection */
    kind: text('kind').notNull(),
    /** portal | phone | letter | email | staff */
    channel: text('channel').notNull(),
    /** gdpr | pipl */
    regime: text('regime').notNull(),
    /** received | verifying | in_progress | waiting_on_requester | completed | rejected | withdrawn */
    state: text('state').notNull(),
    /** The CRM contact the request is about (read through the CRM's services). */
    contact_id: uuid('contact_id').notNull(),
    details: text('details'),
    /** Kind-specific request data, e.g. a rectification's { field, value }. */
    payload: jsonb('payload').notNull().default(sql`'{}'::jsonb`),
    /** When the request reached the organisation: the legal clock starts here. */
    received_at: timestamptzMs('received_at').notNull(),
    identity_verified: boolean('identity_verified').notNull().default(false),
    assignee_id: uuid('assignee_id'),
    /** PIPL: working days the tenant allowed when the case was opened (later setting changes do not move it). */
    due_working_days: integer('due_working_days'),
    /** GDPR: months the deadline was extended by (0–2, once), with the reason. */
    extension_months: integer('extension_months').notNull().default(0),
    extension_reason: text('extension_reason'),
    /** Why it was rejected, or what the completion was. */
    resolution: text('resolution'),
    /** The erasure proof report a completed erasure case points to. */
    proof_report_id: text('proof_report_id'),
    closed_at: timestamptzMs('closed_at'),
    /** Deadline warnings already sent, as `<level>:<due date>` (a moved due date warns again). */
    warnings_sent: text('warnings_sent').array().notNull().default(sql`'{}'::text[]`),
    created_by: uuid('created_by'),
    created_at: timestamptzMs('created_at').notNull().defaultNow(),
    updated_at: timestamptzMs('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('privacy_cases_tenant_state_idx').on(t.tenant_id, t.state),
    index('privacy_cases_contact_idx').on(t.tenant_id, t.contact_id),
    index('privacy_cases_assignee_idx').on(t.tenant_id, t.assignee_id),
  ],
);

/**
 * The case history: every change (who, when, what). State changes here are what the clock is
 * computed from (time spent in waiting_on_requester does not count).
 */
export const privacyCaseEvents = pgTable(
  'privacy_case_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenant_id: tenantIdColumn(),
    case_id: uuid('case_id')
      .notNull()
      .references(() => privacyCases.id, { onDelete: 'cascade' }),
    /** opened | state | assigned | extended | comment | reply | rectification | erasure | warning */
    kind: text('kind').notNull(),
    from_state: text('from_state'),
    to_state: text('to_state'),
    message: text('message'),
    data: jsonb('data').notNull().default(sql`'{}'::jsonb`),
    actor_type: text('actor_type').notNull(),
    actor_id: uuid('actor_id'),
    actor_name: text('actor_name'),
    source: text('source').notNull(),
    at: timestamptzMs('at').notNull().defaultNow(),
  },
  (t) => [index('privacy_case_events_case_idx').on(t.tenant_id, t.case_id, t.at)],
);

/** A tenant's privacy-case settings: default regime, the PIPL period and its working calendar. */
export const privacyCalendarSettings = pgTable('privacy_calendar_settings', {
  tenant_id: tenantIdColumn().primaryKey(),
  default_regime: text('default_regime').notNull().default('pipl'),
  pipl_working_days: integer('pipl_working_days').notNull().default(15),
  time_zone: text('time_zone').notNull().default('Asia/Shanghai'),
  work_start: text('work_start').notNull().default('09:00'),
  work_end: text('work_end').notNull().default('18:00'),
  lunch_start: text('lunch_start'),
  lunch_end: text('lunch_end'),
  extra_holidays: text('extra_holidays').array().notNull().default(sql`'{}'::text[]`),
  extra_working_days: text('extra_working_days').array().notNull().default(sql`'{}'::text[]`),
  updated_by: uuid('updated_by'),
  updated_at: timestamptzMs('updated_at').notNull().defaultNow(),
});
