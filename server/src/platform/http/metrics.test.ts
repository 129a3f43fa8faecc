import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';

describe('/metrics protection', () => {
  let closed: TestServer;
  let open: TestServer;
  beforeAll(async () => {
    closed = await startTestServer();
    open = await startTestServer({ metrics: { token: 'metrics-secret-token', port: 0, host: '127.0.0.1' } });
  }, 120_000);
  afterAll(async () => {
    await closed?.close();
    await open?.close();
  });

  it('answers 404 on the public port when neither a token nor a port is configured', async () => {
    const res = await closed.request('GET', '/metrics');
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('zhongshu_http_request_duration_seconds');
    // A signed-in admin's session does not open it either.
    const admin = await closed.request('GET', '/metrics', { token: closed.tenantA.tokens.admin });
    expect(admin.statusCode).toBe(404);
    expect(await closed.app.metricsAddress()).toBeNull();
  });

  it('opens on the public port only with the bearer token', async () => {
    const none = await open.request('GET', '/metrics');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/Bearer/);
    const wrong = await open.request('GET', '/metrics', { token: 'metrics-secret-tokem' });
    expect(wrong.statusCode).toBe(401);
    const session = await open.request('GET', '/metrics', { token: open.tenantA.tokens.admin });
    expect(session.statusCode).toBe(401);
    const ok = await open.request('GET', '/metrics', { token: 'metrics-secret-token' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('zhongshu_http_request_duration_seconds');
  });

  it('serves it without a token on its own listener, which starts with the app and closes with it', async () => {
    await open.app.listen({ port: 0, host: '127.0.0.1' });
    const address = await open.app.metricsAddress();
    expect(address?.address).toBe('127.0.0.1');
    const base = `http://127.0.0.1:${address?.port}`;
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('zhongshu_http_request_duration_seconds');
    // Nothing else is served there.
    expect((await fetch(`${base}/api/v1/accounts`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(404);
    await open.close();
    await expect(fetch(`${base}/metrics`)).rejects.toThrow();
    open = undefined as unknown as TestServer;
  });
});
