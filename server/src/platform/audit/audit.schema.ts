import { bigserial, index, jsonb, pgTable, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * One row per change to any record: it is both the audit trail (who, when, old → new, why)
 * and the data lineage (source, method, actor, confidence) of every field it touched.
 */
export const changeLog = pgTable(
  'change_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenant_id: uuid('tenant_id').notNull(),
    entity: text('entity').notNull(),
    entity_id: uuid('entity_id').notNull(),
    action: text('action').notNull(), // create | update | delete
    /** { field: { old, new } } */
    changes: jsonb('changes').notNull(),
    actor_type: text('actor_type').notNull(), // user | api_key | system | import | customer
    actor_id: uuid('actor_id'),
    actor_name: text('actor_name'),
    source: text('source').notNull(), // ui | api | import:csv | import:xlsx | seed | signal:… | portal
    method: text('method').notNull(), // manual | import | ai_extracted | computed | sync
    confidence: real('confidence'),
    reason: text('reason'),
    batch_id: uuid('batch_id'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('change_log_entity_idx').on(t.tenant_id, t.entity, t.entity_id, t.at)],
);
