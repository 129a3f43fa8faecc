import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { loadConfig } from '../config.js';
import { inspectValue } from './edge-guard.js';

const deep = (levels: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = { n: v };
  return v;
};

describe('edge input checks', () => {
  let t: TestServer;
  beforeAll(async () => {
    const limits = loadConfig({}).limits;
    // Small limits so the test sends small bodies.
    t = await startTestServer({ limits: { ...limits, bodyBytes: 256 * 1024, signalPayloadBytes: 1024 } });
  }, 120_000);
  afterAll(async () => t?.close());
  const admin = () => t.tenantA.tokens.admin;

  it('answers 400 naming the field for a NUL byte, even on the unauthenticated login', async () => {
    const res = await t.request('POST', '/api/v1/auth/login', {
      body: { email: 'admin@acme.test\u0000', password: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().errors).toEqual([{ field: 'email', reason: expect.stringMatching(/NUL/) }]);
  });

  it('rejects NUL in nested values, keys, the query and path ids', async () => {
    const nested = await t.request('POST', '/api/v1/accounts', {
      token: admin(),
      body: { name: 'ok', custom: { note: ['fine', 'bad\u0000'] } },
    });
    expect(nested.statusCode).toBe(400);
    expect(nested.json().errors[0].field).toBe('custom.note.1');

    const key = await t.request('POST', '/api/v1/accounts', {
      token: admin(),
      body: { name: 'ok', 'x\u0000y': 1 },
    });
    expect(key.statusCode).toBe(400);
    expect(key.json().errors[0].field).toBe('x\\u0000y');

    const q = await t.request('GET', '/api/v1/accounts?q=%00', { token: admin() });
    expect(q.statusCode).toBe(400);
    expect(q.json()).toMatchObject({ detail: 'Invalid querystring', errors: [{ field: 'q' }] });

    const id = await t.request('GET', '/api/v1/accounts/%00', { token: admin() });
    expect(id.statusCode).toBe(400);
    expect(id.json().errors[0].field).toBe('id');
  });

  it('rejects unpaired surrogates, keeps real astral characters', async () => {
    const bad = await t.request('POST', '/api/v1/accounts', {
      token: admin(),
      headers: { 'content-type': 'application/json' },
      body: '{"name":"lone \\ud800 surrogate"}',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ field: 'name', reason: expect.stringMatching(/surrogate/) });
    const good = await t.request('POST', '/api/v1/accounts', {
      token: admin(),
      body: { name: '客户 😀 𠀀' },
    });
    expect(good.statusCode).toBe(201);
    expect(good.json().name).toBe('客户 😀 𠀀');
  });

  it('answers in Chinese when asked', async () => {
    const res = await t.request('GET', '/api/v1/accounts?q=%00', {
      token: admin(),
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(res.json().errors[0].reason).toBe('不能包含空字符（\\u0000）');
  });

  it('refuses a 10,000-deep JSON body with 400 before anything recurses', async () => {
    const body = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const res = await t.request('POST', '/api/v1/signals', {
      token: admin(),
      headers: { 'content-type': 'application/json' },
      body: `{"type":"x","source":"s","occurred_at":"2026-01-01T00:00:00Z","subject":{},"payload":{"a":${body}}}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toBe('Request body is nested too deeply');
    // 32 levels (the default) still pass the edge.
    expect(inspectValue(deep(31), 32)).toEqual({});
    expect(inspectValue(deep(33), 32).tooDeep).toBeDefined();
  });

  it('answers 413 for a body over the limit and for a signal payload over its limit, naming the item', async () => {
    const big = await t.request('POST', '/api/v1/accounts', {
      token: admin(),
      body: { name: 'x'.repeat(300 * 1024) },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().detail).toBe(`Request body is larger than ${256 * 1024} bytes`);

    const signal = (payload: unknown) => ({
      type: 'web_visit',
      source: 'test',
      occurred_at: '2026-01-01T00:00:00Z',
      subject: { domain: 'example.com' },
      payload,
    });
    const res = await t.request('POST', '/api/v1/signals', {
      token: admin(),
      body: [signal({ a: 1 }), signal({ blob: 'y'.repeat(2000) })],
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().errors).toEqual([
      { field: '1.payload', reason: expect.stringMatching(/more than 1024/) },
    ]);
    const count = await t.request('GET', '/api/v1/signals', { token: admin() });
    expect(count.json().data).toHaveLength(0);
  });

  it('applies the same depth, NUL and payload limits to signed webhooks (their raw body is read by the route)', async () => {
    const created = await t.request('POST', '/api/v1/signal-sources', {
      token: admin(),
      body: { key: 'edge_hook', name: 'Edge hook', kind: 'webhook' },
    });
    const { id, webhook_secret } = created.json();
    const wh = new Webhook(webhook_secret);
    let n = 0;
    const send = (payload: string) => {
      const msgId = `msg_edge_${++n}`;
      const stamp = new Date();
      return t.app.inject({
        method: 'POST',
        url: `/api/v1/sources/${id}/webhook`,
        headers: {
          'content-type': 'application/json',
          'webhook-id': msgId,
          'webhook-timestamp': String(Math.floor(stamp.getTime() / 1000)),
          'webhook-signature': wh.sign(msgId, stamp, payload),
        },
        payload,
      });
    };
    const signal = (payload: string) =>
      `{"type":"web_visit","occurred_at":"2026-01-01T00:00:00Z","subject":{"domain":"example.com"},"payload":${payload}}`;
    const deepRes = await send(signal(`{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`));
    expect(deepRes.statusCode).toBe(400);
    expect(deepRes.json().detail).toBe('Request body is nested too deeply');
    const nul = await send(signal(String.raw`{"title":"a\u0000b"}`));
    expect(nul.statusCode).toBe(400);
    expect(nul.json().errors[0]).toMatchObject({
      field: 'payload.title',
      reason: expect.stringMatching(/NUL/),
    });
    const big = await send(signal(JSON.stringify({ blob: 'z'.repeat(2000) })));
    expect(big.statusCode).toBe(413);
    expect(big.json().errors).toEqual([
      { field: '0.payload', reason: expect.stringMatching(/more than 1024/) },
    ]);
    const ok = await send(signal('{"title":"fine"}'));
    expect(ok.statusCode).toBe(202);
  });
});
