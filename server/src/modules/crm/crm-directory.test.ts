import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { systemContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import { crmDirectory, type DirectoryAccount, invalidateCrmDirectory } from './crm-directory.service.js';
import { averageDailyTouches, workingDaysWindow } from './crm-facts.service.js';

let t: TestServer;
let admin: string;
beforeAll(async () => {
  t = await startTestServer();
  admin = t.tenantA.tokens.admin;
}, 120_000);
afterAll(async () => t?.close());

const inTenant = <T>(tenantId: string, fn: (tx: Tx) => Promise<T>) =>
  t.server.platform.database.tenantTx(tenantId, fn);
const directoryOf = (tenantId: string) =>
  inTenant(tenantId, (tx) => crmDirectory(tx, systemContext(tenantId, 'test')));
const cached = (tenantId: string) =>
  t.server.platform.caches.map<string, { stamp: string }>('crm.directory').get(tenantId);

async function post(url: string, body: Record<string, unknown>, token = admin) {
  const r = await t.request('POST', url, { token, body });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

describe('the CRM directory', () => {
  it('holds every account, contact and opportunity of the tenant with their identifiers', async () => {
    const acc = await post('/api/v1/accounts', {
      name: '目录测试有限公司',
      domains: ['mulu.example.cn'],
      aliases: ['目录测试'],
      credit_code: '91320500MA1MQ7H2X2',
      industry: 'manufacturing',
    });
    const con = await post('/api/v1/contacts', {
      name: '李雷',
      account_id: acc.id,
      emails: ['lilei@mulu.example.cn'],
    });
    const opp = await post('/api/v1/opportunities', {
      name: '目录商机',
      account_id: acc.id,
      amount: 120000,
      expected_close_date: '2030-01-31',
    });
    const d = await directoryOf(t.tenantA.id);
    expect(d.accounts.get(acc.id)).toEqual<DirectoryAccount>({
      id: acc.id,
      name: '目录测试有限公司',
      owner_id: acc.owner_id ?? null,
      industry: 'manufacturing',
      domains: ['mulu.example.cn'],
      credit_code: '91320500MA1MQ7H2X2',
      aliases: ['目录测试'],
    });
    expect(d.contacts.get(con.id)).toEqual({
      id: con.id,
      account_id: acc.id,
      name: '李雷',
      emails: ['lilei@mulu.example.cn'],
    });
    expect(d.opportunities.get(opp.id)).toMatchObject({
      id: opp.id,
      account_id: acc.id,
      name: '目录商机',
      amount: 120000,
      status: 'open',
      closed_at: null,
    });
    // Another tenant's directory has none of it.
    const b = await directoryOf(t.tenantB.id);
    expect(b.accounts.has(acc.id)).toBe(false);
    expect(b.contacts.has(con.id)).toBe(false);
  });

  it('is cached on the platform per tenant, rebuilt when the CRM changes, dropped by CRM record events', async () => {
    const acc = await post('/api/v1/accounts', { name: '缓存测试客户' });
    // Deliver the write's own events first (their handler drops the copy; a write nudges the relay).
    await t.server.platform.bus.settle();
    const first = await directoryOf(t.tenantA.id);
    expect(first.accounts.has(acc.id)).toBe(true);
    expect(cached(t.tenantA.id)).toBe(first);
    expect(await directoryOf(t.tenantA.id)).toBe(first); // unchanged CRM: the same directory

    // A change through the CRM moves the stamp: the next read rebuilds.
    const r = await t.request('PATCH', `/api/v1/accounts/${acc.id}`, {
      token: admin,
      body: { name: '缓存测试客户（改）' },
    });
    expect(r.statusCode, r.body).toBe(200);
    await t.server.platform.bus.settle();
    const second = await directoryOf(t.tenantA.id);
    expect(second).not.toBe(first);
    expect(second.accounts.get(acc.id)?.name).toBe('缓存测试客户（改）');

    // The CRM module's subscription drops the tenant's copy when the record events are delivered.
    expect(cached(t.tenantA.id)).toBe(second);
    await post('/api/v1/contacts', { name: '韩梅梅', account_id: acc.id });
    await t.server.platform.bus.settle();
    expect(cached(t.tenantA.id)).toBeUndefined();

    // And invalidateCrmDirectory drops it directly.
    await directoryOf(t.tenantA.id);
    expect(cached(t.tenantA.id)).toBeDefined();
    invalidateCrmDirectory(t.server.platform.caches, t.tenantA.id);
    expect(cached(t.tenantA.id)).toBeUndefined();
  });
});

describe('a rep’s average daily effective touches', () => {
  it('counts done calls/meetings/emails/visits on working days of the last 20, ÷ 20, cached on the platform', async () => {
    const now = new Date();
    const { from } = workingDaysWindow(now);
    const rep = t.tenantA.userIds.rep;
    const acc = await post('/api/v1/accounts', { name: '触达测试客户', owner_id: rep });
    // A working day inside the window.
    const day = new Date(from);
    while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() + 1);
    day.setUTCHours(10);
    for (const [type, status] of [
      ['call', 'done'],
      ['meeting', 'done'],
      ['email', 'planned'],
      ['task', 'done'],
    ])
      await post('/api/v1/activities', {
        type,
        subject: `${type} ${status}`,
        occurred_at: day.toISOString(),
        account_id: acc.id,
        owner_id: rep,
        status,
      });
    const ctx = systemContext(t.tenantA.id, 'test');
    const avg = await inTenant(t.tenantA.id, (tx) => averageDailyTouches(tx, ctx, rep, now));
    expect(avg).toBe(2 / 20);
    const key = `${t.tenantA.id}:${rep}:${workingDaysWindow(now).to.toISOString()}`;
    expect(t.server.platform.caches.map<string, number>('crm.touches').get(key)).toBe(2 / 20);
  });
});
