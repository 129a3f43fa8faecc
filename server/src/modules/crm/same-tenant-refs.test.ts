import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';

/**
 * Every reference to another record must point into the caller's own tenant (trust issue, item 7).
 * The ids used here are real records — of the OTHER tenant — so only a same-tenant check rejects them.
 */
let t: TestServer;
const inB: Record<string, string> = {};
const inA: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestServer();
  const admin = (tenant: 'A' | 'B') => (tenant === 'A' ? t.tenantA : t.tenantB).tokens.admin;
  for (const [tenant, ids] of [
    ['A', inA],
    ['B', inB],
  ] as const) {
    const region = await t.request('POST', '/api/v1/regions', {
      token: admin(tenant),
      body: { name: '华东' },
    });
    expect(region.statusCode).toBe(201);
    ids.region = region.json().id;
    const team = await t.request('POST', '/api/v1/teams', {
      token: admin(tenant),
      body: { name: '大客户部' },
    });
    expect(team.statusCode).toBe(201);
    ids.team = team.json().id;
    const account = await t.request('POST', '/api/v1/accounts', {
      token: admin(tenant),
      body: { name: `引用测试客户${tenant}` },
    });
    expect(account.statusCode).toBe(201);
    ids.account = account.json().id;
  }
  inB.user = t.tenantB.userIds.rep;
  inA.user = t.tenantA.userIds.rep;
}, 120_000);
afterAll(async () => t?.close());

/** A 422 that names the field, and nothing stored. */
async function expectRejected(method: string, url: string, body: Record<string, unknown>, field: string) {
  const before = await t.request('GET', '/api/v1/audit?limit=1', { token: t.tenantA.tokens.admin });
  const res = await t.request(method, url, { token: t.tenantA.tokens.admin, body });
  expect(res.statusCode, res.body).toBe(422);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
  const after = await t.request('GET', '/api/v1/audit?limit=1', { token: t.tenantA.tokens.admin });
  if (before.statusCode === 200) expect(after.json().data[0]?.id).toBe(before.json().data[0]?.id);
}

describe('references across tenants are refused', () => {
  it('region parent', async () => {
    await expectRejected(
      'POST',
      '/api/v1/regions',
      { name: '华东-上海', parent_id: inB.region },
      'parent_id',
    );
    await expectRejected('PATCH', `/api/v1/regions/${inA.region}`, { parent_id: inB.region }, 'parent_id');
    const ok = await t.request('POST', '/api/v1/regions', {
      token: t.tenantA.tokens.admin,
      body: { name: '华东-上海', parent_id: inA.region },
    });
    expect(ok.statusCode).toBe(201);
  });

  it("a user's team, region and manager", async () => {
    const body = { email: 'cross@example.com', name: '跨租户', role: 'rep', password: 'long-enough-pw' };
    await expectRejected('POST', '/api/v1/users', { ...body, team_id: inB.team }, 'team_id');
    await expectRejected('POST', '/api/v1/users', { ...body, region_id: inB.region }, 'region_id');
    await expectRejected('POST', '/api/v1/users', { ...body, manager_id: inB.user }, 'manager_id');
    await expectRejected('PATCH', `/api/v1/users/${inA.user}`, { manager_id: inB.user }, 'manager_id');
    await expectRejected('PATCH', `/api/v1/users/${inA.user}`, { team_id: inB.team }, 'team_id');
    const ok = await t.request('PATCH', `/api/v1/users/${inA.user}`, {
      token: t.tenantA.tokens.admin,
      body: { team_id: inA.team, region_id: inA.region, manager_id: t.tenantA.userIds.manager },
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('owners, accounts and teams of CRM records', async () => {
    await expectRejected(
      'POST',
      '/api/v1/accounts',
      { name: '跨租户负责人', owner_id: inB.user },
      'owner_id',
    );
    await expectRejected(
      'POST',
      '/api/v1/accounts',
      { name: '跨租户区域', region_id: inB.region },
      'region_id',
    );
    await expectRejected(
      'POST',
      '/api/v1/opportunities',
      {
        name: '跨租户商机',
        account_id: inA.account,
        team_id: inB.team,
        amount: 1,
        expected_close_date: '2027-03-31',
      },
      'team_id',
    );
    await expectRejected('PATCH', `/api/v1/accounts/${inA.account}`, { owner_id: inB.user }, 'owner_id');
  });

  it('deleting a team or region clears the reference on users instead of leaving it dangling', async () => {
    const team = await t.request('POST', '/api/v1/teams', {
      token: t.tenantA.tokens.admin,
      body: { name: '临时组' },
    });
    const member = t.tenantA.userIds.presales;
    expect(
      (
        await t.request('PATCH', `/api/v1/users/${member}`, {
          token: t.tenantA.tokens.admin,
          body: { team_id: team.json().id },
        })
      ).statusCode,
    ).toBe(200);
    const del = await t.request('DELETE', `/api/v1/teams/${team.json().id}`, {
      token: t.tenantA.tokens.admin,
    });
    expect(del.statusCode).toBe(204);
    const user = await t.request('GET', `/api/v1/users/${member}`, { token: t.tenantA.tokens.admin });
    expect(user.json().team_id).toBeNull();
  });
});
