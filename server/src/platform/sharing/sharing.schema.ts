import { sql } from 'drizzle-orm';
import { check, index, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.schema.js';
import { createdAtColumn, tenantIdColumn, timestamptz } from '../db/columns.js';

/**
 * Organisation-wide default access per shareable entity. A missing row means public_read_write
 * (what every tenant had before record-level sharing existed).
 */
export const sharingDefaults = pgTable(
  'sharing_defaults',
  {
    tenant_id: tenantIdColumn(),
    entity: text('entity').notNull(),
    access: text('access').notNull(), // public_read_write | public_read | private
    updated_at: timestamptz('updated_at').notNull().defaultNow(),
    updated_by: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [
    primaryKey({ columns: [t.tenant_id, t.entity] }),
    check('sharing_defaults_access_ck', sql`${t.access} in ('public_read_write', 'public_read', 'private')`),
  ],
);

/** An explicit grant of one record to a user or a team (read or edit). */
export const recordShares = pgTable(
  'record_shares',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantIdColumn(),
    entity: text('entity').notNull(),
    record_id: uuid('record_id').notNull(),
    subject_type: text('subject_type').notNull(), // user | team
    subject_id: uuid('subject_id').notNull(),
    access: text('access').notNull(), // read | edit
    created_by: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    created_at: createdAtColumn(),
  },
  (t) => [
    uniqueIndex('record_shares_subject_uq').on(
      t.tenant_id,
      t.entity,
      t.record_id,
      t.subject_type,
      t.subject_id,
    ),
    // The visibility predicate looks shares up by who they name: (entity, subject) → record ids.
    index('record_shares_by_subject_idx').on(
      t.tenant_id,
      t.entity,
      t.subject_type,
      t.subject_id,
      t.record_id,
    ),
    check('record_shares_subject_type_ck', sql`${t.subject_type} in ('user', 'team')`),
    check('record_shares_access_ck', sql`${t.access} in ('read', 'edit')`),
  ],
);
