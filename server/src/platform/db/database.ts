import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { bindCaches, CacheRegistry } from '../caches.js';
import { prop } from '../narrow.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';

export type Db = PgDatabase<PgQueryResultHKT, Record<string, never>>;
/** A transaction (or the database) that service functions write through. */
export type Tx = Db;

/** The role that tenant-scoped transactions switch to, so row-level security applies. */
export const APP_ROLE = 'zhongshu_app';

export interface SqlExecutor {
  /** Runs one parameterised statement and returns its rows (used by pg-boss and raw SQL). */
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: T[] }>;
}

export interface Database extends SqlExecutor {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** Whether RLS policies are active for tenant transactions (false when we could not create the role). */
  rlsEnabled: boolean;
  /** Runs fn in a transaction scoped to one tenant: data-layer filters plus RLS as the second wall. */
  tenantTx<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs fn in a transaction with no tenant scope (login, migrations, jobs across tenants). */
  systemTx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Raw handle, for migrations and pg-boss. */
  raw: { pglite?: PGlite; pool?: pg.Pool };
  /** The exclusive lock on an embedded data dir (PGlite on disk only), released by close(). */
  dataDirLock?: DataDirLock;
  /** The in-memory caches of the platform this database serves; every transaction is bound to them. */
  caches: CacheRegistry;
}

// numeric → JS number (amounts fit in double precision at our scale); bigint counts too.
pg.types.setTypeParser(1700, (v) => (v === null ? null : Number(v)));
pg.types.setTypeParser(20, (v) => (v === null ? null : Number(v)));
// date stays a 'YYYY-MM-DD' string.
pg.types.setTypeParser(1082, (v) => v);

export async function openDatabase(opts: {
  databaseUrl?: string;
  dataDir?: string;
  poolSize?: number;
}): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 20);
  return openPglite(opts.dataDir);
}

/** The parts that differ between PGlite and node-postgres; the rest is shared below. */
interface Driver {
  kind: Database['kind'];
  db: Db;
  query: SqlExecutor['query'];
  close(): Promise<void>;
  raw: Database['raw'];
  dataDirLock?: DataDirLock;
}

function makeDatabase(driver: Driver): Database {
  const { db } = driver;
  const caches = new CacheRegistry();
  bindCaches(db, caches);
  const database: Database = {
    ...driver,
    caches,
    rlsEnabled: true,
    async tenantTx<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
      return db.transaction(async (tx) => {
        // One round trip: set_config('role', …, true) is SET LOCAL ROLE.
        if (database.rlsEnabled) {
          await tx.execute(
            sql`select set_config('role', ${APP_ROLE}, true), set_config('zhongshu.tenant_id', ${tenantId}, true)`,
          );
        } else {
          await tx.execute(sql`select set_config('zhongshu.tenant_id', ${tenantId}, true)`);
        }
        return fn(bindCaches(tx as unknown as Tx, caches));
      });
    },
    async systemTx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return db.transaction(async (tx) => fn(bindCaches(tx as unknown as Tx, caches)));
    },
  };
  return database;
}

/**
 * PGlite on disk belongs to one process: the data dir is locked first (DataDirLockedError names the
 * holder), so a second process never opens the files. 'memory://' needs no lock.
 */
async function openPglite(dataDir?: string): Promise<Database> {
  const onDisk = dataDir !== undefined && dataDir !== 'memory://';
  if (onDisk) mkdirSync(dataDir, { recursive: true });
  const lock = onDisk ? acquireDataDirLock(dataDir) : undefined;
  let client: PGlite;
  try {
    client = await PGlite.create(dataDir ?? 'memory://', {
      extensions: { pg_trgm },
      // Same value types as the node-postgres path: numeric/bigint → number, date → 'YYYY-MM-DD'.
      parsers: { 1700: (v: string) => Number(v), 20: (v: string) => Number(v), 1082: (v: string) => v },
    });
  } catch (err) {
    lock?.release();
    throw err;
  }
  return makeDatabase({
    kind: 'pglite',
    db: drizzlePglite(client) as unknown as Db,
    async query<T>(text: string, values?: unknown[]) {
      if (!values || values.length === 0) {
        // exec handles multi-statement scripts (pg-boss creates its schema this way).
        const results = await client.exec(text);
        return { rows: (results.at(-1)?.rows ?? []) as T[] };
      }
      const r = await client.query<T>(text, values);
      return { rows: r.rows };
    },
    async close() {
      try {
        if (!client.closed) await client.close();
      } finally {
        lock?.release();
      }
    },
    raw: { pglite: client },
    dataDirLock: lock,
  });
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', () => {
    /* idle client errors are retried on next checkout */
  });
  await pool.query('select 1');
  return makeDatabase({
    kind: 'postgres',
    db: drizzleNodePg(pool) as unknown as Db,
    async query<T>(text: string, values?: unknown[]) {
      const r = await pool.query(text, values);
      return { rows: r.rows as T[] };
    },
    close: () => pool.end(),
    raw: { pool },
  });
}

/** Convenience for raw SQL fragments executed through drizzle inside a transaction. */
export async function execRows<T>(tx: Tx, query: SQL): Promise<T[]> {
  const r: unknown = await tx.execute(query);
  // Both drivers answer { rows }; the result itself is the row list otherwise.
  return (prop(r, 'rows') ?? r) as T[];
}
