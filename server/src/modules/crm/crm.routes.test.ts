import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';

let t: TestServer;
let scopedKey: string; // an API key limited to signals:write — has no CRM permission at all
const createdInB: Record<string, string> = {};

// A valid creation body per resource; `{{account}}` is filled in with an account of the same tenant.
const validBodies: Record<string, (ids: { account: string }) => Record<string, unknown>> = {
  accounts: () => ({
    name: '苏州启明精密制造有限公司',
    domains: ['qiming-sz.com.cn'],
    credit_code: '91320500MA1MQ7H2X2',
  }),
  contacts: ({ account }) => ({
    name: '王芳',
    account_id: account,
    emails: ['wang.fang@qiming-sz.com.cn'],
    committee_role: 'technical',
  }),
  opportunities: ({ account }) => ({
    name: 'MES 二期',
    account_id: account,
    amount: 1200000,
    expected_close_date: '2027-03-31',
  }),
  activities: ({ account }) => ({
    type: 'call',
    subject: '电话沟通',
    occurred_at: '2026-11-20T10:00:00+08:00',
    account_id: account,
  }),
  products: () => ({ name: 'APS 智能排产', sku: 'APS-1', unit_price: 300000 }),
  pipelines: () => ({
    name: 'Renewals',
    stages: [
      { key: 'open', name: '进行中', probability: 50, kind: 'open' },
      { key: 'won', name: '赢单', probability: 100, kind: 'won' },
      { key: 'lost', name: '输单', probability: 0, kind: 'lost' },
    ],
  }),
  'custom-fields': () => ({ entity: 'accounts', key: 'budget_code', label: '预算编号', type: 'text' }),
  regions: () => ({ name: '华东' }),
  teams: () => ({ name: '华东大客户部' }),
  users: () => ({ email: 'new.user@example.com', name: '新用户', role: 'rep', password: 'long-enough-pw' }),
};
// A body that fails validation, per resource.
const badBodies: Record<string, Record<string, unknown>> = {
  accounts: { name: '', credit_code: 'nope' },
  contacts: { name: '张三', emails: ['not-an-email'] },
  opportunities: { name: 'x', amount: -5, expected_close_date: '31/03/2027' },
  activities: { type: 'telepathy', subject: 'x', occurred_at: 'yesterday' },
  products: { name: 'x', unit_price: 'free' },
  pipelines: { name: 'x', stages: [{ key: 'only', name: 'only', probability: 10, kind: 'open' }] },
  'custom-fields': { entity: 'accounts', key: 'Bad Key', label: 'x', type: 'text' },
  regions: { name: 42 },
  teams: {},
  users: { email: 'x', name: 'x', role: 'emperor', password: 'short' },
};
// Who lacks the write permission of each resource.
const writeDenied: Record<string, 'coach' | 'rep'> = {
  accounts: 'coach',
  contacts: 'coach',
  opportunities: 'coach',
  activities: 'coach',
  products: 'rep',
  pipelines: 'rep',
  'custom-fields': 'rep',
  regions: 'rep',
  teams: 'rep',
  users: 'rep',
};
const deleteDenied: Record<string, 'rep'> = Object.fromEntries(
  Object.keys(validBodies).map((k) => [k, 'rep']),
);
const withHistory = new Set(['accounts', 'contacts', 'opportunities']);

async function count(resource: string, token: string) {
  let n = 0;
  let cursor: string | null = null;
  do {
    const res = await t.request('GET', `/api/v1/${resource}?limit=500${cursor ? `&cursor=${cursor}` : ''}`, {
      token,
    });
    n += res.json().data.length;
    cursor = res.json().next_cursor;
  } while (cursor);
  return n;
}

beforeAll(async () => {
  t = await startTestServer();
  const key = await t.request('POST', '/api/v1/api-keys', {
    token: t.tenantA.tokens.admin,
    body: { name: 'ingest', role: 'admin', scopes: ['signals:write'] },
  });
  expect(key.statusCode).toBe(201);
  scopedKey = key.json().key;
  // One record of every resource in tenant B, to prove tenant A cannot see it.
  const acc = await t.request('POST', '/api/v1/accounts', {
    token: t.tenantB.tokens.admin,
    body: validBodies.accounts({ account: '' }),
  });
  createdInB.accounts = acc.json().id;
  for (const r of Object.keys(validBodies)) {
    if (r === 'accounts') continue;
    const res = await t.request('POST', `/api/v1/${r}`, {
      token: t.tenantB.tokens.admin,
      body: validBodies[r]({ account: createdInB.accounts }),
    });
    expect(res.statusCode, `${r}: ${res.body}`).toBe(201);
    createdInB[r] = res.json().id;
  }
});
afterAll(async () => t?.close());

describe.each(Object.keys(validBodies))('/api/v1/%s', (resource) => {
  const url = `/api/v1/${resource}`;

  it('rejects unauthenticated requests with 401 problem+json on every route', async () => {
    const id = createdInB[resource];
    const routes: [string, string][] = [
      ['GET', url],
      ['POST', url],
      ['GET', `${url}/${id}`],
      ['PATCH', `${url}/${id}`],
      ['DELETE', `${url}/${id}`],
    ];
    if (withHistory.has(resource))
      routes.push(['GET', `${url}/${id}/timeline`], ['GET', `${url}/${id}/lineage`]);
    for (const [method, u] of routes) {
      const res = await t.request(method, u, {
        token: null,
        body: method === 'POST' || method === 'PATCH' ? {} : undefined,
      });
      expect(res.statusCode, `${method} ${u}`).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const bogus = await t.request('GET', url, { token: 'zs_sess_not-a-real-token' });
    expect(bogus.statusCode).toBe(401);
  });

  it('forbids roles and keys without the permission (403) and stores nothing', async () => {
    const before = await count(resource, t.tenantA.tokens.admin);
    expect((await t.request('GET', url, { token: scopedKey })).statusCode).toBe(403);
    const post = await t.request('POST', url, {
      token: t.tenantA.tokens[writeDenied[resource]],
      body: validBodies[resource]({ account: createdInB.accounts }),
    });
    expect(post.statusCode).toBe(403);
    expect(post.json().title).toBe('Forbidden');
    expect(await count(resource, t.tenantA.tokens.admin)).toBe(before);
  });

  it("answers 404 for another tenant's id, exactly as for an unknown id", async () => {
    const theirs = createdInB[resource];
    const unknown = '00000000-0000-4000-8000-000000000000';
    const routes = ['', ...(withHistory.has(resource) ? ['/timeline', '/lineage'] : [])];
    for (const suffix of routes) {
      const a = await t.request('GET', `${url}/${theirs}${suffix}`, { token: t.tenantA.tokens.admin });
      const b = await t.request('GET', `${url}/${unknown}${suffix}`, { token: t.tenantA.tokens.admin });
      expect(a.statusCode).toBe(404);
      expect(b.statusCode).toBe(404);
      expect(a.json().detail).toBe(b.json().detail);
    }
    expect(
      (await t.request('PATCH', `${url}/${theirs}`, { token: t.tenantA.tokens.admin, body: {} })).statusCode,
    ).toBe(404);
    expect(
      (await t.request('DELETE', `${url}/${theirs}`, { token: t.tenantA.tokens.admin })).statusCode,
    ).toBe(404);
    // …and tenant B's record is untouched.
    expect((await t.request('GET', `${url}/${theirs}`, { token: t.tenantB.tokens.admin })).statusCode).toBe(
      200,
    );
  });

  it('rejects a malformed body with 400 problem+json naming the fields, storing nothing', async () => {
    const before = await count(resource, t.tenantA.tokens.admin);
    const res = await t.request('POST', url, { token: t.tenantA.tokens.admin, body: badBodies[resource] });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors.length).toBeGreaterThan(0);
    for (const e of res.json().errors)
      expect(e).toEqual({ field: expect.any(String), reason: expect.any(String) });
    const notJson = await t.request('POST', url, {
      token: t.tenantA.tokens.admin,
      body: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.statusCode).toBe(400);
    expect(await count(resource, t.tenantA.tokens.admin)).toBe(before);
  });

  it('creates, reads, updates and deletes (with the delete permission)', async () => {
    let accountId = '';
    if (resource !== 'accounts') {
      const acc = await t.request('POST', '/api/v1/accounts', {
        token: t.tenantA.tokens.admin,
        body: { name: `客户 ${resource}` },
      });
      accountId = acc.json().id;
    }
    const body = validBodies[resource]({ account: accountId });
    if (resource === 'accounts') body.credit_code = null;
    if (resource === 'users') body.email = `crud.${Date.now()}@example.com`;
    if (resource === 'custom-fields') body.key = 'crud_field';
    const created = await t.request('POST', url, { token: t.tenantA.tokens.admin, body });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect(created.json().tenant_id).toBe(t.tenantA.id);
    expect(created.json()).not.toHaveProperty('password_hash');
    const got = await t.request('GET', `${url}/${id}`, { token: t.tenantA.tokens.rep });
    expect(got.statusCode).toBe(200);
    const patchField =
      resource === 'activities' ? 'subject' : resource === 'custom-fields' ? 'label' : 'name';
    const patched = await t.request('PATCH', `${url}/${id}`, {
      token: t.tenantA.tokens.admin,
      body: { [patchField]: '改过的名字' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()[patchField]).toBe('改过的名字');
    expect(
      (await t.request('DELETE', `${url}/${id}`, { token: t.tenantA.tokens[deleteDenied[resource]] }))
        .statusCode,
    ).toBe(403);
    expect((await t.request('DELETE', `${url}/${id}`, { token: t.tenantA.tokens.admin })).statusCode).toBe(
      204,
    );
    expect((await t.request('GET', `${url}/${id}`, { token: t.tenantA.tokens.admin })).statusCode).toBe(404);
  });
});

describe('lists', () => {
  it('pages with a cursor, sorts and searches Chinese and English names', async () => {
    const names = [
      '北京鼎新电子科技股份有限公司',
      '上海恒通汽车有限公司',
      '杭州博越医疗',
      'Acme Robotics Ltd',
      '深圳凌云新能源',
      '成都天衡机械',
      '武汉瑞丰精密',
    ];
    for (const name of names) {
      const r = await t.request('POST', '/api/v1/accounts', {
        token: t.tenantA.tokens.rep,
        body: { name, industry: name.includes('汽车') ? '汽车' : '制造', tags: ['分页'] },
      });
      expect(r.statusCode).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.request(
        'GET',
        `/api/v1/accounts?tag=${encodeURIComponent('分页')}&limit=3&sort=-name${cursor ? `&cursor=${cursor}` : ''}`,
        { token: t.tenantA.tokens.rep },
      );
      expect(res.statusCode).toBe(200);
      expect(res.json().data.length).toBeLessThanOrEqual(3);
      seen.push(...res.json().data.map((a: any) => a.name));
      cursor = res.json().next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(names.length);
    expect(new Set(seen).size).toBe(names.length);
    // By pinyin (beijing, chengdu, hangzhou …), not by code point.
    expect(seen).toEqual([
      '武汉瑞丰精密',
      '深圳凌云新能源',
      '上海恒通汽车有限公司',
      '杭州博越医疗',
      '成都天衡机械',
      '北京鼎新电子科技股份有限公司',
      'Acme Robotics Ltd',
    ]);

    const zh = await t.request('GET', `/api/v1/accounts?q=${encodeURIComponent('恒通')}`, {
      token: t.tenantA.tokens.rep,
    });
    expect(zh.json().data.map((a: any) => a.name)).toEqual(['上海恒通汽车有限公司']);
    const en = await t.request('GET', '/api/v1/accounts?q=acme', { token: t.tenantA.tokens.rep });
    expect(en.json().data.map((a: any) => a.name)).toEqual(['Acme Robotics Ltd']);
    const filtered = await t.request('GET', `/api/v1/accounts?industry=${encodeURIComponent('汽车')}`, {
      token: t.tenantA.tokens.rep,
    });
    expect(filtered.json().data.every((a: any) => a.industry === '汽车')).toBe(true);
  });

  it('rejects unknown sort fields, unknown filters and forged cursors with 400', async () => {
    const tok = t.tenantA.tokens.rep;
    expect(
      (await t.request('GET', '/api/v1/accounts?sort=password', { token: tok })).json().errors[0].field,
    ).toBe('sort');
    expect((await t.request('GET', '/api/v1/accounts?colour=red', { token: tok })).statusCode).toBe(400);
    expect(
      (await t.request('GET', '/api/v1/accounts?cursor=garbage', { token: tok })).json().errors[0].field,
    ).toBe('cursor');
    expect(
      (await t.request('GET', '/api/v1/opportunities?owner_id=not-a-uuid', { token: tok })).statusCode,
    ).toBe(400);
  });
});

describe('opportunities and the pipeline', () => {
  it('derives status and probability from the stage, audits changes with reasons, and shows lineage and timeline', async () => {
    const acc = (
      await t.request('POST', '/api/v1/accounts', {
        token: t.tenantA.tokens.rep,
        body: { name: '合肥光启新能源汽车有限公司' },
      })
    ).json();
    const opp = await t.request('POST', '/api/v1/opportunities', {
      token: t.tenantA.tokens.rep,
      body: {
        name: '电芯定点',
        account_id: acc.id,
        amount: 30_000_000,
        expected_close_date: '2027-06-30',
        stage: 'solution',
      },
    });
    expect(opp.statusCode).toBe(201);
    expect(opp.json()).toMatchObject({
      status: 'open',
      probability: 40,
      currency: 'CNY',
      amount: 30_000_000,
    });
    const id = opp.json().id;
    const won = await t.request('PATCH', `/api/v1/opportunities/${id}`, {
      token: t.tenantA.tokens.manager,
      body: { stage: 'won', change_reason: '客户签约' },
    });
    expect(won.json()).toMatchObject({ status: 'won', probability: 100 });
    expect(won.json().closed_at).not.toBeNull();
    const badStage = await t.request('PATCH', `/api/v1/opportunities/${id}`, {
      token: t.tenantA.tokens.manager,
      body: { stage: 'teleported' },
    });
    expect(badStage.statusCode).toBe(422);
    expect(badStage.json().errors[0].field).toBe('stage');

    const timeline = (
      await t.request('GET', `/api/v1/opportunities/${id}/timeline`, { token: t.tenantA.tokens.rep })
    ).json().data;
    const stageChange = timeline.find((i: any) => i.kind === 'change' && i.data.changes.stage);
    expect(stageChange.data.changes.stage).toEqual({ old: 'solution', new: 'won' });
    expect(stageChange.data.reason).toBe('客户签约');
    expect(stageChange.actor_name).toBe('manager acme');

    const lineage = (
      await t.request('GET', `/api/v1/opportunities/${id}/lineage`, { token: t.tenantA.tokens.rep })
    ).json().data;
    const stageLineage = lineage.find((l: any) => l.field === 'stage');
    expect(stageLineage).toMatchObject({
      value: 'won',
      source: 'api',
      method: 'manual',
      actor_name: 'manager acme',
    });
    expect(lineage.find((l: any) => l.field === 'amount')).toMatchObject({ actor_name: 'rep acme' });
  });

  it("refuses references to another tenant's records (422) without revealing them", async () => {
    const res = await t.request('POST', '/api/v1/opportunities', {
      token: t.tenantA.tokens.rep,
      body: { name: 'x', account_id: createdInB.accounts, amount: 1, expected_close_date: '2027-01-01' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ field: 'account_id', reason: 'no such account' }]);
  });

  it('will not delete an account that still has opportunities (409), and keeps it', async () => {
    const acc = (
      await t.request('POST', '/api/v1/accounts', {
        token: t.tenantA.tokens.rep,
        body: { name: '有商机的客户' },
      })
    ).json();
    await t.request('POST', '/api/v1/opportunities', {
      token: t.tenantA.tokens.rep,
      body: { name: 'o', account_id: acc.id, amount: 1, expected_close_date: '2027-01-01' },
    });
    const del = await t.request('DELETE', `/api/v1/accounts/${acc.id}`, { token: t.tenantA.tokens.admin });
    expect(del.statusCode).toBe(409);
    expect(
      (await t.request('GET', `/api/v1/accounts/${acc.id}`, { token: t.tenantA.tokens.admin })).statusCode,
    ).toBe(200);
  });
});

describe('custom fields', () => {
  it('validates values by type, enforces required, and filters with cf.<key>', async () => {
    const admin = t.tenantA.tokens.admin;
    const f = await t.request('POST', '/api/v1/custom-fields', {
      token: admin,
      body: { entity: 'opportunities', key: 'budget_wan', label: '预算(万元)', type: 'number' },
    });
    expect(f.statusCode).toBe(201);
    await t.request('POST', '/api/v1/custom-fields', {
      token: admin,
      body: {
        entity: 'opportunities',
        key: 'channel',
        label: '渠道',
        type: 'select',
        options: ['直销', '代理'],
      },
    });
    const acc = (
      await t.request('POST', '/api/v1/accounts', { token: admin, body: { name: '自定义字段客户' } })
    ).json();
    const base = { account_id: acc.id, amount: 1, expected_close_date: '2027-01-01' };
    const bad = await t.request('POST', '/api/v1/opportunities', {
      token: admin,
      body: { ...base, name: 'a', custom: { budget_wan: 'lots', channel: '电视购物', nope: 1 } },
    });
    expect(bad.statusCode).toBe(422);
    expect(
      bad
        .json()
        .errors.map((e: any) => e.field)
        .sort(),
    ).toEqual(['custom.budget_wan', 'custom.channel', 'custom.nope']);
    const ok = await t.request('POST', '/api/v1/opportunities', {
      token: admin,
      body: { ...base, name: 'b', custom: { budget_wan: 500, channel: '代理' } },
    });
    expect(ok.statusCode).toBe(201);
    const list = await t.request('GET', `/api/v1/opportunities?cf.channel=${encodeURIComponent('代理')}`, {
      token: admin,
    });
    expect(list.json().data.map((o: any) => o.name)).toEqual(['b']);
    const byNumber = await t.request('GET', '/api/v1/opportunities?cf.budget_wan=500', { token: admin });
    expect(byNumber.json().data).toHaveLength(1);
  });
});

describe('auth', () => {
  it('logs in with a cookie and a bearer token, tells who I am, and logs out', async () => {
    const login = await t.request('POST', '/api/v1/auth/login', {
      body: { email: 'rep@acme.test', password: 'correct-horse-battery' },
    });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/zs_session=.*HttpOnly/i);
    const me = await t.request('GET', '/api/v1/me', { headers: { cookie: cookie.split(';')[0] } });
    expect(me.json()).toMatchObject({ role: 'rep', tenant_name: 'acme', email: 'rep@acme.test' });
    expect(me.json().permissions).toContain('crm:write');
    expect(me.json().permissions).not.toContain('crm:delete');
    const token = login.json().token;
    expect((await t.request('POST', '/api/v1/auth/logout', { token })).statusCode).toBe(204);
    expect((await t.request('GET', '/api/v1/me', { token })).statusCode).toBe(401);
  });

  it('rejects a wrong password and a missing body', async () => {
    expect(
      (await t.request('POST', '/api/v1/auth/login', { body: { email: 'rep@acme.test', password: 'wrong' } }))
        .statusCode,
    ).toBe(401);
    expect((await t.request('POST', '/api/v1/auth/login', { body: {} })).statusCode).toBe(400);
  });

  it('creates API keys (admin only), shows the key once, and revokes it', async () => {
    expect(
      (await t.request('POST', '/api/v1/api-keys', { token: t.tenantA.tokens.manager, body: { name: 'x' } }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.request('POST', '/api/v1/api-keys', { token: null, body: { name: 'x' } })).statusCode,
    ).toBe(401);
    const created = await t.request('POST', '/api/v1/api-keys', {
      token: t.tenantA.tokens.admin,
      body: { name: 'erp-sync', role: 'rep' },
    });
    const { key, id } = created.json();
    expect(key).toMatch(/^zs_key_/);
    const listed = await t.request('GET', '/api/v1/api-keys', { token: t.tenantA.tokens.admin });
    expect(JSON.stringify(listed.json())).not.toContain(key);
    expect((await t.request('GET', '/api/v1/accounts', { token: key })).statusCode).toBe(200);
    expect(
      (await t.request('DELETE', `/api/v1/api-keys/${id}`, { token: t.tenantB.tokens.admin })).statusCode,
    ).toBe(404);
    expect(
      (await t.request('DELETE', `/api/v1/api-keys/${id}`, { token: t.tenantA.tokens.admin })).statusCode,
    ).toBe(204);
    expect((await t.request('GET', '/api/v1/accounts', { token: key })).statusCode).toBe(401);
  });
});

describe('platform endpoints', () => {
  it('serves health, metrics, the OpenAPI document and docs', async () => {
    expect((await t.request('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    // /metrics is closed on the public port unless a token is configured (see platform/http/metrics.test.ts).
    expect((await t.request('GET', '/metrics')).statusCode).toBe(404);
    const doc = (await t.request('GET', '/openapi.json')).json();
    for (const path of [
      '/api/v1/accounts',
      '/api/v1/accounts/{id}/lineage',
      '/api/v1/imports',
      '/api/v1/auth/login',
      '/api/v1/custom-fields',
    ]) {
      expect(doc.paths).toHaveProperty([path]);
    }
    expect((await t.request('GET', '/docs')).statusCode).toBeLessThan(400);
    const missing = await t.request('GET', '/api/v1/nothing-here', { token: t.tenantA.tokens.admin });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
  });
});

describe('row-level security', () => {
  it('hides other tenants even from a query without a tenant filter', async () => {
    const { sql } = await import('drizzle-orm');
    const db = t.server.platform.database;
    const rows: any = await db.tenantTx(t.tenantA.id, (tx) =>
      tx.execute(sql`select distinct tenant_id from accounts`),
    );
    const tenantIds = (rows.rows ?? rows).map((r: any) => r.tenant_id);
    expect(tenantIds).toEqual([t.tenantA.id]);
    await expect(
      db.tenantTx(t.tenantA.id, (tx) =>
        tx.execute(sql`insert into regions (tenant_id, name) values (${t.tenantB.id}, 'smuggled')`),
      ),
    ).rejects.toThrow();
  });
});

describe('cursor pagination on every sortable type', () => {
  it('walks timestamps, dates and numbers in both directions without gaps or repeats', async () => {
    const tok = t.tenantA.tokens.admin;
    const acc = (
      await t.request('POST', '/api/v1/accounts', { token: tok, body: { name: '翻页客户' } })
    ).json();
    for (let i = 0; i < 7; i++) {
      await t.request('POST', '/api/v1/opportunities', {
        token: tok,
        body: {
          name: `翻页 ${i}`,
          account_id: acc.id,
          amount: (i % 3) * 1000,
          expected_close_date: `2027-0${1 + (i % 4)}-15`,
        },
      });
    }
    const all = (
      await t.request('GET', `/api/v1/opportunities?account_id=${acc.id}&limit=100&include=account_name`, {
        token: tok,
      })
    ).json().data;
    expect(all.every((o: any) => o.account_name === '翻页客户')).toBe(true);
    const one = (
      await t.request('GET', `/api/v1/opportunities/${all[0].id}?include=account_name`, { token: tok })
    ).json();
    expect(one.account_name).toBe('翻页客户');
    for (const sort of ['-updated_at', 'created_at', 'expected_close_date', '-amount', 'amount']) {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await t.request(
          'GET',
          `/api/v1/opportunities?account_id=${acc.id}&limit=2&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`,
          { token: tok },
        );
        expect(res.statusCode, res.body).toBe(200);
        ids.push(...res.json().data.map((o: any) => o.id));
        cursor = res.json().next_cursor;
      } while (cursor);
      expect(new Set(ids).size, sort).toBe(all.length);
    }
  });
});

describe('cursor pagination on timestamps', () => {
  it('does not repeat or skip rows whose times differ only in microseconds', async () => {
    const tok = t.tenantB.tokens.admin;
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) {
      ids.push(
        (await t.request('POST', '/api/v1/regions', { token: tok, body: { name: `微秒 ${i}` } })).json().id,
      );
    }
    // Same millisecond, different microseconds (as rows written in one busy millisecond are).
    await t.server.platform.database.query(
      `update regions set created_at = timestamptz '2026-01-01 00:00:00.123' + ((array_position($1::uuid[], id)) || ' microseconds')::interval
        where id = any($1::uuid[])`,
      [ids],
    );
    for (const sort of ['created_at', '-created_at']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await t.request(
          'GET',
          `/api/v1/regions?limit=2&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`,
          { token: tok },
        );
        seen.push(
          ...res
            .json()
            .data.map((r: any) => r.id)
            .filter((id: string) => ids.includes(id)),
        );
        cursor = res.json().next_cursor;
      } while (cursor);
      expect(seen, sort).toEqual(sort === 'created_at' ? ids : [...ids].reverse());
    }
  });
});
