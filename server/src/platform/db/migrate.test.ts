import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/test-database.js';
import type { Database } from './database.js';
import { migrateDatabase } from './migrate.js';

let db: Database;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ database: db, cleanup } = await openTestDatabase());
});
afterAll(async () => cleanup?.());

describe(`migrations (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('applies the one migration set, and re-running it changes nothing', async () => {
    const before = await db.query<{ n: number }>(
      "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
    );
    await migrateDatabase(db);
    await migrateDatabase(db);
    const after = await db.query<{ n: number }>(
      "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
    );
    expect(after.rows[0].n).toBe(before.rows[0].n);
    const tables = (
      await db.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'public'",
      )
    ).rows.map((r) => r.table_name);
    for (const t of [
      'tenants',
      'users',
      'sessions',
      'api_keys',
      'change_log',
      'domain_events',
      'accounts',
      'contacts',
      'opportunities',
      'activities',
      'pipelines',
      'products',
      'custom_fields',
    ]) {
      expect(tables).toContain(t);
    }
  });

  it('puts a tenant-isolation policy with row-level security on every table that has tenant_id', async () => {
    const { rows } = await db.query<{ table_name: string; rls: boolean; policies: number }>(
      `select c.table_name, cl.relrowsecurity as rls,
              (select count(*)::int from pg_policies p where p.tablename = c.table_name and p.policyname = 'tenant_isolation') as policies
         from information_schema.columns c
         join pg_class cl on cl.relname = c.table_name and cl.relkind = 'r'
        where c.table_schema = 'public' and c.column_name = 'tenant_id'`,
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) expect(r, r.table_name).toMatchObject({ rls: true, policies: 1 });
  });
});
