import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { MIGRATIONS_FOLDER } from '../paths.js';
import { backfillDerivedColumns } from '../records/resource.js';
import { APP_ROLE, type Database } from './database.js';

/**
 * Applies the one migration set (drizzle-kit output) and then the row-level-security wall:
 * every table with a tenant_id column gets a policy that only shows rows of the tenant set
 * by Database.tenantTx, then fills derived columns a migration added (e.g. pinyin sort keys)
 * on existing rows. Run on every start; each step is idempotent.
 */
export async function migrateDatabase(database: Database): Promise<void> {
  await database.query('create extension if not exists pg_trgm');
  if (database.kind === 'pglite') {
    await migratePglite(database.db as Parameters<typeof migratePglite>[0], {
      migrationsFolder: MIGRATIONS_FOLDER,
    });
  } else {
    await migrateNodePg(database.db as Parameters<typeof migrateNodePg>[0], {
      migrationsFolder: MIGRATIONS_FOLDER,
    });
  }
  await applyRowLevelSecurity(database);
  await backfillDerivedColumns(database);
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
  // One round trip for every table (run at each start, so it must be cheap when nothing changes).
  await database.query(`do $$
    declare t text;
    begin
      for t in
        select c.relname from pg_class c
          join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
          join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
         where c.relkind = 'r'
      loop
        if not (select relrowsecurity from pg_class where oid = ('public.' || quote_ident(t))::regclass) then
          execute format('alter table %I enable row level security', t);
        end if;
        if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = t and policyname = 'tenant_isolation') then
          execute format($p$create policy tenant_isolation on %I
            using (tenant_id = nullif(current_setting('zhongshu.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('zhongshu.tenant_id', true), '')::uuid)$p$, t);
        end if;
      end loop;
    end $$;`);
}
