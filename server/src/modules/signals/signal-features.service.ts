import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import { execRows, type Tx } from '../../platform/db/database.js';
import { signals } from './signals.schema.js';

/**
 * What the signals of an account say over a window, per signal type: the reads other modules
 * (interventions' rules, predict's lead score) make over the signal store, owned here so nobody
 * else runs SQL on it.
 *
 * Query shape: every lookup is one (account, type) pair, joined LATERAL to a VALUES-like list
 * (jsonb_to_recordset), so PostgreSQL runs one small range scan of
 * signals_feature_idx (tenant_id, account_id, type, occurred_at) per pair whatever its statistics
 * say. The earlier `account_id = any(…) and type = any(…)` form was planned, right after a bulk
 * load without ANALYZE, as a scan of the tenant's whole signals_source_time_idx range filtered
 * row by row (212 ms for 100 accounts at 71k signals, growing with the table).
 */

export interface Features {
  window_days: number;
  count: Record<string, number>;
  baseline: Record<string, number>;
  rate: Record<string, number>;
  max_strength: Record<string, number | null>;
  latest: Record<string, Record<string, unknown>>;
}

/** One account's wanted types and windows (the windows of the rules that read these types). */
export interface FeatureWant {
  accountId: string;
  types: readonly string[];
  windows: readonly number[];
}

export type FeatureQuery =
  | { accountIds: readonly string[]; types: readonly string[]; windows: readonly number[]; now: Date }
  | { wants: readonly FeatureWant[]; now: Date };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Features of accounts per window: for each wanted (account, type, window w),
 *  count = signals in [now − w, now], baseline = signals in [now − 5w, now − w) ÷ 4,
 *  rate = count ÷ max(baseline, 1), max_strength = the highest strength in [now − w, now],
 *  latest = the payload of the newest signal in [now − w, now] (ties: the later received).
 * A (window, account) entry exists when at least one wanted type has a signal in [now − 5w, now];
 * a type without any there is absent from it. One statement: per triple one index range for the
 * counts, and for the latest payload a max(occurred_at) probe (one index entry, so an account with
 * 100k signals in the window is not sorted) then the rows at that instant.
 */
export async function signalFeatures(
  tx: Tx,
  ctx: ActorContext,
  query: FeatureQuery,
): Promise<Map<number, Map<string, Features>>> {
  const wants: readonly FeatureWant[] =
    'wants' in query
      ? query.wants
      : query.accountIds.map((accountId) => ({ accountId, types: query.types, windows: query.windows }));
  const now = query.now;
  const out = new Map<number, Map<string, Features>>();
  const triples: { k: number; account_id: string; type: string; days: number }[] = [];
  const seen = new Set<string>();
  for (const w of wants) {
    if (!UUID.test(w.accountId)) continue;
    for (const type of w.types)
      for (const days of w.windows) {
        const key = `${w.accountId}|${type}|${days}`;
        if (seen.has(key)) continue;
        seen.add(key);
        triples.push({ k: triples.length, account_id: w.accountId, type, days: Math.trunc(days) });
      }
  }
  for (const t of triples) if (!out.has(t.days)) out.set(t.days, new Map());
  if (!triples.length) return out;
  const nowIso = now.toISOString();
  const rows = await execRows<{
    k: number;
    recent: number;
    base: number;
    max_strength: number | null;
    latest_payload: Record<string, unknown> | null;
  }>(
    tx,
    sql`select r.k, c.recent, c.base, c.max_strength, l.payload as latest_payload
          from jsonb_to_recordset(${JSON.stringify(triples)}::jsonb) as r(k int, account_id uuid, type text, days int)
          cross join lateral (
            select count(*) filter (where s.occurred_at >= ${nowIso}::timestamptz - make_interval(days => r.days))::int as recent,
                   count(*) filter (where s.occurred_at < ${nowIso}::timestamptz - make_interval(days => r.days))::int as base,
                   max(s.strength) filter (where s.occurred_at >= ${nowIso}::timestamptz - make_interval(days => r.days)) as max_strength
              from signals s
             where s.tenant_id = ${ctx.tenantId}::uuid and s.account_id = r.account_id and s.type = r.type
               and s.occurred_at >= ${nowIso}::timestamptz - make_interval(days => 5 * r.days)
               and s.occurred_at <= ${nowIso}::timestamptz) c
          left join lateral (
            select s.payload from signals s
             where s.tenant_id = ${ctx.tenantId}::uuid and s.account_id = r.account_id and s.type = r.type
               and s.occurred_at = (
                 select max(m.occurred_at) from signals m
                  where m.tenant_id = ${ctx.tenantId}::uuid and m.account_id = r.account_id and m.type = r.type
                    and m.occurred_at >= ${nowIso}::timestamptz - make_interval(days => r.days)
                    and m.occurred_at <= ${nowIso}::timestamptz)
             order by s.received_at desc
             limit 1) l on true
         where c.recent + c.base > 0`,
  );
  for (const r of rows) {
    const t = triples[Number(r.k)];
    const m = out.get(t.days)!;
    let f = m.get(t.account_id);
    if (!f) {
      f = { window_days: t.days, count: {}, baseline: {}, rate: {}, max_strength: {}, latest: {} };
      m.set(t.account_id, f);
    }
    const baseline = Math.round((Number(r.base) / 4) * 100) / 100;
    f.count[t.type] = Number(r.recent);
    f.baseline[t.type] = baseline;
    f.rate[t.type] = Math.round((Number(r.recent) / Math.max(baseline, 1)) * 100) / 100;
    f.max_strength[t.type] = r.max_strength === null ? null : Number(r.max_strength);
    if (r.latest_payload) f.latest[t.type] = r.latest_payload;
  }
  return out;
}

/** One evidence lookup: the account's signals of these types since a time. */
export interface EvidenceWant {
  accountId: string;
  types: readonly string[];
  since: Date;
}

/**
 * The ids of the newest signals (at most `limit`, newest first by occurred_at) of each want,
 * in [since, now]: one statement, one index range per (want, type) pair (LATERAL … LIMIT), the
 * per-type lists merged here. Returns one list per want, in the order given.
 */
export async function signalEvidence(
  tx: Tx,
  ctx: ActorContext,
  query: { wants: readonly EvidenceWant[]; now: Date; limit?: number },
): Promise<string[][]> {
  const limit = Math.max(1, Math.min(500, Math.trunc(query.limit ?? 50)));
  const out: string[][] = query.wants.map(() => []);
  const pairs: { k: number; account_id: string; type: string; since: string }[] = [];
  query.wants.forEach((w, k) => {
    if (!UUID.test(w.accountId)) return;
    for (const type of new Set(w.types))
      pairs.push({ k, account_id: w.accountId, type, since: w.since.toISOString() });
  });
  if (!pairs.length) return out;
  const rows = await execRows<{ k: number; id: string; occurred_at: string | Date }>(
    tx,
    sql`select p.k, s.id, s.occurred_at
          from jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) as p(k int, account_id uuid, type text, since timestamptz)
          cross join lateral (
            select id, occurred_at from signals
             where tenant_id = ${ctx.tenantId}::uuid and account_id = p.account_id and type = p.type
               and occurred_at >= p.since and occurred_at <= ${query.now.toISOString()}::timestamptz
             order by occurred_at desc
             limit ${limit}) s`,
  );
  const byWant = new Map<number, { id: string; at: number }[]>();
  for (const r of rows) {
    const k = Number(r.k);
    const list = byWant.get(k) ?? [];
    list.push({ id: r.id, at: new Date(r.occurred_at).getTime() });
    byWant.set(k, list);
  }
  for (const [k, list] of byWant) {
    list.sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    out[k] = list.slice(0, limit).map((x) => x.id);
  }
  return out;
}

/** One signal on a contact or account, as the lead score reads it. */
export interface SubjectSignal {
  contact_id: string | null;
  account_id: string | null;
  type: string;
  /** payload.page_category (intent page views) */
  category: string | null;
  occurred_at: Date;
}

/**
 * The signals on contacts and accounts since a time (the predict module's lead score): on the
 * given contacts or accounts, or, when `contactIds` is undefined, every signal naming a contact
 * or an account. One plain, tenant-filtered SELECT (unordered).
 */
export async function signalsOnSubjects(
  tx: Tx,
  tenantId: string,
  query: { since: Date; contactIds?: string[]; accountIds?: string[] },
): Promise<SubjectSignal[]> {
  const { contactIds, accountIds = [] } = query;
  return tx
    .select({
      contact_id: signals.contact_id,
      account_id: signals.account_id,
      type: signals.type,
      category: sql<string | null>`${signals.payload}->>'page_category'`,
      occurred_at: signals.occurred_at,
    })
    .from(signals)
    .where(
      and(
        eq(signals.tenant_id, tenantId),
        sql`${signals.occurred_at} >= ${query.since.toISOString()}`,
        contactIds
          ? or(
              inArray(signals.contact_id, contactIds),
              accountIds.length ? inArray(signals.account_id, accountIds) : sql`false`,
            )
          : sql`(${signals.contact_id} is not null or ${signals.account_id} is not null)`,
      ),
    );
}
