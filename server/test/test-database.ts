import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Database, openDatabase } from '../src/platform/db/database.js';
import { migrateDatabase } from '../src/platform/db/migrate.js';

/**
 * Tests run against both databases: PGlite (default) or the PostgreSQL server named by
 * DATABASE_URL. A migrated template is made once per run; every test file gets its own copy
 * (a copied PGlite data dir, or CREATE DATABASE … TEMPLATE), so files never see each other.
 */
const runId = process.env.ZS_TEST_RUN_ID ?? `${process.pid}_${Date.now()}`;
process.env.ZS_TEST_RUN_ID = runId;
const templateDir = join(tmpdir(), `zhongshu-test-template-${runId}`);
const templateDb = `zs_tpl_${runId}`;

function adminUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function prepareTemplate(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database if exists ${templateDb}`);
    await admin.query(`create database ${templateDb}`);
    await admin.end();
    const db = await openDatabase({ databaseUrl: adminUrl(url, templateDb), poolSize: 2 });
    await migrateDatabase(db);
    await db.close();
  } else {
    const db = await openDatabase({ dataDir: templateDir });
    await migrateDatabase(db);
    await db.close();
  }
}

export async function dropTemplate(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const { rows } = await admin.query(`select datname from pg_database where datname like $1`, [
      `zs_t%_${runId}%`,
    ]);
    for (const r of rows) await admin.query(`drop database if exists ${r.datname} with (force)`);
    await admin.end();
  } else if (existsSync(templateDir)) {
    rmSync(templateDir, { recursive: true, force: true });
  }
}

let counter = 0;
export async function openTestDatabase(): Promise<{
  database: Database;
  url?: string;
  dataDir?: string;
  cleanup: () => Promise<void>;
}> {
  const url = process.env.DATABASE_URL;
  counter += 1;
  if (url) {
    const name = `zs_t${process.pid}_${counter}_${runId}`.toLowerCase();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name} template ${templateDb}`);
    await admin.end();
    const dbUrl = adminUrl(url, name);
    const database = await openDatabase({ databaseUrl: dbUrl, poolSize: 5 });
    await migrateDatabase(database); // idempotent; re-applies grants for this copy
    return {
      database,
      url: dbUrl,
      cleanup: async () => {
        await database.close().catch(() => undefined);
        const a = new pg.Client({ connectionString: url });
        await a.connect();
        await a.query(`drop database if exists ${name} with (force)`);
        await a.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'zhongshu-test-'));
  cpSync(templateDir, dir, { recursive: true });
  const database = await openDatabase({ dataDir: dir });
  await migrateDatabase(database);
  return {
    database,
    dataDir: dir,
    cleanup: async () => {
      await database.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
