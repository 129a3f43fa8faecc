import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { APP_ROLE, type Database } from './database.js';

const here = dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_FOLDER = join(here, '..', '..', '..', 'drizzle');

/**
 * Applies the one migration set (drizzle-kit output) and then the row-level-security wall:
 * every table with a tenant_id column gets a policy that only shows rows of the tenant set
 * by Database.tenantTx. Run on every start; each step is idempotent.
 */
export async function migrateDatabase(database: Database): Promise<void> {
  await database.query('create extension if not exists pg_trgm');
  if (database.kind === 'pglite') {
    await migratePglite(database.db as any, { migrationsFolder: MIGRATIONS_FOLDER });
  } else {
    await migrateNodePg(database.db as any, { migrationsFolder: MIGRATIONS_FOLDER });
  }
  await applyRowLevelSecurity(database);
}

async function applyRowLevelSecurity(database: Database): Promise<void> {
  try {
    await database.query(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = '${APP_ROLE}') then
        create role ${APP_ROLE} nologin;
      end if;
    exception when duplicate_object then null; end $$;`);
    await database.query(`grant ${APP_ROLE} to current_user`).catch(() => undefined);
    await database.query(`grant usage on schema public to ${APP_ROLE}`);
    await database.query(
      `grant select, insert, update, delete on all tables in schema public to ${APP_ROLE}`,
    );
    await database.query(`grant usage, select on all sequences in schema public to ${APP_ROLE}`);
  } catch (err) {
    // A PostgreSQL login without CREATEROLE: keep the data-layer filter, report that RLS is off.
    database.rlsEnabled = false;
    console.warn(`[zhongshu] row-level security disabled: ${(err as Error).message}`);
    return;
  }
  const { rows } = await database.query<{ table_name: string }>(
    `select c.table_name from information_schema.columns c
       join information_schema.tables t on t.table_name = c.table_name and t.table_schema = c.table_schema
      where c.table_schema = 'public' and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'`,
  );
  for (const { table_name } of rows) {
    await database.query(`alter table "${table_name}" enable row level security`);
    await database.query(`do $$ begin
      if not exists (select 1 from pg_policies where tablename = '${table_name}' and policyname = 'tenant_isolation') then
        create policy tenant_isolation on "${table_name}"
          using (tenant_id = nullif(current_setting('zhongshu.tenant_id', true), '')::uuid)
          with check (tenant_id = nullif(current_setting('zhongshu.tenant_id', true), '')::uuid);
      end if;
    end $$;`);
  }
}
