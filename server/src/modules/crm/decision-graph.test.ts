import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';

let t: TestServer;
let admin: string;
let rep: string;
let acc: { id: string; name: string };
const now = () => new Date().toISOString();

beforeAll(async () => {
  t = await startTestServer();
  admin = t.tenantA.tokens.admin;
  rep = t.tenantA.tokens.rep;
  const a = await t.request('POST', '/api/v1/accounts', {
    token: admin,
    body: { name: '宁德新能源科技有限公司', owner_id: t.tenantA.userIds.rep },
  });
  expect(a.statusCode, a.body).toBe(201);
  acc = a.json();
  // A contact without a committee role counts for no role.
  const c = await t.request('POST', '/api/v1/contacts', {
    token: admin,
    body: { name: '李伟', account_id: acc.id, emails: ['li.wei@atl-battery.com'] },
  });
  expect(c.statusCode, c.body).toBe(201);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('decision graph', () => {
  it('shows the committee with touchpoints and flags missing roles', async () => {
    const fin = (
      await t.request('POST', '/api/v1/contacts', {
        token: admin,
        body: {
          name: '王芳',
          account_id: acc.id,
          committee_role: 'finance',
          influence: 4,
          stance: 'skeptic',
          preferences: ['循环寿命'],
        },
      })
    ).json();
    const tech = (
      await t.request('POST', '/api/v1/contacts', {
        token: admin,
        body: {
          name: '张强',
          account_id: acc.id,
          committee_role: 'technical',
          influence: 5,
          stance: 'champion',
          preferences: ['能量密度'],
        },
      })
    ).json();
    await t.request('POST', '/api/v1/activities', {
      token: admin,
      body: {
        type: 'meeting',
        subject: '技术交流',
        occurred_at: now(),
        account_id: acc.id,
        contact_ids: [tech.id],
        status: 'done',
      },
    });
    const g = await t.request('GET', `/api/v1/accounts/${acc.id}/decision-graph`, { token: rep });
    expect(g.statusCode, g.body).toBe(200);
    const body = g.json();
    expect(body.members.find((m: any) => m.contact_id === tech.id)).toMatchObject({
      role: 'technical',
      influence: 5,
      stance: 'champion',
      preferences: ['能量密度'],
      touchpoints: { count: 1 },
    });
    expect(body.missing_roles).toEqual(expect.arrayContaining(['executive', 'procurement', 'user']));
    expect(body.untouched_roles).toEqual(['finance']);
    expect(body.gaps.find((x: any) => x.role === 'finance').message_zh).toContain('财务');
    expect(body.by_role.finance).toEqual([fin.id]);
  });

  it('401 without a token; 404 for another tenant', async () => {
    expect((await t.request('GET', `/api/v1/accounts/${acc.id}/decision-graph`)).statusCode).toBe(401);
    expect(
      (await t.request('GET', `/api/v1/accounts/${acc.id}/decision-graph`, { token: t.tenantB.tokens.admin }))
        .statusCode,
    ).toBe(404);
  });
});
