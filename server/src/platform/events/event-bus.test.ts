import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import type { DomainEvent } from './event-bus.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

describe('domain events (transactional outbox)', () => {
  it('delivers an event for a committed change, and none for a rejected one', async () => {
    const seen: DomainEvent[] = [];
    t.server.platform.bus.on('accounts.created', 'test.collect', async (e) => {
      if (e.tenant_id === t.tenantA.id) seen.push(e);
    });
    const ok = await t.request('POST', '/api/v1/accounts', {
      token: t.tenantA.tokens.rep,
      body: { name: '事件客户' },
    });
    await t.request('POST', '/api/v1/accounts', { token: t.tenantA.tokens.rep, body: { name: '' } });
    await t.server.platform.bus.settle();
    expect(seen.map((e) => e.entity_id)).toEqual([ok.json().id]);
    expect((seen[0].payload as any).record.name).toBe('事件客户');
  });

  it('retries a failing handler later instead of losing the event (at least once)', async () => {
    let calls = 0;
    t.server.platform.bus.on('contacts.created', 'test.flaky', async () => {
      calls += 1;
      if (calls === 1) throw new Error('downstream unavailable');
    });
    await t.request('POST', '/api/v1/contacts', {
      token: t.tenantA.tokens.rep,
      body: { name: '重试联系人' },
    });
    await t.server.platform.bus.settle();
    expect(calls).toBe(1);
    const db = t.server.platform.database;
    const pending = await db.query<{ id: number; last_error: string }>(
      "select id, last_error from domain_events where name = 'contacts.created' and dispatched_at is null",
    );
    expect(pending.rows).toHaveLength(1);
    expect(pending.rows[0].last_error).toContain('downstream unavailable');
    // Make the back-off elapse, then the relay delivers it again.
    await db.query("update domain_events set claimed_until = now() - interval '1 second' where id = $1", [
      pending.rows[0].id,
    ]);
    await t.server.platform.bus.drain();
    expect(calls).toBe(2);
    const done = await db.query<{ n: number }>(
      "select count(*)::int as n from domain_events where name = 'contacts.created' and dispatched_at is not null and last_error is null",
    );
    expect(done.rows[0].n).toBe(1);
  });
  it("keeps a failed handler's error without query parameters or secrets", async () => {
    t.server.platform.bus.on('products.created', 'test.leaky', async () => {
      throw new Error(
        'Failed query: insert into users (password_hash) values ($1)\nparams: $argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA,whsec_c2VjcmV0c2VjcmV0c2VjcmV0',
      );
    });
    const created = await t.request('POST', '/api/v1/products', {
      token: t.tenantA.tokens.admin,
      body: { name: '泄露检查', sku: 'LEAK-1', unit_price: 1 },
    });
    expect(created.statusCode, created.body).toBe(201);
    await t.server.platform.bus.settle();
    const { rows } = await t.server.platform.database.query<{ last_error: string }>(
      "select last_error from domain_events where name = 'products.created' and entity_id = $1",
      [created.json().id],
    );
    expect(rows[0].last_error).toContain('Failed query');
    expect(rows[0].last_error).not.toContain('$argon2id');
    expect(rows[0].last_error).not.toContain('whsec_');
  });
});
