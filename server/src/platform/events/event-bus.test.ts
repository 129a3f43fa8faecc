import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { type DomainEvent, emitEvent, mergeableEvent } from './event-bus.js';

const METRICS_TOKEN = 'event-bus-metrics-token';
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ metrics: { token: METRICS_TOKEN, port: undefined, host: '127.0.0.1' } });
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

  it('delivers pending events of a mergeable name merged per tenant to named handlers, and each one to * handlers', async () => {
    // Merges item lists, at most 3 items per delivery.
    const name = mergeableEvent('test.mergeable', (into, next) => {
      const items = [...(into.items as string[]), ...(next.items as string[])];
      return items.length > 3 ? null : { items };
    });
    const named: { tenant: string; items: string[]; id: number }[] = [];
    const each: number[] = [];
    t.server.platform.bus.on(name, 'test.merged', async (e) => {
      named.push({ tenant: e.tenant_id, items: (e.payload as any).items, id: Number(e.id) });
    });
    t.server.platform.bus.on('*', 'test.each', async (e) => {
      if (e.name === name) each.push(Number(e.id));
    });
    const db = t.server.platform.database;
    for (const [tenant, item] of [
      [t.tenantA.id, 'a1'],
      [t.tenantB.id, 'b1'],
      [t.tenantA.id, 'a2'],
      [t.tenantA.id, 'a3'],
      [t.tenantA.id, 'a4'],
    ])
      await db.tenantTx(tenant, (tx) =>
        emitEvent(tx, { tenantId: tenant, name, payload: { items: [item] } }),
      );
    await t.server.platform.bus.drain();
    expect(named.map(({ tenant, items }) => ({ tenant, items }))).toEqual([
      { tenant: t.tenantA.id, items: ['a1', 'a2', 'a3'] },
      { tenant: t.tenantB.id, items: ['b1'] },
      { tenant: t.tenantA.id, items: ['a4'] },
    ]);
    expect(each).toHaveLength(5);
    const { rows } = await db.query<{ n: number }>(
      'select count(*)::int as n from domain_events where name = $1 and dispatched_at is not null and last_error is null',
      [name],
    );
    expect(rows[0].n).toBe(5);
  });

  it('retries every event of a merged delivery when its handler fails', async () => {
    const name = mergeableEvent('test.mergeable-flaky', (into, next) => ({
      n: Number(into.n) + Number(next.n),
    }));
    const seen: number[] = [];
    t.server.platform.bus.on(name, 'test.flaky-merged', async (e) => {
      seen.push(Number((e.payload as any).n));
      if (seen.length === 1) throw new Error('downstream unavailable');
    });
    const db = t.server.platform.database;
    for (let i = 0; i < 3; i++)
      await db.tenantTx(t.tenantA.id, (tx) =>
        emitEvent(tx, { tenantId: t.tenantA.id, name, payload: { n: 1 } }),
      );
    await t.server.platform.bus.drain();
    expect(seen).toEqual([3]);
    const pending = await db.query<{ id: number; last_error: string }>(
      'select id, last_error from domain_events where name = $1 and dispatched_at is null',
      [name],
    );
    expect(pending.rows).toHaveLength(3);
    expect(pending.rows.every((r) => r.last_error.includes('downstream unavailable'))).toBe(true);
    await db.query("update domain_events set claimed_until = now() - interval '1 second' where name = $1", [
      name,
    ]);
    await t.server.platform.bus.drain();
    expect(seen).toEqual([3, 3]);
  });

  it('shows events waiting, the oldest wait and handler durations on /metrics', async () => {
    const scrape = async () => {
      const res = await t.request('GET', '/metrics', { token: METRICS_TOKEN });
      expect(res.statusCode).toBe(200);
      const value = (series: string) => {
        const line = res.body.split('\n').find((l) => l.startsWith(series));
        return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
      };
      return {
        pending: value('zhongshu_events_pending ') ?? Number.NaN,
        oldest: value('zhongshu_events_oldest_pending_age_seconds ') ?? Number.NaN,
        runs:
          value('zhongshu_event_handler_duration_seconds_count{handler="test.timed",event="test.timed"}') ??
          0,
        lag: value('zhongshu_event_relay_lag_seconds_count{event="test.timed"}') ?? 0,
      };
    };
    let calls = 0;
    t.server.platform.bus.on('test.timed', 'test.timed', async () => {
      calls += 1;
    });
    await t.server.platform.bus.settle();
    const before = await scrape();
    const db = t.server.platform.database;
    for (let i = 0; i < 2; i++)
      await db.tenantTx(t.tenantA.id, (tx) =>
        emitEvent(tx, { tenantId: t.tenantA.id, name: 'test.timed', payload: {} }),
      );
    await new Promise((r) => setTimeout(r, 300));
    const waiting = await scrape();
    expect(waiting.pending).toBe(before.pending + 2);
    expect(waiting.oldest).toBeGreaterThanOrEqual(0.25);
    await t.server.platform.bus.drain();
    const after = await scrape();
    expect(calls).toBe(2);
    expect(after.pending).toBeLessThanOrEqual(before.pending);
    expect(after.runs - before.runs).toBe(2);
    expect(after.lag - before.lag).toBe(2);
  });
});
