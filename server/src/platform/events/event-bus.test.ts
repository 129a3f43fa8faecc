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
});
