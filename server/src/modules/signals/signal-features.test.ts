import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { systemContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import { REFRESHES_PER_RUN } from '../interventions/interventions.service.js';
import { signalEvidence, signalFeatures } from './signal-features.service.js';

const METRICS_TOKEN = 'signal-features-metrics';
let t: TestServer;
let admin: string;
beforeAll(async () => {
  t = await startTestServer({ metrics: { token: METRICS_TOKEN, port: undefined, host: '127.0.0.1' } });
  admin = t.tenantA.tokens.admin;
}, 120_000);
afterAll(async () => t?.close());

const DAY = 86_400_000;
const ago = (now: Date, days: number) => new Date(now.getTime() - days * DAY).toISOString();

async function account(name: string) {
  const r = await t.request('POST', '/api/v1/accounts', { token: admin, body: { name } });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().id as string;
}
async function send(
  accountId: string,
  items: { type: string; at: string; payload?: Record<string, unknown>; strength?: number }[],
) {
  const r = await t.request('POST', '/api/v1/signals', {
    token: admin,
    body: items.map((s) => ({
      type: s.type,
      source: 'test',
      occurred_at: s.at,
      subject: { account_id: accountId },
      payload: s.payload ?? {},
      ...(s.strength === undefined ? {} : { strength: s.strength }),
    })),
  });
  expect(r.statusCode, r.body).toBe(202);
  expect(r.json().accepted, r.body).toBe(items.length);
  return (r.json().results as { id: string }[]).map((x) => x.id);
}
const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => t.server.platform.database.tenantTx(t.tenantA.id, fn);
const ctx = () => systemContext(t.tenantA.id, 'test');

describe('signal features (what rules read)', () => {
  it('counts, baselines, rates, strongest and latest per type and window; unwanted types and quiet accounts are absent', async () => {
    const now = new Date();
    const a = await account('特征客户甲');
    const quiet = await account('特征客户乙');
    await send(a, [
      { type: 'website_visit', at: ago(now, 1), payload: { visits: 1, url: '/newest' }, strength: 0.4 },
      { type: 'website_visit', at: ago(now, 2), payload: { visits: 1, url: '/second' }, strength: 0.9 },
      { type: 'website_visit', at: ago(now, 10), payload: { visits: 1 } },
      { type: 'website_visit', at: ago(now, 20), payload: { visits: 1 } },
      { type: 'website_visit', at: ago(now, 40), payload: { visits: 1 } },
      { type: 'website_visit', at: ago(now, 80), payload: { visits: 1 } },
      { type: 'email_reply', at: ago(now, 3), payload: { sentiment: -0.6 } },
      { type: 'call_outcome', at: ago(now, 1), payload: { outcome: 'rejected' } },
    ]);
    const byWindow = await inTenant((tx) =>
      signalFeatures(tx, ctx(), {
        wants: [
          { accountId: a, types: ['website_visit', 'email_reply'], windows: [7, 14] },
          { accountId: quiet, types: ['website_visit'], windows: [7] },
        ],
        now,
      }),
    );
    const week = byWindow.get(7)?.get(a);
    expect(week).toEqual({
      window_days: 7,
      // 1 d and 2 d ago in [now − 7 d, now]; 10 d and 20 d in the baseline [now − 35 d, now − 7 d)
      count: { website_visit: 2, email_reply: 1 },
      baseline: { website_visit: 0.5, email_reply: 0 },
      rate: { website_visit: 2, email_reply: 1 },
      max_strength: { website_visit: expect.closeTo(0.9, 5), email_reply: null },
      latest: { website_visit: { visits: 1, url: '/newest' }, email_reply: { sentiment: -0.6 } },
    });
    const fortnight = byWindow.get(14)?.get(a);
    // 1, 2, 10 d in the window; 20 and 40 d in [now − 70 d, now − 14 d); 80 d outside
    expect(fortnight?.count.website_visit).toBe(3);
    expect(fortnight?.baseline.website_visit).toBe(0.5);
    expect(fortnight?.rate.website_visit).toBe(3);
    expect(week?.count).not.toHaveProperty('call_outcome');
    expect(byWindow.get(7)?.has(quiet)).toBe(false);

    // The same reads in the accountIds × types × windows form.
    const same = await inTenant((tx) =>
      signalFeatures(tx, ctx(), {
        accountIds: [a],
        types: ['website_visit', 'email_reply'],
        windows: [7],
        now,
      }),
    );
    expect(same.get(7)?.get(a)).toEqual(week);
  });

  it('takes the later received of two signals at the same instant as the latest', async () => {
    const now = new Date();
    const a = await account('特征客户丙');
    const at = ago(now, 1);
    await send(a, [{ type: 'product_usage', at, payload: { metric: 'dau', change_pct: -10 } }]);
    await send(a, [{ type: 'product_usage', at, payload: { metric: 'dau', change_pct: -40 } }]);
    const f = await inTenant((tx) =>
      signalFeatures(tx, ctx(), { accountIds: [a], types: ['product_usage'], windows: [14], now }),
    );
    expect(f.get(14)?.get(a)?.latest.product_usage).toEqual({ metric: 'dau', change_pct: -40 });
    expect(f.get(14)?.get(a)?.count.product_usage).toBe(2);
  });

  it('gives the newest evidence first, per want, within its types, time and limit', async () => {
    const now = new Date();
    const a = await account('证据客户甲');
    const b = await account('证据客户乙');
    const [v1, v2, v3, , e1] = await send(a, [
      { type: 'website_visit', at: ago(now, 1), payload: { visits: 1 } },
      { type: 'website_visit', at: ago(now, 3), payload: { visits: 1 } },
      { type: 'website_visit', at: ago(now, 5), payload: { visits: 1 } },
      { type: 'website_visit', at: ago(now, 9), payload: { visits: 1 } },
      { type: 'email_reply', at: ago(now, 2), payload: { sentiment: 0.1 } },
    ]);
    const [b1] = await send(b, [{ type: 'tender_notice', at: ago(now, 1), payload: { title: '招标' } }]);
    const lists = await inTenant((tx) =>
      signalEvidence(tx, ctx(), {
        wants: [
          { accountId: a, types: ['website_visit', 'email_reply'], since: new Date(now.getTime() - 7 * DAY) },
          { accountId: a, types: ['website_visit'], since: new Date(now.getTime() - 7 * DAY) },
          { accountId: b, types: ['tender_notice'], since: new Date(now.getTime() - 7 * DAY) },
          { accountId: b, types: ['website_visit'], since: new Date(now.getTime() - 7 * DAY) },
        ],
        now,
        limit: 3,
      }),
    );
    expect(lists).toEqual([[v1, e1, v2], [v1, v2, v3], [b1], []]);
  });

  it('reads each (account, type) through signals_feature_idx, before and after ANALYZE', async () => {
    const db = t.server.platform.database;
    // A bulk load the planner has no statistics for yet: 20,000 signals over 200 accounts and 5
    // sources, all of them recent.
    await db.query(
      `insert into signals (tenant_id, type, source, dedupe_key, occurred_at, subject, payload, provenance, account_id, matched, match_method)
       select $1::uuid, (array['website_visit','email_reply','call_outcome','product_usage'])[1 + i % 4], 'bulk' || (i % 5),
              'bulk-' || i, now() - (i % 30) * interval '1 hour', '{}'::jsonb, '{}'::jsonb, '{}'::jsonb,
              md5('acct' || (i % 200))::uuid, true, 'bulk'
         from generate_series(1, 20000) as i`,
      [t.tenantA.id],
    );
    const accountIds = Array.from({ length: 100 }, (_, i) => uuidOf(`acct${i}`));
    const plan = async () =>
      inTenant(async (tx) => {
        // The statement signalFeatures sends, explained (observed, not rebuilt here).
        const seen: unknown[] = [];
        const observed = new Proxy(tx, {
          get(target, prop, receiver) {
            if (prop !== 'execute') return Reflect.get(target, prop, receiver);
            return (q: unknown) => {
              seen.push(q);
              return target.execute(q as any);
            };
          },
        });
        await signalFeatures(observed, ctx(), {
          accountIds,
          types: ['website_visit', 'email_reply'],
          windows: [7, 14],
          now: new Date(),
        });
        await signalEvidence(observed, ctx(), {
          wants: accountIds.map((accountId) => ({
            accountId,
            types: ['website_visit', 'call_outcome'],
            since: new Date(Date.now() - 7 * DAY),
          })),
          now: new Date(),
        });
        const plans: PlanNode[][] = [];
        for (const q of seen) {
          const r: any = await tx.execute(sql`explain (format json) ${q as any}`);
          const doc = (r.rows ?? r)[0]['QUERY PLAN'];
          plans.push(nodesOf((typeof doc === 'string' ? JSON.parse(doc) : doc)[0].Plan));
        }
        return plans;
      });
    const fresh = await plan();
    await db.query('analyze signals');
    for (const plans of [fresh, await plan()]) {
      expect(plans).toHaveLength(2);
      for (const nodes of plans) {
        const onSignals = nodes.filter((n) => n['Relation Name'] === 'signals');
        expect(onSignals.length).toBeGreaterThan(0);
        expect(onSignals.map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''}`.trim())).toEqual(
          onSignals.map((n) => `${n['Node Type']} signals_feature_idx`),
        );
        expect(onSignals.every((n) => /Index/.test(n['Node Type']))).toBe(true);
      }
    }
  });
});

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] };
const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

describe('signals.ingested while the rules fall behind', () => {
  it('evaluates a backlog of ingests in one merged run, and every account gets its bundle', async () => {
    const scrapeMerged = async () => {
      const res = await t.request('GET', '/metrics', { token: METRICS_TOKEN });
      const line = res.body
        .split('\n')
        .find((l) => l.startsWith('zhongshu_events_merged_total{event="signals.ingested"}'));
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    };
    await t.server.platform.bus.settle();
    const before = await scrapeMerged();
    const accounts = [await account('积压客户甲'), await account('积压客户乙'), await account('积压客户丙')];
    // Three ingests, nothing relayed in between (as when the handler is busy with an earlier run).
    t.server.platform.bus.pause();
    for (const a of accounts)
      await send(a, [
        { type: 'tender_notice', at: new Date().toISOString(), payload: { title: '积压招标' } },
      ]);
    t.server.platform.bus.resume();
    await t.server.platform.bus.settle();
    expect((await scrapeMerged()) - before).toBe(2);
    for (const a of accounts) {
      const r = await t.request('GET', `/api/v1/interventions?owner_id=any&account_id=${a}`, {
        token: t.tenantA.tokens.manager,
      });
      expect(r.json().data.map((b: any) => [b.rule_key, b.occurrences, b.signal_ids.length])).toEqual([
        ['tender_published', 1, 1],
      ]);
    }
    // A later tender refreshes the open bundle, audited with the old and new values.
    await send(accounts[0], [
      { type: 'tender_notice', at: new Date().toISOString(), payload: { title: '二期' } },
    ]);
    await t.server.platform.bus.settle();
    const r = await t.request('GET', `/api/v1/interventions?owner_id=any&account_id=${accounts[0]}`, {
      token: t.tenantA.tokens.manager,
    });
    const [bundle] = r.json().data;
    expect([bundle.occurrences, bundle.signal_ids.length, bundle.evidence.signal_ids.length]).toEqual([
      2, 2, 2,
    ]);
    expect(bundle.title).toContain('二期');
    const { rows } = await t.server.platform.database.query<{ action: string; method: string; changes: any }>(
      "select action, method, changes from change_log where entity = 'interventions' and entity_id = $1 order by id",
      [bundle.id],
    );
    expect(rows.map((x) => [x.action, x.method])).toEqual([
      ['create', 'computed'],
      ['update', 'computed'],
    ]);
    expect(rows[1].changes.occurrences).toEqual({ old: 1, new: 2 });
    expect(rows[1].changes.signal_ids.old).toHaveLength(1);
    expect(rows[1].changes.signal_ids.new).toEqual(bundle.signal_ids);
  });
});

describe('bounded work per rule run', () => {
  it('creates new bundles at once and hands refreshes beyond a run’s share back to the relay, refreshing every one', async () => {
    const manager = t.tenantA.tokens.manager;
    const accounts: string[] = [];
    for (let i = 0; i < REFRESHES_PER_RUN + 5; i++) accounts.push(await account(`限流客户${i}`));
    const tender = (a: string, title: string) => ({
      type: 'tender_notice',
      source: 'test',
      occurred_at: new Date().toISOString(),
      subject: { account_id: a },
      payload: { title },
    });
    const post = async (body: unknown[]) => {
      const r = await t.request('POST', '/api/v1/signals', { token: admin, body });
      expect(r.statusCode, r.body).toBe(202);
    };
    await post(accounts.map((a) => tender(a, '一期')));
    await t.server.platform.bus.settle();
    // Every account now has an open bundle: the next tenders only refresh them, more than one
    // run's share; one fresh account in the same batch gets its new bundle.
    const fresh = await account('限流新客户');
    const db = t.server.platform.database;
    const before = await db.query<{ n: number }>(
      "select count(*)::int as n from domain_events where name = 'signals.ingested' and (payload->>'requeued')::boolean",
    );
    t.server.platform.bus.pause();
    await post([...accounts.map((a) => tender(a, '二期')), tender(fresh, '首期')]);
    t.server.platform.bus.resume();
    await t.server.platform.bus.settle();
    const after = await db.query<{ n: number }>(
      "select count(*)::int as n from domain_events where name = 'signals.ingested' and (payload->>'requeued')::boolean",
    );
    expect(after.rows[0].n - before.rows[0].n).toBeGreaterThanOrEqual(1);
    for (const a of accounts) {
      const r = await t.request('GET', `/api/v1/interventions?owner_id=any&account_id=${a}`, {
        token: manager,
      });
      expect(r.json().data.map((b: any) => [b.occurrences, b.signal_ids.length])).toEqual([[2, 2]]);
    }
    const r = await t.request('GET', `/api/v1/interventions?owner_id=any&account_id=${fresh}`, {
      token: manager,
    });
    expect(r.json().data.map((b: any) => b.title)).toEqual([expect.stringContaining('首期')]);
  });
});

/** md5 text → uuid, as the bulk insert above builds account ids. */
function uuidOf(text: string): string {
  const h = createHash('md5').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
