import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Transactional outbox: written in the same transaction as the change it announces. */
export const domainEvents = pgTable(
  'domain_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenant_id: uuid('tenant_id').notNull(),
    name: text('name').notNull(),
    entity: text('entity'),
    entity_id: uuid('entity_id'),
    payload: jsonb('payload').notNull(),
    created_at: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    dispatched_at: timestamp('dispatched_at', { withTimezone: true }),
    /** Lease: a relay that crashes mid-dispatch lets the event be claimed again after this time. */
    claimed_until: timestamp('claimed_until', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    last_error: text('last_error'),
  },
  (t) => [index('domain_events_pending_idx').on(t.id).where(sql`dispatched_at is null`)],
);
