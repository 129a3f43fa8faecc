import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { NodePgSession, NodePgTransaction } from 'drizzle-orm/node-postgres/session';
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
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
  /**
   * A transaction opened by `prelude` (BEGIN and settings: literal statements returning no rows),
   * sent together with the transaction's first query in one round trip; a transaction that
   * queries nothing costs none. Absent: BEGIN and the settings as statements of their own.
   */
  transactionWith?<T>(prelude: string[], fn: (tx: Tx) => Promise<T>): Promise<T>;
}

const AFTER_COMMIT = Symbol('zhongshu.afterCommit');

/**
 * Runs fn once the transaction `tx` (from tenantTx/systemTx) has committed, e.g. to drop a cache
 * entry a concurrent reader could otherwise refill from the state before the commit. Not run on
 * rollback. A handle without such a transaction (a nested savepoint, the database itself) runs
 * fn at once.
 */
export function afterCommit(tx: Tx, fn: () => void): void {
  const hooks: unknown = Reflect.get(tx, AFTER_COMMIT);
  if (Array.isArray(hooks)) hooks.push(fn);
  else fn();
}

/** The transaction body with after-commit hooks bound to its handle; the hooks run after it resolves. */
async function withCommitHooks<T>(
  run: (body: (tx: Tx) => Promise<T>) => Promise<T>,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const hooks: (() => void)[] = [];
  const result = await run((tx) => {
    Object.defineProperty(tx, AFTER_COMMIT, { value: hooks, enumerable: false, configurable: true });
    return fn(tx);
  });
  for (const h of hooks) h();
  return result;
}

/** A tenant id that can be written into SQL as a literal (a uuid: hex digits and dashes only). */
const UUID_LITERAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function makeDatabase(driver: Driver): Database {
  const { db } = driver;
  const caches = new CacheRegistry();
  bindCaches(db, caches);
  const database: Database = {
    ...driver,
    caches,
    rlsEnabled: true,
    async tenantTx<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
      const body = (tx: Tx) => fn(bindCaches(tx, caches));
      // With a uuid tenant id the settings are literal SQL: BEGIN, SET LOCAL ROLE and the tenant
      // travel with the transaction's first query (no round trip of their own).
      if (driver.transactionWith && UUID_LITERAL.test(tenantId)) {
        const prelude = [
          'begin',
          ...(database.rlsEnabled ? [`set local role ${APP_ROLE}`] : []),
          `set local zhongshu.tenant_id = '${tenantId}'`,
        ];
        const withPrelude = driver.transactionWith.bind(driver);
        return withCommitHooks((b) => withPrelude(prelude, b), body);
      }
      return withCommitHooks(
        (b) =>
          db.transaction(async (tx) => {
            if (database.rlsEnabled) {
              await tx.execute(
                sql`select set_config('role', ${APP_ROLE}, true), set_config('zhongshu.tenant_id', ${tenantId}, true)`,
              );
            } else {
              await tx.execute(sql`select set_config('zhongshu.tenant_id', ${tenantId}, true)`);
            }
            return b(tx as unknown as Tx);
          }),
        body,
      );
    },
    async systemTx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return withCommitHooks(
        (b) => db.transaction(async (tx) => b(tx as unknown as Tx)),
        (tx) => fn(bindCaches(tx, caches)),
      );
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
    transactionWith: (prelude, fn) => pooledTransaction(pool, prelude, fn),
  });
}

const dialect = new PgDialect();

/** The parts of pg's Query (and its connection) a query with a prelude builds on. */
interface PgConnection {
  stream: { cork?: () => void; uncork?: () => void };
  parse(m: { text: string; name: string; types: unknown[] }): void;
  bind(m: { portal: string; statement: string; values: unknown[] }): void;
  execute(m: { portal: string; rows?: number }): void;
  query(text: string): void;
}
type QueryCallback = (err: Error | null, result?: unknown) => void;
interface PgQuery {
  text?: string;
  values?: unknown;
  requiresPreparation(): boolean;
  submit(connection: PgConnection): Error | null;
  handleRowDescription(msg: unknown): void;
  handleDataRow(msg: unknown): void;
  handleCommandComplete(msg: unknown, connection: PgConnection): void;
}
const PgQueryBase = pg.Query as unknown as new (
  config: Record<string, unknown>,
  values: unknown,
  callback: QueryCallback,
) => PgQuery;

/**
 * A query sent behind literal statements (`prelude`: BEGIN, SET LOCAL …, no rows) in one write. A
 * query with parameters goes as one extended-protocol batch (a single Sync), one without as one
 * multi-statement simple query (what pg sends for it anyway, so multi-statement text still works):
 * either way, if a prelude statement fails PostgreSQL runs nothing after it, so the query never
 * runs outside the transaction or without its settings. The prelude's results are dropped; the
 * query's own are reported as pg reports any query's.
 */
class PreludedQuery extends PgQueryBase {
  private skip: number;
  constructor(
    private readonly prelude: string[],
    config: Record<string, unknown>,
    values: unknown,
    callback: QueryCallback,
  ) {
    super(config, values, callback);
    this.skip = prelude.length;
  }

  override submit(connection: PgConnection): Error | null {
    // What pg's own submit refuses, refused before the prelude is on the wire.
    if (typeof this.text !== 'string' || (this.values !== undefined && !Array.isArray(this.values)))
      return new Error('A query with a prelude needs its text and an array of values');
    if (!this.requiresPreparation()) {
      connection.query([...this.prelude, this.text].join(';\n'));
      return null;
    }
    connection.stream.cork?.();
    try {
      for (const text of this.prelude) {
        connection.parse({ text, name: '', types: [] });
        connection.bind({ portal: '', statement: '', values: [] });
        connection.execute({ portal: '' });
      }
      return super.submit(connection);
    } finally {
      connection.stream.uncork?.();
    }
  }

  override handleRowDescription(msg: unknown): void {
    if (this.skip === 0) super.handleRowDescription(msg);
  }

  override handleDataRow(msg: unknown): void {
    if (this.skip === 0) super.handleDataRow(msg);
  }

  override handleCommandComplete(msg: unknown, connection: PgConnection): void {
    if (this.skip > 0) this.skip--;
    else super.handleCommandComplete(msg, connection);
  }
}

/**
 * drizzle's node-postgres transaction (a NodePgTransaction: nested transactions are savepoints)
 * on a pooled client whose first query carries the `prelude` that opens the transaction; COMMIT
 * (or ROLLBACK) follows only if it was opened. A client whose state is unknown (a query failed
 * without PostgreSQL answering) is discarded, not returned to the pool.
 */
async function pooledTransaction<T>(
  pool: pg.Pool,
  prelude: string[],
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  let pending: string[] | null = prelude;
  const noteBroken = (err: unknown) => {
    if (!isSqlError(err)) broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  };
  // What drizzle's session calls: query(config, values). The first call sends the prelude too.
  const lazy = {
    query(config: string | Record<string, unknown>, values?: unknown): Promise<unknown> {
      if (!pending) return client.query(config as never, values as never).catch(noteBroken);
      const opening = pending;
      pending = null;
      const cfg = typeof config === 'string' ? { text: config } : config;
      return new Promise<unknown>((resolve, reject) => {
        client.query(
          new PreludedQuery(opening, cfg, values, (err, res) => (err ? reject(err) : resolve(res))) as never,
        );
      }).catch(noteBroken);
    },
  };
  try {
    const tx = new NodePgTransaction(
      dialect,
      new NodePgSession(lazy as never, dialect, undefined),
      undefined,
    );
    let result: T;
    try {
      result = await fn(tx as unknown as Tx);
    } catch (err) {
      if (!pending) await lazy.query('rollback').catch(() => {});
      throw err;
    }
    if (!pending) await lazy.query('commit');
    return result;
  } finally {
    client.release(broken);
  }
}

/** An error PostgreSQL answered (the connection is fine), as opposed to a broken connection. */
function isSqlError(err: unknown): boolean {
  return typeof prop(err, 'code') === 'string' && typeof prop(err, 'severity') === 'string';
}

/** Convenience for raw SQL fragments executed through drizzle inside a transaction. */
export async function execRows<T>(tx: Tx, query: SQL): Promise<T[]> {
  const r: unknown = await tx.execute(query);
  // Both drivers answer { rows }; the result itself is the row list otherwise.
  return (prop(r, 'rows') ?? r) as T[];
}
