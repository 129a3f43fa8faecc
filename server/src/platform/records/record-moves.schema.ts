import { sql } from 'drizzle-orm';
import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantIdColumn, timestamptz } from '../db/columns.js';

/**
 * Rows a module re-pointed from one record to another as one step of a larger operation (a
 * merge): which rows (`row_ids`) of which kind (`what`), from which record id to which, so the
 * module that moved them can move exactly those back. One row per (batch, module, what); a
 * module's handler writes it once (at-least-once delivery: the unique key makes it idempotent).
 */
export const recordMoves = pgTable(
  'record_moves',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantIdColumn(),
    /** The operation the moves belong to (e.g. a merge's id). */
    batch_id: uuid('batch_id').notNull(),
    /** The module that moved the rows (and will move them back). */
    module: text('module').notNull(),
    /** What was moved, as counted to people (signals, interventions …). */
    what: text('what').notNull(),
    from_id: uuid('from_id').notNull(),
    to_id: uuid('to_id').notNull(),
    row_ids: uuid('row_ids').array().notNull().default(sql`'{}'::uuid[]`),
    created_at: timestamptz('created_at').notNull().defaultNow(),
    undone_at: timestamptz('undone_at'),
  },
  (t) => [
    uniqueIndex('record_moves_uq').on(t.tenant_id, t.batch_id, t.module, t.what),
    index('record_moves_batch_idx').on(t.tenant_id, t.batch_id),
  ],
);
