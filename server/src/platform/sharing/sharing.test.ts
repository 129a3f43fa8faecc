import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestServer, type TestServer } from '../../../test/harness.js';

// Rep A (the harness rep, no manager) and rep B (reports to the harness manager) in one tenant.
let t: TestServer;
let admin: string;
let repA: string;
let repB: string;
let bossB: string; // B's manager
let otherManager: string; // a regional manager outside B's chain, no region
let repBId: string;
let repAId: string;
let accountB: string;
let oppB: string;
let activityB: string;
const OPP_NAME = '绝密项目 Zephyr';

async function login(email: string): Promise<string> {
  const r = await t.request('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().token;
}

async function setDefaults(
  access: string,
  entities = ['accounts', 'contacts', 'opportunities', 'activities'],
) {
  const r = await t.request('PUT', '/api/v1/sharing/defaults', {
    token: admin,
    body: { defaults: entities.map((entity) => ({ entity, access })) },
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

beforeAll(async () => {
  t = await startTestServer();
  admin = t.tenantA.tokens.admin;
  repA = t.tenantA.tokens.rep;
  repAId = t.tenantA.userIds.rep;
  bossB = t.tenantA.tokens.manager;
  otherManager = t.tenantA.tokens.regional_manager;
  const u = await t.request('POST', '/api/v1/users', {
    token: admin,
    body: {
      email: 'rep.b@acme.test',
      name: '销售乙',
      role: 'rep',
      password: PASSWORD,
      manager_id: t.tenantA.userIds.manager,
    },
  });
  expect(u.statusCode, u.body).toBe(201);
  repBId = u.json().id;
  repB = await login('rep.b@acme.test');

  const a = await t.request('POST', '/api/v1/accounts', {
    token: repB,
    body: { name: '乙方保密客户', domains: ['zephyr-secret.cn'] },
  });
  expect(a.statusCode, a.body).toBe(201);
  expect(a.json().owner_id).toBe(repBId); // a user's new record is theirs
  accountB = a.json().id;
  const o = await t.request('POST', '/api/v1/opportunities', {
    token: repB,
    body: { name: OPP_NAME, account_id: accountB, amount: 880000, expected_close_date: '2030-01-15' },
  });
  expect(o.statusCode, o.body).toBe(201);
  oppB = o.json().id;
  const act = await t.request('POST', '/api/v1/activities', {
    token: repB,
    body: {
      type: 'meeting',
      subject: 'Zephyr 报价会',
      occurred_at: new Date().toISOString(),
      account_id: accountB,
      opportunity_id: oppB,
    },
  });
  expect(act.statusCode, act.body).toBe(201);
  activityB = act.json().id;
  // A signal about the opportunity, and a tender that makes a rule address a bundle to B.
  const s = await t.request('POST', '/api/v1/signals', {
    token: admin,
    body: [
      {
        type: 'website_visit',
        source: 'test',
        occurred_at: new Date().toISOString(),
        subject: { account_id: accountB, opportunity_id: oppB },
        payload: { visits: 2 },
      },
      {
        type: 'tender_notice',
        source: 'test',
        occurred_at: new Date().toISOString(),
        subject: { account_id: accountB },
        payload: { title: '储能项目招标', budget: 5e6 },
      },
    ],
  });
  expect(s.statusCode, s.body).toBe(202);
  await t.server.platform.bus.settle();
}, 180_000);
afterAll(async () => {
  await t?.close();
});

const ids = (r: { json: () => any }) => (r.json().data as { id: string }[]).map((x) => x.id);

describe('sharing defaults', () => {
  it('lists all four entities, public_read_write by default', async () => {
    const r = await t.request('GET', '/api/v1/sharing/defaults', { token: repA });
    expect(r.statusCode, r.body).toBe(200);
    const data = r.json().data as { entity: string; access: string; updated_at: string | null }[];
    expect(data.map((d) => d.entity).sort()).toEqual(['accounts', 'activities', 'contacts', 'opportunities']);
    expect(data.every((d) => d.access === 'public_read_write' && d.updated_at === null)).toBe(true);
  });

  it('everyone sees everything under the default (today’s behaviour)', async () => {
    expect(ids(await t.request('GET', '/api/v1/opportunities', { token: repA }))).toContain(oppB);
    const r = await t.request('GET', `/api/v1/opportunities/${oppB}`, { token: repA });
    expect(r.statusCode).toBe(200);
    expect(r.json().access).toBe('edit');
  });

  it('only settings:manage may change them; bad values are 400 naming the field', async () => {
    const denied = await t.request('PUT', '/api/v1/sharing/defaults', {
      token: bossB,
      body: { defaults: [{ entity: 'opportunities', access: 'private' }] },
    });
    expect(denied.statusCode).toBe(403);
    const bad = await t.request('PUT', '/api/v1/sharing/defaults', {
      token: admin,
      body: {
        defaults: [
          { entity: 'opportunities', access: 'private' },
          { entity: 'widgets', access: 'nope' },
        ],
      },
    });
    expect(bad.statusCode).toBe(400);
    const fields = (bad.json().errors as { field: string }[]).map((e) => e.field);
    expect(fields).toContain('defaults.1.entity');
    expect(fields).toContain('defaults.1.access');
  });

  it('a change is audited', async () => {
    const body = await setDefaults('public_read', ['accounts']);
    expect(body.data.find((d: any) => d.entity === 'accounts').access).toBe('public_read');
    expect(body.data.find((d: any) => d.entity === 'accounts').updated_at).not.toBeNull();
    const { rows } = await t.server.platform.database.query<{ changes: any; actor_name: string }>(
      `select changes, actor_name from change_log where entity = 'sharing_defaults' and tenant_id = $1`,
      [t.tenantA.id],
    );
    expect(rows.at(-1)?.changes.accounts).toEqual({ old: 'public_read_write', new: 'public_read' });
    await setDefaults('public_read_write', ['accounts']);
  });
});

describe('private: rep A cannot see rep B’s opportunity by any route', () => {
  beforeAll(async () => {
    await setDefaults('private');
  });

  it('lists, search, get, patch, delete', async () => {
    expect(ids(await t.request('GET', '/api/v1/opportunities?limit=500', { token: repA }))).not.toContain(
      oppB,
    );
    const q = await t.request('GET', `/api/v1/opportunities?q=${encodeURIComponent('Zephyr')}`, {
      token: repA,
    });
    expect(q.json().data).toEqual([]);
    expect((await t.request('GET', `/api/v1/opportunities/${oppB}`, { token: repA })).statusCode).toBe(404);
    const patch = await t.request('PATCH', `/api/v1/opportunities/${oppB}`, {
      token: repA,
      body: { amount: 1 },
    });
    expect(patch.statusCode).toBe(404);
    // Not found, exactly like an unknown id (same body but the instance).
    const unknown = await t.request('GET', '/api/v1/opportunities/00000000-0000-4000-8000-000000000000', {
      token: repA,
    });
    const hidden = await t.request('GET', `/api/v1/opportunities/${oppB}`, { token: repA });
    expect({ ...hidden.json(), instance: null }).toEqual({ ...unknown.json(), instance: null });
    // Delete needs crm:delete: a manager outside B's chain has it and still gets 404.
    expect(
      (await t.request('DELETE', `/api/v1/opportunities/${oppB}`, { token: otherManager })).statusCode,
    ).toBe(404);
    // The account, its activity and the account's contacts are hidden the same way.
    expect((await t.request('GET', `/api/v1/accounts/${accountB}`, { token: repA })).statusCode).toBe(404);
    expect(ids(await t.request('GET', '/api/v1/accounts?limit=500', { token: repA }))).not.toContain(
      accountB,
    );
    expect((await t.request('GET', `/api/v1/activities/${activityB}`, { token: repA })).statusCode).toBe(404);
    expect(ids(await t.request('GET', '/api/v1/activities?limit=500', { token: repA }))).not.toContain(
      activityB,
    );
  });

  it('export, timelines, decision graph', async () => {
    const csv = await t.request('GET', '/api/v1/opportunities/export?format=csv', { token: repA });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toContain('Zephyr');
    for (const url of [
      `/api/v1/opportunities/${oppB}/timeline`,
      `/api/v1/accounts/${accountB}/timeline`,
      `/api/v1/opportunities/${oppB}/lineage`,
      `/api/v1/opportunities/${oppB}/shares`,
      `/api/v1/accounts/${accountB}/decision-graph`,
    ]) {
      expect((await t.request('GET', url, { token: repA })).statusCode, url).toBe(404);
    }
  });

  it('signals, interventions, forecast, predictions', async () => {
    for (const f of [`opportunity_id=${oppB}`, `account_id=${accountB}`, '']) {
      const r = await t.request('GET', `/api/v1/signals?${f}`, { token: repA });
      expect(r.statusCode).toBe(200);
      expect(
        (r.json().data as any[]).filter((s) => s.account_id === accountB || s.opportunity_id === oppB),
        f,
      ).toEqual([]);
    }
    // B's manager sees the signals (and the bundle addressed to B); a manager outside the chain does not.
    const seenByBoss = await t.request('GET', `/api/v1/signals?account_id=${accountB}`, { token: bossB });
    expect(seenByBoss.json().data.length).toBeGreaterThan(0);
    const inboxBoss = await t.request('GET', `/api/v1/interventions?owner_id=any&account_id=${accountB}`, {
      token: bossB,
    });
    expect(inboxBoss.json().data.length, inboxBoss.body).toBeGreaterThan(0);
    const inboxOther = await t.request('GET', `/api/v1/interventions?owner_id=any&account_id=${accountB}`, {
      token: otherManager,
    });
    expect(inboxOther.json().data).toEqual([]);
    const inboxA = await t.request('GET', '/api/v1/interventions', { token: repA });
    expect((inboxA.json().data as any[]).filter((i) => i.account_id === accountB)).toEqual([]);
    // …but a bundle addressed to B stays in B's inbox.
    const inboxB = await t.request('GET', '/api/v1/interventions', { token: repB });
    expect((inboxB.json().data as any[]).some((i) => i.account_id === accountB)).toBe(true);

    const forecastA = await t.request('GET', '/api/v1/forecast?from=2030-01&periods=1', { token: repA });
    expect(forecastA.statusCode, forecastA.body).toBe(200);
    expect(forecastA.json().periods[0].total.open_deals).toBe(0);
    const forecastBoss = await t.request('GET', '/api/v1/forecast?from=2030-01&periods=1', { token: bossB });
    expect(forecastBoss.json().periods[0].total.open_deals).toBe(1);

    expect(
      (await t.request('GET', `/api/v1/opportunities/${oppB}/prediction`, { token: repA })).statusCode,
    ).toBe(404);
    const preds = await t.request('GET', '/api/v1/predict/predictions', { token: repA });
    expect((preds.json().data as any[]).map((p) => p.opportunity_id)).not.toContain(oppB);
  });

  it('B, B’s manager chain and admins see and edit it', async () => {
    for (const token of [repB, bossB, admin]) {
      const r = await t.request('GET', `/api/v1/opportunities/${oppB}`, { token });
      expect(r.statusCode).toBe(200);
      expect(r.json().access).toBe('edit');
      expect(ids(await t.request('GET', '/api/v1/opportunities?limit=500', { token }))).toContain(oppB);
    }
    const patch = await t.request('PATCH', `/api/v1/opportunities/${oppB}`, {
      token: bossB,
      body: { amount: 900000 },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(
      (await t.request('GET', `/api/v1/opportunities/${oppB}/timeline`, { token: bossB })).statusCode,
    ).toBe(200);
  });

  it('a manager chain change takes effect on the next request', async () => {
    // Put A under B: B now sees A's records; undo it.
    const mine = await t.request('POST', '/api/v1/opportunities', {
      token: repA,
      body: { name: 'A 的商机', account_id: accountB, amount: 1, expected_close_date: '2030-02-01' },
    });
    // B's account is hidden from A, so A cannot attach records to it either.
    expect(mine.statusCode).toBe(422);
    expect(mine.json().errors[0]).toMatchObject({ field: 'account_id', reason: 'no such account' });
    const acc = await t.request('POST', '/api/v1/accounts', { token: repA, body: { name: '甲方客户' } });
    const opp = await t.request('POST', '/api/v1/opportunities', {
      token: repA,
      body: { name: 'A 的商机', account_id: acc.json().id, amount: 1, expected_close_date: '2030-02-01' },
    });
    expect(opp.statusCode, opp.body).toBe(201);
    const id = opp.json().id;
    expect((await t.request('GET', `/api/v1/opportunities/${id}`, { token: repB })).statusCode).toBe(404);
    await t.request('PATCH', `/api/v1/users/${repAId}`, { token: admin, body: { manager_id: repBId } });
    expect((await t.request('GET', `/api/v1/opportunities/${id}`, { token: repB })).statusCode).toBe(200);
    await t.request('PATCH', `/api/v1/users/${repAId}`, { token: admin, body: { manager_id: null } });
    expect((await t.request('GET', `/api/v1/opportunities/${id}`, { token: repB })).statusCode).toBe(404);
  });
});

describe('explicit shares', () => {
  beforeAll(async () => {
    await setDefaults('private');
  });

  it('only the owner, the chain and admins may share; unknown subjects are 422', async () => {
    const byA = await t.request('POST', `/api/v1/accounts/${accountB}/shares`, {
      token: otherManager,
      body: { subject_type: 'user', subject_id: repAId, access: 'read' },
    });
    expect(byA.statusCode).toBe(404); // cannot even see it
    const unknown = await t.request('POST', `/api/v1/opportunities/${oppB}/shares`, {
      token: repB,
      body: { subject_type: 'user', subject_id: t.tenantB.userIds.rep, access: 'read' },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].field).toBe('subject_id');
    const bad = await t.request('POST', `/api/v1/opportunities/${oppB}/shares`, {
      token: repB,
      body: { subject_type: 'group', subject_id: repAId, access: 'all' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('read share: A reads but may not edit; edit share: A edits; removed: hidden again', async () => {
    const created = await t.request('POST', `/api/v1/opportunities/${oppB}/shares`, {
      token: repB,
      body: { subject_type: 'user', subject_id: repAId, access: 'read' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const share = created.json();
    expect(share).toMatchObject({
      subject_type: 'user',
      subject_id: repAId,
      subject_name: 'rep acme',
      access: 'read',
    });
    expect(share.created_by_name).toBe('销售乙');

    const got = await t.request('GET', `/api/v1/opportunities/${oppB}`, { token: repA });
    expect(got.statusCode).toBe(200);
    expect(got.json().access).toBe('read');
    expect(ids(await t.request('GET', '/api/v1/opportunities?q=Zephyr', { token: repA }))).toEqual([oppB]);
    const patch = await t.request('PATCH', `/api/v1/opportunities/${oppB}`, {
      token: repA,
      body: { amount: 5 },
    });
    expect(patch.statusCode).toBe(403);
    const list = await t.request('GET', `/api/v1/opportunities/${oppB}/shares`, { token: repA });
    expect(list.statusCode).toBe(200);
    expect(list.json().can_manage).toBe(false);
    expect(list.json().data).toHaveLength(1);
    const reshare = await t.request('POST', `/api/v1/opportunities/${oppB}/shares`, {
      token: repA,
      body: { subject_type: 'user', subject_id: t.tenantA.userIds.csm, access: 'read' },
    });
    expect(reshare.statusCode).toBe(403);

    // The same subject again changes its access (200), and A may edit.
    const upgraded = await t.request('POST', `/api/v1/opportunities/${oppB}/shares`, {
      token: bossB,
      body: { subject_type: 'user', subject_id: repAId, access: 'edit' },
    });
    expect(upgraded.statusCode, upgraded.body).toBe(200);
    expect(upgraded.json()).toMatchObject({ id: share.id, access: 'edit' });
    const edited = await t.request('PATCH', `/api/v1/opportunities/${oppB}`, {
      token: repA,
      body: { amount: 7 },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect((await t.request('GET', `/api/v1/opportunities/${oppB}`, { token: repA })).json().access).toBe(
      'edit',
    );

    const del = await t.request('DELETE', `/api/v1/opportunities/${oppB}/shares/${share.id}`, {
      token: repB,
    });
    expect(del.statusCode).toBe(204);
    expect((await t.request('GET', `/api/v1/opportunities/${oppB}`, { token: repA })).statusCode).toBe(404);
    const again = await t.request('DELETE', `/api/v1/opportunities/${oppB}/shares/${share.id}`, {
      token: repB,
    });
    expect(again.statusCode).toBe(404);
    const { rows } = await t.server.platform.database.query<{ action: string }>(
      `select action from change_log where entity = 'record_shares' and entity_id = $1 order by id`,
      [share.id],
    );
    expect(rows.map((r) => r.action)).toEqual(['create', 'update', 'delete']);
  });

  it('a team share reaches everyone of the team', async () => {
    const team = await t.request('POST', '/api/v1/teams', { token: admin, body: { name: '华南组' } });
    expect(team.statusCode, team.body).toBe(201);
    const teamId = team.json().id;
    await t.request('PATCH', `/api/v1/users/${repAId}`, { token: admin, body: { team_id: teamId } });
    const s = await t.request('POST', `/api/v1/accounts/${accountB}/shares`, {
      token: admin,
      body: { subject_type: 'team', subject_id: teamId, access: 'read' },
    });
    expect(s.statusCode, s.body).toBe(201);
    expect(s.json().subject_name).toBe('华南组');
    expect((await t.request('GET', `/api/v1/accounts/${accountB}`, { token: repA })).statusCode).toBe(200);
    // The account's activities follow it (read), the opportunity does not.
    expect((await t.request('GET', `/api/v1/activities/${activityB}`, { token: repA })).statusCode).toBe(200);
    expect((await t.request('GET', `/api/v1/opportunities/${oppB}`, { token: repA })).statusCode).toBe(404);
    await t.request('DELETE', `/api/v1/accounts/${accountB}/shares/${s.json().id}`, { token: admin });
    await t.request('PATCH', `/api/v1/users/${repAId}`, { token: admin, body: { team_id: null } });
  });
});

describe('public_read and back to public_read_write', () => {
  it('public_read: A reads but may not edit', async () => {
    await setDefaults('public_read');
    const r = await t.request('GET', `/api/v1/opportunities/${oppB}`, { token: repA });
    expect(r.statusCode).toBe(200);
    expect(r.json().access).toBe('read');
    expect(ids(await t.request('GET', '/api/v1/opportunities?limit=500', { token: repA }))).toContain(oppB);
    const patch = await t.request('PATCH', `/api/v1/opportunities/${oppB}`, {
      token: repA,
      body: { amount: 3 },
    });
    expect(patch.statusCode).toBe(403);
    expect(patch.headers['content-type']).toContain('application/problem+json');
    const del = await t.request('DELETE', `/api/v1/opportunities/${oppB}`, { token: otherManager });
    expect(del.statusCode).toBe(403);
  });

  it('public_read_write: as today', async () => {
    await setDefaults('public_read_write');
    const patch = await t.request('PATCH', `/api/v1/opportunities/${oppB}`, {
      token: repA,
      body: { amount: 4 },
    });
    expect(patch.statusCode, patch.body).toBe(200);
  });

  it('another tenant never sees the defaults or shares', async () => {
    const r = await t.request('GET', '/api/v1/sharing/defaults', { token: t.tenantB.tokens.admin });
    expect((r.json().data as any[]).every((d) => d.access === 'public_read_write')).toBe(true);
    expect(
      (await t.request('GET', `/api/v1/opportunities/${oppB}/shares`, { token: t.tenantB.tokens.admin }))
        .statusCode,
    ).toBe(404);
  });
});
