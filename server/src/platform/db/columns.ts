import { timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from '../tenancy/tenancy.schema.js';

/** Every tenant-owned table's tenant column (row-level security keys on it; see migrate.ts). */
export const tenantIdColumn = () =>
  uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' });

/** timestamptz at PostgreSQL's default (microsecond) precision. */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true });

/** timestamptz at millisecond precision: values round-trip through JS Dates exactly. */
export const timestamptzMs = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const createdAtColumn = () => timestamptz('created_at').notNull().defaultNow();
export const updatedAtColumn = () => timestamptz('updated_at').notNull().defaultNow();
