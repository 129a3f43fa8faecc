import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { seedDemo } from '../crm/demo-seed.js';
import { quotaResolver, seedDemoQuotas } from './quota.service.js';

let t: TestServer;
let teamId: string;
let regionId: string;
let otherTeamId: string;

// Periods in the future, so no deal history or "now" changes what they resolve to.
const Y = new Date().getUTCFullYear() + 1;
const jan = `${Y}-01`;
const feb = `${Y}-02`;
const mar = `${Y}-03`;
const q1 = `${Y}-Q1`;
const q2 = `${Y}-Q2`;
const apr = `${Y}-04`;

const A = () => t.tenantA;
const put = (body: unknown, token = A().tokens.manager) =>
  t.request('PUT', '/api/v1/quotas', { token, body });
const monthQuota = (scope_key: string, period: string, amount: number, scope = 'rep') => ({
  period_kind: 'month',
  period,
  scope,
  scope_key,
  amount,
});
const forecast = async (query: string, token = A().tokens.manager) => {
  const r = await t.request('GET', `/api/v1/forecast?${query}`, { token });
  expect(r.statusCode).toBe(200);
  return r.json();
};
const groupQuota = (f: any, period: string, key: string) =>
  f.periods.find((p: any) => p.period === period)?.groups.find((g: any) => g.group_key === key)?.quota;
const quotaCount = async (tenantId: string) =>
  (
    await t.server.platform.database.query<{ n: number }>(
      'select count(*)::int as n from quotas where tenant_id = $1',
      [tenantId],
    )
  ).rows[0].n;

beforeAll(async () => {
  t = await startTestServer();
  const admin = A().tokens.admin;
  const region = await t.request('POST', '/api/v1/regions', { token: admin, body: { name: '华东' } });
  regionId = region.json().id;
  const team = await t.request('POST', '/api/v1/teams', {
    token: admin,
    body: { name: '华东大客户部', region_id: regionId },
  });
  teamId = team.json().id;
  otherTeamId = (
    await t.request('POST', '/api/v1/teams', { token: admin, body: { name: '华北销售部' } })
  ).json().id;
  // The rep and the presales engineer sell for the team (profile); the csm only through their deals.
  for (const role of ['rep', 'presales'] as const) {
    const r = await t.request('PATCH', `/api/v1/users/${A().userIds[role]}`, {
      token: admin,
      body: { team_id: teamId, region_id: regionId },
    });
    expect(r.statusCode).toBe(200);
  }
  const account = await t.request('POST', '/api/v1/accounts', { token: admin, body: { name: '苏州精工' } });
  for (const [owner, team_id] of [
    ['rep', teamId],
    ['csm', otherTeamId],
    ['csm', otherTeamId],
  ] as const) {
    const r = await t.request('POST', '/api/v1/opportunities', {
      token: admin,
      body: {
        name: `${owner} deal`,
        account_id: account.json().id,
        amount: 200_000,
        expected_close_date: `${feb}-15`,
        stage: 'discovery',
        owner_id: A().userIds[owner],
        team_id,
      },
    });
    expect(r.statusCode).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('auth', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/api/v1/quotas'],
    ['PUT', '/api/v1/quotas', []],
    ['DELETE', `/api/v1/quotas/${randomUUID()}`],
  ];
  it.each(routes)('%s %s → 401 without a token', async (method, url, body) => {
    const r = await t.request(method, url, { body });
    expect(r.statusCode).toBe(401);
    expect(r.headers['content-type']).toContain('application/problem+json');
  });

  it('reps read quotas but may not write them; managers, regional managers and admins may', async () => {
    const body = [monthQuota(A().userIds.rep, `${Y}-12`, 1)];
    for (const role of ['rep', 'presales', 'csm', 'coach', 'marketing'] as const) {
      const r = await put(body, A().tokens[role]);
      expect(r.statusCode, role).toBe(403);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(
        (await t.request('DELETE', `/api/v1/quotas/${randomUUID()}`, { token: A().tokens[role] })).statusCode,
      ).toBe(403);
      expect((await t.request('GET', '/api/v1/quotas', { token: A().tokens[role] })).statusCode).toBe(200);
    }
    expect(await quotaCount(A().id)).toBe(0);
    for (const role of ['manager', 'regional_manager', 'admin'] as const)
      expect((await put(body, A().tokens[role])).statusCode, role).toBe(200);
    const list = await t.request('GET', `/api/v1/quotas?period=${Y}-12`, { token: A().tokens.admin });
    const [row] = list.json().data;
    expect(list.json().data).toHaveLength(1);
    expect(
      (await t.request('DELETE', `/api/v1/quotas/${row.id}`, { token: A().tokens.admin })).statusCode,
    ).toBe(204);
  });
});

describe('bulk set, list and the forecast', () => {
  it('stores a quarter of month quotas for several reps in one request, with provenance', async () => {
    const body = [
      monthQuota(A().userIds.rep, jan, 100_000),
      monthQuota(A().userIds.rep, feb, 110_000),
      monthQuota(A().userIds.rep, mar, 120_000),
      ...[jan, feb, mar].map((m) => monthQuota(A().userIds.presales, m, 50_000)),
    ];
    const r = await put(body);
    expect(r.statusCode).toBe(200);
    const res = r.json();
    expect(res).toMatchObject({ created: 6, updated: 0, unchanged: 0 });
    expect(res.data.map((q: any) => q.amount)).toEqual(body.map((q) => q.amount));
    expect(res.data[0]).toMatchObject({
      period: jan,
      period_kind: 'month',
      scope: 'rep',
      scope_key: A().userIds.rep,
      currency: 'CNY',
      source: 'api',
      created_by: A().userIds.manager,
    });

    const list = await t.request(
      'GET',
      `/api/v1/quotas?period_kind=month&scope=rep&period=${jan},${feb},${mar}`,
      {
        token: A().tokens.rep,
      },
    );
    expect(list.statusCode).toBe(200);
    expect(list.json().data).toHaveLength(6);
    const one = await t.request('GET', `/api/v1/quotas?scope_key=${A().userIds.presales}&period=${feb}`, {
      token: A().tokens.rep,
    });
    expect(one.json().data.map((q: any) => q.amount)).toEqual([50_000]);

    // Audit and lineage: one change row per created quota, by the manager, from the API.
    const log = await t.server.platform.database.query<{ n: number; actor_id: string; source: string }>(
      `select count(*)::int as n, min(actor_id::text) as actor_id, min(source) as source from change_log
        where tenant_id = $1 and entity = 'quotas' and action = 'create' and entity_id = any($2::uuid[])`,
      [A().id, res.data.map((q: any) => q.id)],
    );
    expect(log.rows[0]).toMatchObject({ n: 6, actor_id: A().userIds.manager, source: 'api' });

    // The same set again with one change: an upsert, not duplicates.
    const again = await put([...body.slice(0, 5), monthQuota(A().userIds.presales, mar, 60_000)]);
    expect(again.json()).toMatchObject({ created: 0, updated: 1, unchanged: 5 });
    expect(again.json().data[5].id).toBe(res.data[5].id);
    expect(await quotaCount(A().id)).toBe(6);
    await put([monthQuota(A().userIds.presales, mar, 50_000)]);
  });

  it('the forecast shows each rep’s quota beside expected and commit, with attainment', async () => {
    const f = await forecast(`period=month&group_by=rep&from=${jan}&periods=3`);
    expect(groupQuota(f, jan, A().userIds.rep)).toBe(100_000);
    expect(groupQuota(f, mar, A().userIds.rep)).toBe(120_000);
    // The presales engineer has a quota but no deals: still listed.
    const presales = f.periods[0].groups.find((g: any) => g.group_key === A().userIds.presales);
    expect(presales).toMatchObject({ quota: 50_000, expected: 0, attainment: 0 });
    // No quota → null, not 0.
    expect(groupQuota(f, jan, A().userIds.csm)).toBeNull();
    expect(f.periods[0].total.quota).toBe(150_000);
    const rep = f.periods[1].groups.find((g: any) => g.group_key === A().userIds.rep);
    expect(rep.attainment).toBe(Math.round((rep.won_to_date / rep.quota) * 10_000) / 10_000);
  });

  it('a quarter without its own quota is the sum of its months; its own row wins', async () => {
    let f = await forecast(`period=quarter&group_by=rep&from=${jan}&periods=1`);
    expect(groupQuota(f, q1, A().userIds.rep)).toBe(330_000);
    expect(groupQuota(f, q1, A().userIds.presales)).toBe(150_000);
    expect(f.periods[0].total.quota).toBe(480_000);
    const own = await put([
      { period_kind: 'quarter', period: q1, scope: 'rep', scope_key: A().userIds.rep, amount: 400_000 },
    ]);
    expect(own.statusCode).toBe(200);
    f = await forecast(`period=quarter&group_by=rep&from=${jan}&periods=1`);
    expect(groupQuota(f, q1, A().userIds.rep)).toBe(400_000);
    expect(f.periods[0].total.quota).toBe(550_000);
    // The months keep their own rows.
    f = await forecast(`period=month&group_by=rep&from=${jan}&periods=1`);
    expect(groupQuota(f, jan, A().userIds.rep)).toBe(100_000);
    const del = await t.request('DELETE', `/api/v1/quotas/${own.json().data[0].id}`, {
      token: A().tokens.admin,
    });
    expect(del.statusCode).toBe(204);
    f = await forecast(`period=quarter&group_by=rep&from=${jan}&periods=1`);
    expect(groupQuota(f, q1, A().userIds.rep)).toBe(330_000);
  });

  it('a month without its own quota but with a quarter quota is a third of it', async () => {
    const r = await put([
      { period_kind: 'quarter', period: q2, scope: 'rep', scope_key: A().userIds.csm, amount: 300_000 },
    ]);
    expect(r.statusCode).toBe(200);
    const months = await forecast(`period=month&group_by=rep&from=${apr}&periods=3`);
    for (const p of months.periods) expect(groupQuota(months, p.period, A().userIds.csm)).toBe(100_000);
    const quarter = await forecast(`period=quarter&group_by=rep&from=${apr}&periods=1`);
    expect(groupQuota(quarter, q2, A().userIds.csm)).toBe(300_000);
  });

  it('a team or region without its own quota is the sum of its reps; the total is its own row or the sum of reps', async () => {
    let f = await forecast(`period=quarter&group_by=team&from=${jan}&periods=1`);
    // rep + presales are in the team by profile.
    expect(groupQuota(f, q1, teamId)).toBe(480_000);
    // The csm belongs to the other team through their deals; their Q1 has no quota.
    expect(groupQuota(f, q1, otherTeamId)).toBeNull();
    f = await forecast(`period=quarter&group_by=region&from=${jan}&periods=1`);
    expect(groupQuota(f, q1, regionId)).toBe(480_000);
    // Q2: only the csm has a quota, and rolls up into the team of their deals.
    f = await forecast(`period=quarter&group_by=team&from=${apr}&periods=1`);
    expect(groupQuota(f, q2, otherTeamId)).toBe(300_000);
    expect(groupQuota(f, q2, teamId)).toBeNull();

    const own = await put([
      { period_kind: 'quarter', period: q1, scope: 'team', scope_key: teamId, amount: 500_000 },
      { period_kind: 'quarter', period: q1, scope: 'total', amount: 900_000 },
    ]);
    expect(own.statusCode).toBe(200);
    expect(own.json().data[1].scope_key).toBe('all');
    f = await forecast(`period=quarter&group_by=team&from=${jan}&periods=1`);
    expect(groupQuota(f, q1, teamId)).toBe(500_000);
    expect(f.periods[0].total.quota).toBe(900_000);
    // Months of a quarter with only a team quarter row: a third each.
    f = await forecast(`period=month&group_by=team&from=${jan}&periods=1`);
    expect(groupQuota(f, jan, teamId)).toBeCloseTo(166_666.67, 2);
    expect(f.periods[0].total.quota).toBe(300_000);
  });

  it('snapshots store the quota', async () => {
    const now = new Date().toISOString().slice(0, 7);
    await put([monthQuota(A().userIds.rep, now, 77_000)]);
    const s = await t.request('POST', '/api/v1/forecast/snapshots', {
      token: A().tokens.manager,
      body: { period: 'month' },
    });
    expect(s.statusCode).toBe(201);
    const rows = await t.server.platform.database.query<{ quota: number | null }>(
      `select quota from forecast_snapshots where tenant_id = $1 and period = $2 and group_by = 'rep' and group_key = $3`,
      [A().id, now, A().userIds.rep],
    );
    expect(rows.rows.map((r) => Number(r.quota))).toEqual([77_000]);
  });
});

describe('validation: one bad item stores nothing and names the item and field', () => {
  const good = () => monthQuota(A().userIds.rep, `${Y}-11`, 1000);
  const cases: [string, () => unknown, number, string][] = [
    ['bad month', () => monthQuota(A().userIds.rep, `${Y}-13`, 1), 400, '1.period'],
    ['quarter period for a month', () => monthQuota(A().userIds.rep, q1, 1), 400, '1.period'],
    [
      'month period for a quarter',
      () => ({ period_kind: 'quarter', period: jan, scope: 'rep', scope_key: A().userIds.rep, amount: 1 }),
      400,
      '1.period',
    ],
    ['negative amount', () => monthQuota(A().userIds.rep, jan, -5), 400, '1.amount'],
    ['unknown scope', () => monthQuota(A().userIds.rep, jan, 5, 'planet'), 400, '1.scope'],
    ['bad currency', () => ({ ...monthQuota(A().userIds.rep, jan, 5), currency: 'RMBX' }), 400, '1.currency'],
    [
      'rep id missing',
      () => ({ period_kind: 'month', period: jan, scope: 'rep', amount: 5 }),
      400,
      '1.scope_key',
    ],
    ['total with a key', () => ({ ...monthQuota('x', jan, 5, 'total') }), 400, '1.scope_key'],
    ['unknown rep id', () => monthQuota(randomUUID(), jan, 5), 422, '1.scope_key'],
    ['not a uuid', () => monthQuota('王芳', jan, 5), 422, '1.scope_key'],
    ['another tenant’s rep', () => monthQuota(t.tenantB.userIds.rep, jan, 5), 422, '1.scope_key'],
    ['a region id as a team', () => monthQuota(regionId, jan, 5, 'team'), 422, '1.scope_key'],
    ['the same quota twice', () => good(), 422, '1.period'],
  ];
  it.each(cases)('%s → %i naming %s', async (_name, bad, status, field) => {
    const before = await quotaCount(A().id);
    const r = await put([good(), bad()]);
    expect(r.statusCode).toBe(status);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().errors.map((e: any) => e.field)).toContain(field);
    expect(await quotaCount(A().id)).toBe(before);
    const list = await t.request('GET', `/api/v1/quotas?period=${Y}-11`, { token: A().tokens.admin });
    expect(list.json().data).toHaveLength(0);
  });

  it('reports every bad item at once', async () => {
    const r = await put([monthQuota(randomUUID(), jan, 1), good(), monthQuota(randomUUID(), feb, 1)]);
    expect(r.statusCode).toBe(422);
    expect(r.json().errors.map((e: any) => e.field)).toEqual(['0.scope_key', '2.scope_key']);
  });

  it('rejects a body that is not an array and bad list filters', async () => {
    expect((await put({ period: jan })).statusCode).toBe(400);
    const bad = await t.request('GET', '/api/v1/quotas?period=2026-13', { token: A().tokens.rep });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('period');
  });
});

describe('tenant isolation', () => {
  it('another tenant sees none of the quotas and cannot delete them (404)', async () => {
    const a = await t.request('GET', '/api/v1/quotas?limit=500', { token: A().tokens.admin });
    expect(a.json().data.length).toBeGreaterThan(0);
    const b = await t.request('GET', '/api/v1/quotas?limit=500', { token: t.tenantB.tokens.admin });
    expect(b.statusCode).toBe(200);
    expect(b.json().data).toEqual([]);
    const f = await forecast(`period=quarter&group_by=rep&from=${jan}&periods=1`, t.tenantB.tokens.admin);
    expect(f.periods[0].total.quota).toBeNull();
    const id = a.json().data[0].id;
    const del = await t.request('DELETE', `/api/v1/quotas/${id}`, { token: t.tenantB.tokens.admin });
    expect(del.statusCode).toBe(404);
    expect(del.headers['content-type']).toContain('application/problem+json');
    expect(
      (await t.request('DELETE', '/api/v1/quotas/not-a-uuid', { token: A().tokens.admin })).statusCode,
    ).toBe(404);
    const still = await t.request('GET', '/api/v1/quotas?limit=500', { token: A().tokens.admin });
    expect(still.json().data.map((q: any) => q.id)).toContain(id);
  });
});

describe('OpenAPI', () => {
  it('documents every quota route with its body and responses', async () => {
    const r = await t.request('GET', '/openapi.json');
    expect(r.statusCode).toBe(200);
    const paths = r.json().paths;
    expect(Object.keys(paths['/api/v1/quotas'])).toEqual(expect.arrayContaining(['get', 'put']));
    expect(paths['/api/v1/quotas/{id}'].delete.responses).toHaveProperty('404');
    const body = paths['/api/v1/quotas'].put.requestBody.content['application/json'].schema;
    expect(body.type).toBe('array');
    expect(JSON.stringify(body)).toContain('scope_key');
  });
});

describe('resolution rules (pure)', () => {
  const none = { team: new Map<string, string>(), region: new Map<string, string>() };
  it('partial months add up; a quarter built from months is not split back', () => {
    const r = quotaResolver(
      [
        { period: '2027-01', scope: 'rep', scope_key: 'a', amount: 10 },
        { period: '2027-03', scope: 'rep', scope_key: 'a', amount: 30 },
      ],
      none,
    );
    expect(r.quotaFor('rep', 'a', '2027-Q1')).toBe(40);
    expect(r.quotaFor('rep', 'a', '2027-02')).toBeNull();
    expect(r.quotaFor('rep', 'b', '2027-Q1')).toBeNull();
    expect(r.quotaFor('total', 'all', '2027-Q1')).toBe(40);
    expect(r.quotaFor('team', 't', '2027-Q1')).toBeNull();
  });
});

describe('demo quotas', () => {
  it('seeds month quotas for the current and next quarter per rep, once', async () => {
    const db = t.server.platform.database;
    const summary = await seedDemo(db, 'demo-quotas');
    const tenantId = (await db.query<{ id: string }>(`select id from tenants where name = 'demo-quotas'`, []))
      .rows[0].id;
    expect(summary.created).toBe(true);
    const created = await seedDemoQuotas(db, tenantId);
    const reps = await db.query<{ id: string }>(
      `select id from users where tenant_id = $1 and role = 'rep'`,
      [tenantId],
    );
    expect(created).toBe(reps.rows.length * 6);
    expect(await seedDemoQuotas(db, tenantId)).toBe(0);
    const rows = await db.query<{ source: string; amount: number }>(
      'select source, amount from quotas where tenant_id = $1',
      [tenantId],
    );
    expect(rows.rows.every((r) => r.source === 'seed' && Number(r.amount) >= 10_000)).toBe(true);
  }, 120_000);
});
