import DataLoader from 'dataloader';
import { userService } from '../../platform/auth/auth.routes.js';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import { bindCaches, cachesOf } from '../../platform/caches.js';
import type { Tx } from '../../platform/db/database.js';
import type { Locale } from '../../platform/http/locale.js';
import { accountService, contactService, opportunityService } from '../crm/crm.service.js';
import { findManyVia, type PredictionOut, predictionsFor } from './batch-reads.js';

export type Row = Record<string, unknown>;

/** What every resolver gets: the caller, their request's transaction and per-request loaders. */
export interface GqlContext {
  actor: ActorContext;
  locale: Locale;
  /**
   * Runs database work on the request's transaction, one statement at a time (a node-postgres
   * transaction is one client: GraphQL resolves fields concurrently, the client must not).
   * Never call run() inside run(), nor a loader inside run(): loaders run through run() themselves.
   */
  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** A mutation: fn in a savepoint (a failed mutation leaves nothing behind); marks the request as writing. */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Whether a mutation ran (the event bus is nudged after commit). */
  wrote: boolean;
  loaders: Loaders;
}

export interface Loaders {
  account: DataLoader<string, Row | null>;
  contact: DataLoader<string, Row | null>;
  opportunity: DataLoader<string, Row | null>;
  user: DataLoader<string, Row | null>;
  prediction: DataLoader<string, PredictionOut | null>;
}

/** The context of one request over its transaction. */
export function requestContext(tx: Tx, actor: ActorContext, locale: Locale): GqlContext {
  let chain: Promise<unknown> = Promise.resolve();
  const run = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    const next = chain.then(() => fn(tx));
    chain = next.catch(() => undefined);
    return next;
  };
  const byIds =
    (read: (tx: Tx, ids: readonly string[]) => Promise<Map<string, Row>>) => (ids: readonly string[]) =>
      run(async (t) => {
        const found = await read(t, ids);
        return ids.map((id) => found.get(id) ?? null);
      });
  const ctx: GqlContext = {
    actor,
    locale,
    run,
    wrote: false,
    write: (fn) =>
      run(async (t) => {
        ctx.wrote = true;
        // A nested drizzle transaction is a savepoint; it gets the platform caches like tenantTx's.
        const result = await t.transaction((sp) => fn(bindCaches(sp, cachesOf(t))));
        // What the request read before may have changed.
        for (const l of Object.values(ctx.loaders)) l.clearAll();
        return result;
      }),
    loaders: {
      account: new DataLoader(byIds((t, ids) => findManyVia(accountService, t, actor, ids))),
      contact: new DataLoader(byIds((t, ids) => findManyVia(contactService, t, actor, ids))),
      opportunity: new DataLoader(byIds((t, ids) => findManyVia(opportunityService, t, actor, ids))),
      user: new DataLoader(byIds((t, ids) => findManyVia(userService, t, actor, ids))),
      prediction: new DataLoader((ids: readonly string[]) =>
        run(async (t) => {
          const found = await predictionsFor(t, actor.tenantId, ids);
          return ids.map((id) => found.get(id) ?? null);
        }),
      ),
    },
  };
  return ctx;
}
