import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { seedDemo } from '../crm/demo-seed.js';
import { forecastSnapshots } from './predict.schema.js';

let t: TestServer;
let openIdsA: string[] = [];
let oppB: string;
let accountA: string;
let modelA: string;

const admin = () => t.tenantA.tokens.admin;

beforeAll(async () => {
  t = await startTestServer();
  // Tenant A gets the demo history (230 opportunities over 18 months, won/lost, activities).
  const summary = await seedDemo(t.server.platform.database, t.tenantA.name);
  expect(summary.created).toBe(true);
  const opps = await t.request('GET', '/api/v1/opportunities?status=open&limit=500', { token: admin() });
  openIdsA = opps.json().data.map((o: any) => o.id);
  accountA = opps.json().data[0].account_id;
  // Tenant B: a thin history (3 closed deals).
  const acc = await t.request('POST', '/api/v1/accounts', {
    token: t.tenantB.tokens.admin,
    body: { name: '杭州远航机械集团有限公司' },
  });
  const accB = acc.json().id;
  for (const [i, stage] of ['won', 'lost', 'won', 'discovery', 'contract'].entries()) {
    const r = await t.request('POST', '/api/v1/opportunities', {
      token: t.tenantB.tokens.admin,
      body: {
        name: `B deal ${i}`,
        account_id: accB,
        amount: 100000 * (i + 1),
        expected_close_date: '2026-12-15',
        stage,
      },
    });
    expect(r.statusCode).toBe(201);
    oppB = r.json().id;
  }
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('auth on every predict route', () => {
  const routes: [string, string, unknown?][] = [
    ['POST', '/api/v1/predict/win-probability/train'],
    ['GET', '/api/v1/opportunities/00000000-0000-4000-8000-000000000000/prediction'],
    ['GET', '/api/v1/predict/predictions'],
    ['GET', '/api/v1/predict/models'],
    ['GET', '/api/v1/predict/models/00000000-0000-4000-8000-000000000000'],
    ['GET', '/api/v1/forecast'],
    ['POST', '/api/v1/forecast/snapshots', { period: 'month' }],
    ['GET', '/api/v1/forecast/accuracy'],
    ['GET', '/api/v1/accounts/00000000-0000-4000-8000-000000000000/buying-stage'],
    ['POST', '/api/v1/predict/buying-stage', { events: [] }],
  ];
  it.each(routes)('%s %s → 401 without a token', async (method, url, body) => {
    const r = await t.request(method, url, { body });
    expect(r.statusCode).toBe(401);
    expect(r.headers['content-type']).toContain('application/problem+json');
  });
  it('403 for roles without predict:manage on train and snapshots', async () => {
    for (const role of ['rep', 'coach', 'presales'] as const) {
      expect(
        (await t.request('POST', '/api/v1/predict/win-probability/train', { token: t.tenantA.tokens[role] }))
          .statusCode,
      ).toBe(403);
      expect(
        (
          await t.request('POST', '/api/v1/forecast/snapshots', {
            token: t.tenantA.tokens[role],
            body: { period: 'month' },
          })
        ).statusCode,
      ).toBe(403);
    }
  });
});

describe('win probability', () => {
  it('on the raw demo history (outcomes drawn at random) a model that loses to the base rate is not used', async () => {
    const r = await t.request('POST', '/api/v1/predict/win-probability/train', { token: admin() });
    expect(r.statusCode).toBe(200);
    const b = r.json();
    expect(b.version).toBe(1);
    expect(Number.isFinite(b.metrics.auc)).toBe(true);
    const beats = b.metrics.logloss <= b.metrics.baseline.prior_logloss;
    expect(b.metrics.beats_baseline).toBe(beats);
    expect(b.status).toBe(beats ? 'active' : 'fallback');
    if (!beats) {
      expect(b.note).toMatch(/did not beat the base rate/);
      const p = (
        await t.request('GET', `/api/v1/opportunities/${openIdsA[0]}/prediction`, { token: admin() })
      ).json();
      expect(p.method).toBe('stage_fallback');
    }
    // Give the history a learnable pattern (smaller accounts win), as a tenant's real data would have.
    const db = t.server.platform.database;
    const { rows } = await db.query<{ id: string; employees: number }>(
      `select o.id, a.employees from opportunities o join accounts a on a.id = o.account_id
        where o.tenant_id = $1 and o.status in ('won', 'lost')`,
      [t.tenantA.id],
    );
    const sorted = rows.map((r) => Number(r.employees)).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const winners = rows.filter((r) => Number(r.employees) < median).map((r) => r.id);
    const losers = rows.filter((r) => Number(r.employees) >= median).map((r) => r.id);
    await db.query(`update opportunities set status = 'won', stage = 'won' where id = any($1::uuid[])`, [
      winners,
    ]);
    await db.query(`update opportunities set status = 'lost', stage = 'lost' where id = any($1::uuid[])`, [
      losers,
    ]);
    const check = await db.query<{ n: number }>(
      `select count(*)::int as n from opportunities where tenant_id = $1 and status = 'won'`,
      [t.tenantA.id],
    );
    expect(Number(check.rows[0].n)).toBe(winners.length);
  }, 120_000);

  it('trains on the seeded history, stores metrics, scores every open opportunity with top factors', async () => {
    const r = await t.request('POST', '/api/v1/predict/win-probability/train', {
      token: t.tenantA.tokens.manager,
    });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.status).toBe('active');
    expect(body.method).toBe('model');
    expect(body.version).toBe(2);
    expect(body.metrics.auc).toBeGreaterThan(0.8);
    expect(body.metrics.beats_baseline).toBe(true);
    expect(body.train_rows).toBeGreaterThan(50);
    expect(body.test_rows).toBeGreaterThanOrEqual(10);
    for (const k of ['auc', 'brier', 'logloss', 'ece']) expect(Number.isFinite(body.metrics[k])).toBe(true);
    expect(body.scored).toBe(openIdsA.length);
    modelA = body.model_id;

    const models = await t.request('GET', '/api/v1/predict/models', { token: t.tenantA.tokens.rep });
    expect(models.json().data[0].id).toBe(modelA);
    const detail = await t.request('GET', `/api/v1/predict/models/${modelA}`, {
      token: t.tenantA.tokens.rep,
    });
    expect(detail.statusCode).toBe(200);
    expect(detail.json().metrics.reliability).toHaveLength(10);
    expect(detail.json().metrics.baseline.prior_brier).toBeGreaterThan(0);
    expect(detail.json()).not.toHaveProperty('model');

    const all = await t.request('GET', '/api/v1/predict/predictions', { token: t.tenantA.tokens.rep });
    expect(new Set(all.json().data.map((p: any) => p.opportunity_id))).toEqual(new Set(openIdsA));
    for (const id of openIdsA.slice(0, 20)) {
      const p = await t.request('GET', `/api/v1/opportunities/${id}/prediction`, {
        token: t.tenantA.tokens.rep,
      });
      expect(p.statusCode).toBe(200);
      const j = p.json();
      expect(j.method).toBe('model');
      expect(j.model_version).toBe(2);
      expect(j.probability).toBeGreaterThanOrEqual(0);
      expect(j.probability).toBeLessThanOrEqual(1);
      expect(j.top_factors.length).toBeGreaterThan(0);
      expect(j.top_factors[0]).toHaveProperty('label');
    }
  }, 120_000);

  it('rescoring on change: an updated opportunity gets a fresh prediction; closing it drops it', async () => {
    const id = openIdsA[0];
    const before = (
      await t.request('GET', `/api/v1/opportunities/${id}/prediction`, { token: admin() })
    ).json();
    const r = await t.request('PATCH', `/api/v1/opportunities/${id}`, {
      token: admin(),
      body: { amount: 4_560_000 },
    });
    expect(r.statusCode).toBe(200);
    await t.settle();
    const after = (
      await t.request('GET', `/api/v1/opportunities/${id}/prediction`, { token: admin() })
    ).json();
    expect(new Date(after.computed_at).getTime()).toBeGreaterThan(new Date(before.computed_at).getTime());
    expect(after.method).toBe('model');
    await t.request('PATCH', `/api/v1/opportunities/${id}`, { token: admin(), body: { stage: 'won' } });
    await t.settle();
    const closed = (
      await t.request('GET', `/api/v1/opportunities/${id}/prediction`, { token: admin() })
    ).json();
    expect(closed.method).toBe('closed');
    expect(closed.probability).toBe(1);
    const all = await t.request('GET', '/api/v1/predict/predictions', { token: admin() });
    expect(all.json().data.some((p: any) => p.opportunity_id === id)).toBe(false);
  }, 60_000);

  it('falls back to stage probabilities, clearly labelled, when history is thin', async () => {
    const r = await t.request('POST', '/api/v1/predict/win-probability/train', {
      token: t.tenantB.tokens.admin,
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().status).toBe('fallback');
    expect(r.json().method).toBe('stage_fallback');
    expect(r.json().note).toMatch(/closed opportunities/);
    const p = (
      await t.request('GET', `/api/v1/opportunities/${oppB}/prediction`, { token: t.tenantB.tokens.rep })
    ).json();
    expect(p.method).toBe('stage_fallback');
    expect(p.probability).toBeCloseTo(0.8, 5); // the contract stage's probability
    expect(p.label).toMatch(/Stage probability/);
  });

  it('404 across tenants and for unknown ids', async () => {
    const b = t.tenantB.tokens.admin;
    expect(
      (await t.request('GET', `/api/v1/opportunities/${openIdsA[1]}/prediction`, { token: b })).statusCode,
    ).toBe(404);
    expect((await t.request('GET', `/api/v1/predict/models/${modelA}`, { token: b })).statusCode).toBe(404);
    expect(
      (await t.request('GET', `/api/v1/accounts/${accountA}/buying-stage`, { token: b })).statusCode,
    ).toBe(404);
    expect((await t.request('GET', '/api/v1/predict/models/not-a-uuid', { token: b })).statusCode).toBe(404);
    const list = await t.request('GET', '/api/v1/predict/models', { token: b });
    expect(list.json().data.every((m: any) => m.id !== modelA)).toBe(true);
    const preds = await t.request('GET', '/api/v1/predict/predictions', { token: b });
    expect(preds.json().data.some((p: any) => openIdsA.includes(p.opportunity_id))).toBe(false);
  });
});

describe('forecast', () => {
  it('expected lies in P10–P90 and group totals add up, for every grouping', async () => {
    for (const group_by of ['rep', 'team', 'region']) {
      for (const period of ['month', 'quarter']) {
        const r = await t.request('GET', `/api/v1/forecast?period=${period}&group_by=${group_by}&periods=3`, {
          token: t.tenantA.tokens.manager,
        });
        expect(r.statusCode).toBe(200);
        const f = r.json();
        expect(f.model_version).toBe(2);
        expect(f.periods).toHaveLength(3);
        for (const p of f.periods) {
          const tot = p.total;
          expect(tot.p10).toBeLessThanOrEqual(tot.p90);
          expect(tot.p10).toBeGreaterThanOrEqual(tot.won_to_date + tot.run_rate - 1);
          // The simulation and the closed-form expectation agree (up to Monte Carlo error).
          expect(Math.abs(tot.simulated_mean - tot.expected)).toBeLessThanOrEqual(
            0.05 * Math.max(tot.expected, 1) + 1,
          );
          for (const g of p.groups) expect(g.p10).toBeLessThanOrEqual(g.p90);
          const sum = (k: string) => p.groups.reduce((a: number, g: any) => a + g[k], 0);
          for (const k of ['expected', 'commit', 'won_to_date', 'open_expected', 'run_rate'])
            expect(Math.abs(sum(k) - tot[k])).toBeLessThan(1 + 1e-6 * Math.abs(tot[k]));
          expect(tot.commit).toBeGreaterThanOrEqual(tot.won_to_date);
        }
        expect(f.periods[0].total.expected).toBeGreaterThan(0);
        // With many deals in play the mean lies inside P10–P90. (With a few large, unlikely deals
        // the distribution is skewed and the mean may exceed P90: reported as is, not asserted.)
        for (const p of f.periods.filter((x: any) => x.total.open_deals >= 10)) {
          expect(p.total.p10).toBeLessThanOrEqual(p.total.expected + 1e-6);
          expect(p.total.expected).toBeLessThanOrEqual(p.total.p90 + 1e-6);
        }
        expect(f.periods.some((x: any) => x.total.open_deals >= 10)).toBe(true);
      }
    }
  }, 60_000);

  it('rejects a malformed from', async () => {
    expect((await t.request('GET', '/api/v1/forecast?from=2026-13', { token: admin() })).statusCode).toBe(
      400,
    );
  });

  it('snapshots, then accuracy against actual won revenue', async () => {
    const s = await t.request('POST', '/api/v1/forecast/snapshots', {
      token: t.tenantA.tokens.manager,
      body: { period: 'month' },
    });
    expect(s.statusCode).toBe(201);
    expect(s.json().period).toBe(new Date().toISOString().slice(0, 7));
    // A snapshot of a past month (as the cron would have stored it at 2026-10-01).
    const db = t.server.platform.database;
    await db.tenantTx(t.tenantA.id, (tx) =>
      tx.insert(forecastSnapshots).values({
        tenant_id: t.tenantA.id,
        period: '2026-10',
        period_kind: 'month',
        period_start: '2026-10-01',
        period_end: '2026-10-31',
        group_by: 'total',
        group_key: 'total',
        expected: 10_000_000,
        p10: 5_000_000,
        p90: 15_000_000,
        commit: 4_000_000,
        created_at: new Date('2026-10-01T00:05:00Z'),
      }),
    );
    const r = await t.request('GET', '/api/v1/forecast/accuracy?period=month', {
      token: t.tenantA.tokens.rep,
    });
    expect(r.statusCode).toBe(200);
    const a = r.json();
    const oct = a.data.find((d: any) => d.period === '2026-10');
    const [{ won }] = await db
      .query<{ won: number }>(
        `select coalesce(sum(amount),0)::float8 as won from opportunities where tenant_id = $1 and status = 'won'
        and closed_at >= '2026-10-01' and closed_at < '2026-11-01'`,
        [t.tenantA.id],
      )
      .then((x) => x.rows);
    expect(oct.actual).toBeCloseTo(won, 0);
    expect(oct.complete).toBe(true);
    expect(a.periods_evaluated).toBe(1);
    if (won > 0) expect(a.mape).toBeCloseTo((100 * Math.abs(10_000_000 - won)) / won, 4);
    const cur = a.data.find((d: any) => d.period === new Date().toISOString().slice(0, 7));
    expect(cur.complete).toBe(false);
    // Tenant B sees none of A's snapshots.
    const b = await t.request('GET', '/api/v1/forecast/accuracy?period=month', {
      token: t.tenantB.tokens.admin,
    });
    expect(b.json().data).toHaveLength(0);
  });
});

describe('buying stage', () => {
  it('from the account’s behaviour signals', async () => {
    const none = await t.request('GET', `/api/v1/accounts/${accountA}/buying-stage`, {
      token: t.tenantA.tokens.rep,
    });
    expect(none.statusCode).toBe(200);
    expect(none.json().stage).toBe('unknown');
    const now = Date.now();
    const items = [1, 2, 3].map((d) => ({
      type: 'intent_page_view',
      source: 'website',
      occurred_at: new Date(now - d * 86_400_000).toISOString(),
      subject: { account_id: accountA },
      payload: { page_category: 'api_docs', url: `https://zhongshu.example/docs/api/${d}` },
      source_event_id: `pv-${d}`,
    }));
    const ing = await t.request('POST', '/api/v1/signals', { token: admin(), body: items });
    expect(ing.statusCode).toBe(202);
    const r = await t.request('GET', `/api/v1/accounts/${accountA}/buying-stage`, {
      token: t.tenantA.tokens.rep,
    });
    expect(r.json().stage).toBe('technical_evaluation');
    expect(r.json().counts.api_docs).toBe(3);
  });

  it('from events in the request body', async () => {
    const r = await t.request('POST', '/api/v1/predict/buying-stage', {
      token: t.tenantA.tokens.rep,
      body: {
        now: '2026-11-27T12:00:00Z',
        events: [
          {
            page_type: 'competitor_comparison',
            at: '2026-11-26T10:00:00Z',
            dwell_seconds: 320,
            session_id: 'x',
          },
          { page_type: 'product', at: '2026-11-26T10:07:00Z', session_id: 'x' },
        ],
      },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().stage).toBe('value_tradeoff');
    const bad = await t.request('POST', '/api/v1/predict/buying-stage', {
      token: admin(),
      body: { events: [{ page_type: 'x' }] },
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('scheduled work', () => {
  it('the weekly retrain job trains a new version for every tenant', async () => {
    const { retrainAll } = await import('./predict.jobs.js');
    const out = await retrainAll(t.server.platform, { tenantId: t.tenantA.id });
    expect(out[0].version).toBe(3);
    const models = await t.request('GET', '/api/v1/predict/models', { token: admin() });
    const [latest, prev] = models.json().data;
    expect(latest.version).toBe(3);
    expect(latest.trigger).toBe('schedule');
    expect(prev.status).toBe('retired');
    void sql;
  }, 120_000);
});
