import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { COST_LIMITS } from './graphql.cost.js';

let t: TestServer;
let admin: string;
let repA: string;
let repB: string;
let accountId: string;
const oppIds: string[] = [];

interface Answer {
  status: number;
  data: any;
  errors?: { message: string; path?: string[]; extensions: Record<string, any> }[];
  extensions?: {
    cost: { requestedQueryCost: number; actualQueryCost: number | null; maximumAvailable: number };
  };
}

async function gql(
  token: string | null,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Answer> {
  const r = await t.request('POST', '/graphql', { token, body: { query, variables }, headers });
  return { status: r.statusCode, ...r.json() };
}

/** Counts the SQL statements drizzle sends (its logger, on both drivers) while fn runs. */
async function countStatements(fn: () => Promise<unknown>): Promise<number> {
  const db = t.server.platform.database.db as unknown as {
    session: { options: { logger?: unknown }; logger: unknown };
  };
  let n = 0;
  const logger = { logQuery: () => void n++ };
  const before = { options: db.session.options.logger, own: db.session.logger };
  db.session.options.logger = logger;
  db.session.logger = logger;
  try {
    await fn();
  } finally {
    db.session.options.logger = before.options;
    db.session.logger = before.own;
  }
  return n;
}

beforeAll(async () => {
  t = await startTestServer();
  admin = t.tenantA.tokens.admin;
  repA = t.tenantA.tokens.rep;
  repB = t.tenantA.tokens.manager; // a second user of tenant A for the sharing probe (below: a rep's opp)
  const a = await t.request('POST', '/api/v1/accounts', {
    token: admin,
    body: { name: '华为技术', industry: 'telecom', owner_id: t.tenantA.userIds.rep },
  });
  expect(a.statusCode, a.body).toBe(201);
  accountId = a.json().id;
  const other = await t.request('POST', '/api/v1/accounts', {
    token: admin,
    body: { name: 'Globex Trading' },
  });
  for (let i = 0; i < 50; i++) {
    const r = await t.request('POST', '/api/v1/opportunities', {
      token: admin,
      body: {
        name: `Deal ${String(i).padStart(2, '0')}`,
        account_id: i % 2 ? accountId : other.json().id,
        amount: 1000 * (i + 1),
        expected_close_date: '2026-12-31',
        owner_id: t.tenantA.userIds.rep,
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    oppIds.push(r.json().id);
  }
  await t.request('POST', '/api/v1/contacts', {
    token: admin,
    body: { name: '张伟', account_id: accountId },
  });
}, 180_000);

afterAll(async () => {
  await t?.close();
});

const DEALS = `query Deals($first: Int, $after: String) {
  opportunities(first: $first, after: $after, sort: AMOUNT_DESC) {
    edges { cursor node { id name amount account { id name } owner { name }
      latestPrediction { probability method modelVersion topFactors { feature label contribution } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('GraphQL at /graphql', () => {
  it('needs a signed-in caller: 401 with UNAUTHENTICATED, in the caller’s language', async () => {
    const r = await gql(null, '{ viewer { name } }', {}, { 'accept-language': 'zh-CN' });
    expect(r.status).toBe(401);
    expect(r.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(r.errors?.[0].message).toBe('请先登录');
  });

  it('refuses a cross-site POST riding on the session cookie (the platform CSRF guard)', async () => {
    const r = await t.request('POST', '/graphql', {
      body: { query: '{ viewer { name } }' },
      headers: { cookie: `zs_session=${repA}`, origin: 'https://evil.example' },
    });
    expect(r.statusCode).toBe(403);
    const same = await t.request('POST', '/graphql', {
      body: { query: '{ viewer { name } }' },
      headers: { cookie: `zs_session=${repA}`, origin: 'http://localhost:80', host: 'localhost' },
    });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json().data.viewer.name).toBe('rep acme');
  });

  it('reads opportunities with account, owner and prediction, pages with cursors and reports the cost', async () => {
    const first = await gql(repA, DEALS, { first: 20 });
    expect(first.errors).toBeUndefined();
    const edges = first.data.opportunities.edges;
    expect(edges).toHaveLength(20);
    expect(edges[0].node.amount).toBe(50_000);
    expect(edges[0].node.owner.name).toBe('rep acme');
    expect(edges[0].node.account.name).toBe('华为技术');
    expect(edges[1].node.account.name).toBe('Globex Trading');
    expect(edges[0].node.latestPrediction.method).toBe('stage_fallback');
    expect(edges[0].node.latestPrediction.probability).toBeGreaterThan(0);
    expect(first.data.opportunities.pageInfo.hasNextPage).toBe(true);
    // 2 + 20 × (1 node + account 1 + owner 1 + prediction 1)
    expect(first.extensions?.cost).toEqual({
      requestedQueryCost: 82,
      actualQueryCost: 82,
      maximumAvailable: 1000,
    });
    const seen = new Set(edges.map((e: any) => e.node.id));
    let after = first.data.opportunities.pageInfo.endCursor;
    while (after) {
      const page = await gql(repA, DEALS, { first: 20, after });
      for (const e of page.data.opportunities.edges) {
        expect(seen.has(e.node.id)).toBe(false);
        seen.add(e.node.id);
      }
      after = page.data.opportunities.pageInfo.endCursor;
      if (!page.data.opportunities.pageInfo.hasNextPage) {
        expect(page.extensions?.cost.actualQueryCost).toBe(2 + 10 * 4);
        expect(page.extensions?.cost.requestedQueryCost).toBe(82);
      }
    }
    expect(seen.size).toBe(50);
  });

  it('filters, searches and follows relations from an account', async () => {
    const r = await gql(
      repA,
      `query($id: ID!) { account(id: $id) { name owner { name }
        opportunities(first: 5, sort: AMOUNT_ASC) { nodes { name amount } pageInfo { hasNextPage } }
        contacts { nodes { name account { name } } } }
        accounts(q: "hw") { nodes { name } }
        opportunities(first: 100, filter: { accountId: "${accountId}", amountMin: "40000" }) { nodes { amount account { id } } } }`,
      { id: accountId },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.account.owner.name).toBe('rep acme');
    expect(r.data.account.opportunities.nodes.map((o: any) => o.amount)).toEqual([
      2000, 4000, 6000, 8000, 10000,
    ]);
    expect(r.data.account.opportunities.pageInfo.hasNextPage).toBe(true);
    expect(r.data.account.contacts.nodes).toEqual([{ name: '张伟', account: { name: '华为技术' } }]);
    expect(r.data.accounts.nodes.map((a: any) => a.name)).toEqual(['华为技术']);
    const amounts = r.data.opportunities.nodes
      .map((o: any) => o.amount)
      .sort((a: number, b: number) => a - b);
    expect(amounts).toEqual([40000, 42000, 44000, 46000, 48000, 50000]);
    expect(r.data.opportunities.nodes.every((o: any) => o.account.id === accountId)).toBe(true);
  });

  it('a bad filter is BAD_USER_INPUT naming the filter field', async () => {
    const r = await gql(repA, '{ opportunities(filter: { amountMin: "lots" }) { nodes { id } } }');
    expect(r.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].extensions.field).toBe('filter.amountMin');
  });

  it('creates and updates an account through the service: audit trail and lineage as REST', async () => {
    const created = await gql(
      repA,
      'mutation($input: AccountInput!) { createAccount(input: $input) { id name website owner { name } } }',
      { input: { name: '比亚迪', website: 'www.byd.com', tags: ['ev'] } },
    );
    expect(created.errors).toBeUndefined();
    const id = created.data.createAccount.id;
    expect(created.data.createAccount.website).toBe('https://www.byd.com');
    expect(created.data.createAccount.owner.name).toBe('rep acme');
    // 10 for the mutation + the account it returns (1) + its owner (1)
    expect(created.extensions?.cost.requestedQueryCost).toBe(10 + 1 + 1);
    const updated = await gql(
      repA,
      'mutation($id: ID!) { updateAccount(id: $id, input: { industry: "automotive" }, changeReason: "met them") { industry } }',
      { id },
    );
    expect(updated.errors).toBeUndefined();
    expect(updated.data.updateAccount.industry).toBe('automotive');
    const rest = await t.request('GET', `/api/v1/accounts/${id}`, { token: repA });
    expect(rest.json().industry).toBe('automotive');
    const lineage = await t.request('GET', `/api/v1/accounts/${id}/lineage`, { token: repA });
    const industry = lineage.json().data.find((l: any) => l.field === 'industry');
    expect(industry).toMatchObject({ value: 'automotive', actor_name: 'rep acme' });
    const { rows } = await t.server.platform.database.query<{ action: string; reason: string | null }>(
      `select action, reason from change_log where entity = 'accounts' and entity_id = $1 order by id`,
      [id],
    );
    expect(rows.map((r) => r.action)).toEqual(['create', 'update']);
    expect(rows[1].reason).toBe('met them');
    const events = await t.server.platform.database.query<{ name: string }>(
      `select name from domain_events where entity_id = $1 order by id`,
      [id],
    );
    expect(events.rows.map((e) => e.name)).toEqual(['accounts.created', 'accounts.updated']);
  });

  it('invalid input is BAD_USER_INPUT naming the field, in zh-CN too; nothing is written', async () => {
    const r = await gql(
      repA,
      'mutation { createAccount(input: { name: "Bad Co", website: "ftp://x.example" }) { id } }',
      {},
      { 'accept-language': 'zh-CN' },
    );
    expect(r.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].extensions.field).toBe('input.website');
    expect(r.errors?.[0].extensions.errors[0].reason).toBe('网址只能以 http:// 或 https:// 开头');
    const list = await gql(repA, '{ accounts(q: "Bad Co") { nodes { id } } }');
    expect(list.data.accounts.nodes).toEqual([]);
  });

  it('a role without the permission is FORBIDDEN', async () => {
    const r = await gql(t.tenantA.tokens.marketing, `mutation { deleteAccount(id: "${accountId}") }`);
    expect(r.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it('another tenant can neither see nor change the records by id', async () => {
    const other = t.tenantB.tokens.admin;
    const r = await gql(
      other,
      `{ account(id: "${accountId}") { name } opportunity(id: "${oppIds[0]}") { name } }`,
    );
    expect(r.data).toEqual({ account: null, opportunity: null });
    const u = await gql(
      other,
      `mutation { updateAccount(id: "${accountId}", input: { name: "mine" }) { name } }`,
    );
    expect(u.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const list = await gql(other, '{ opportunities(first: 100) { nodes { id } } }');
    expect(list.data.opportunities.nodes).toEqual([]);
  });

  it('record-level sharing: a user who may not read an opportunity does not see it', async () => {
    const s = await t.request('PUT', '/api/v1/sharing/defaults', {
      token: admin,
      body: {
        defaults: [
          { entity: 'opportunities', access: 'private' },
          { entity: 'accounts', access: 'private' },
        ],
      },
    });
    expect(s.statusCode, s.body).toBe(200);
    try {
      const presales = t.tenantA.tokens.presales;
      const r = await gql(
        presales,
        `{ opportunity(id: "${oppIds[0]}") { name } opportunities(first: 100) { nodes { id } } }`,
      );
      expect(r.data.opportunity).toBeNull();
      expect(r.data.opportunities.nodes).toEqual([]);
      const mine = await gql(repA, `{ opportunity(id: "${oppIds[0]}") { name account { name } } }`);
      expect(mine.data.opportunity.name).toBe('Deal 00');
      const edit = await gql(
        presales,
        `mutation { updateOpportunity(id: "${oppIds[0]}", input: { amount: 1 }) { id } }`,
      );
      expect(['NOT_FOUND', 'FORBIDDEN']).toContain(edit.errors?.[0].extensions.code);
    } finally {
      await t.request('PUT', '/api/v1/sharing/defaults', {
        token: admin,
        body: {
          defaults: [
            { entity: 'opportunities', access: 'public_read_write' },
            { entity: 'accounts', access: 'public_read_write' },
          ],
        },
      });
    }
    void repB;
  });

  it('refuses a query nested too deep, and one that would cost too much, with clear errors', async () => {
    let deep = 'name';
    for (let i = 0; i < 4; i++) deep = `account { opportunities { nodes { ${deep} } } }`;
    const d = await gql(repA, `{ opportunities { nodes { ${deep} } } }`);
    expect(d.errors?.[0].extensions.code).toBe('MAX_DEPTH_EXCEEDED');
    expect(d.errors?.[0].message).toMatch(/at most 12/);
    const c = await gql(
      repA,
      '{ accounts(first: 100) { nodes { opportunities(first: 100) { nodes { name } } } } }',
      {},
      { 'accept-language': 'zh-CN' },
    );
    expect(c.data ?? null).toBeNull();
    expect(c.errors?.[0].extensions.code).toBe('MAX_COST_EXCEEDED');
    expect(c.errors?.[0].message).toContain('1000');
    expect(c.extensions?.cost.requestedQueryCost).toBe(2 + 100 * (1 + 2 + 100));
    expect(c.extensions?.cost.requestedQueryCost).toBeGreaterThan(COST_LIMITS.maxCost);
  });

  it('50 opportunities with account, owner and latest prediction run a bounded number of SQL statements', async () => {
    await gql(repA, DEALS, { first: 50 }); // every deal scored once
    // Nothing else may talk to the database while statements are counted (writes nudge the relay).
    await t.server.platform.bus.settle();
    const five = await countStatements(() => gql(repA, DEALS, { first: 5 }));
    const fifty = await countStatements(async () => {
      const r = await gql(repA, DEALS, { first: 50 });
      expect(r.data.opportunities.edges).toHaveLength(50);
      expect(
        r.data.opportunities.edges.every(
          (e: any) => e.node.account && e.node.owner && e.node.latestPrediction,
        ),
      ).toBe(true);
    });
    expect(fifty).toBeLessThanOrEqual(five);
    expect(fifty).toBeLessThanOrEqual(12);
  });

  it('serves the SDL, and the query console outside production (own script, no CDN)', async () => {
    const sdl = await t.request('GET', '/graphql/schema.graphql');
    expect(sdl.body).toContain('type Opportunity');
    const page = await t.request('GET', '/graphql', { headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<script src="/graphql/console.js">');
    expect(page.body).not.toMatch(/https?:\/\/(unpkg|cdn)/);
    const js = await t.request('GET', '/graphql/console.js');
    expect(js.statusCode).toBe(200);
  });
});
