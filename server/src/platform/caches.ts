import type { Tx } from './db/database.js';

/**
 * A Map that keeps at most `max` entries: the oldest entry (by insertion) goes first. A get
 * refreshes nothing; what a module caches is cheap to rebuild and keyed by a version stamp.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.has(key)) this.delete(key);
    super.set(key, value);
    while (this.size > this.max) {
      const oldest = this.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    return this;
  }
}

/**
 * The in-memory caches modules keep (a tenant's CRM directory, loaded models, import progress …),
 * one registry per platform instance, never a module global: two platforms in one process (tests,
 * a sandbox beside its tenant) never see each other's entries. Each cache is named by its owner
 * (`crm.directory`, `predict.models`) and bounded.
 */
export class CacheRegistry {
  private readonly maps = new Map<string, BoundedMap<unknown, unknown>>();

  /** The cache of that name, created on first use with at most `max` entries (default 1,000). */
  map<K, V>(name: string, opts: { max?: number } = {}): BoundedMap<K, V> {
    let m = this.maps.get(name);
    if (!m) {
      m = new BoundedMap<unknown, unknown>(opts.max ?? 1000);
      this.maps.set(name, m);
    }
    // Every cache of one name is created here with the key/value types its owner uses.
    return m as BoundedMap<K, V>;
  }

  /** Drops every entry of every cache (tests; a restore). */
  clear(): void {
    for (const m of this.maps.values()) m.clear();
  }

  /** Name and size of each cache (diagnostics). */
  sizes(): { name: string; size: number }[] {
    return [...this.maps].map(([name, m]) => ({ name, size: m.size }));
  }
}

const CACHES = Symbol.for('zhongshu.caches');

/** Ties a transaction (or the database handle) to the caches of the platform it belongs to. */
export function bindCaches<T extends object>(handle: T, caches: CacheRegistry): T {
  Object.defineProperty(handle, CACHES, { value: caches, enumerable: false, configurable: true });
  return handle;
}

/**
 * The caches of the platform a transaction runs in: service functions get a `tx` from
 * `Database.tenantTx`/`systemTx`, which binds it, so they reach their platform's caches without a
 * module global and without every caller passing the platform along.
 */
export function cachesOf(tx: Tx): CacheRegistry {
  const caches: unknown = Reflect.get(tx, CACHES);
  if (!(caches instanceof CacheRegistry))
    throw new Error('This transaction was not opened through Database.tenantTx/systemTx (no caches bound)');
  return caches;
}
