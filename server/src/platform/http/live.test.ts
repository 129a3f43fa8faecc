import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';

let t: TestServer;
let port: number;
beforeAll(async () => {
  t = await startTestServer();
  await t.server.platform.bus.drain(); // deliver the set-up's own events before anyone listens
  t.server.platform.bus.start(50);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(async () => t?.close());

/** Opens the SSE stream and collects `domain` events until `count` arrived or the timeout. */
function collect(token: string | null, count: number, timeoutMs = 5000) {
  return new Promise<{ status: number; events: any[] }>((resolve) => {
    const events: any[] = [];
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/live',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          resolve({ status: res.statusCode ?? 0, events });
          return;
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          const frames = buffer.split('\n\n');
          buffer = frames.pop() ?? '';
          for (const f of frames) {
            const data = f.split('\n').find((l) => l.startsWith('data: '));
            if (f.includes('event: domain') && data) events.push(JSON.parse(data.slice(6)));
          }
          if (events.length >= count) {
            req.destroy();
            resolve({ status: 200, events });
          }
        });
      },
    );
    req.on('error', () => undefined);
    setTimeout(() => {
      req.destroy();
      resolve({ status: 200, events });
    }, timeoutMs);
    req.end();
  });
}

describe('GET /api/v1/live (Server-Sent Events)', () => {
  it('pushes changes of my tenant as they commit, and nothing of another tenant', async () => {
    const mine = collect(t.tenantA.tokens.rep, 2, 3000);
    const theirs = collect(t.tenantB.tokens.rep, 1, 1500);
    await new Promise((r) => setTimeout(r, 200));
    await t.request('POST', '/api/v1/accounts', { token: t.tenantB.tokens.rep, body: { name: '别家客户' } });
    const created = await t.request('POST', '/api/v1/accounts', {
      token: t.tenantA.tokens.rep,
      body: { name: '实时客户' },
    });
    const a = await mine;
    expect(a.events[0]).toMatchObject({
      name: 'accounts.created',
      entity: 'accounts',
      entity_id: created.json().id,
    });
    expect(a.events[0]).not.toHaveProperty('payload');
    const b = await theirs;
    expect(b.events.map((e) => e.entity_id)).not.toContain(created.json().id);
  });

  it('requires authentication', async () => {
    expect((await collect(null, 1, 1000)).status).toBe(401);
  });
});
