import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestServer, type TestServer } from '../../../test/harness.js';

/** Browser-facing hardening: security headers, cross-site request refusal, JSON-only bodies. */
describe('security headers', () => {
  let t: TestServer;
  let secure: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    secure = await startTestServer({ cookieSecure: true });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await secure?.close();
  });

  it('sends CSP, nosniff and no-framing on pages and API answers; no HSTS on plain http', async () => {
    for (const url of ['/', '/api/v1/accounts', '/healthz']) {
      const res = await t.request('GET', url, { token: t.tenantA.tokens.admin });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('sends HSTS and upgrade-insecure-requests when COOKIE_SECURE is on', async () => {
    const res = await secure.request('GET', '/healthz');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000; includeSubDomains/);
    expect(String(res.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
  });

  it('gives the API reference page its own policy, still without framing', async () => {
    const res = await t.request('GET', '/docs');
    expect(res.statusCode).toBeLessThan(400);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self' 'unsafe-inline' 'unsafe-eval'");
  });
});

describe('cross-site requests and content types', () => {
  let t: TestServer;
  let cookie: string;
  beforeAll(async () => {
    t = await startTestServer();
    const login = await t.request('POST', '/api/v1/auth/login', {
      body: { email: 'admin@acme.test', password: PASSWORD },
      headers: { origin: 'http://localhost:80', host: 'localhost:80' },
    });
    expect(login.statusCode).toBe(200);
    const set = ([] as string[]).concat(login.headers['set-cookie'] as any);
    cookie = set.map((c) => c.split(';')[0]).join('; ');
  }, 120_000);
  afterAll(async () => t?.close());

  const post = (headers: Record<string, string>, body: unknown = { name: 'CSRF Co' }) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { cookie, host: 'crm.example.com', ...headers },
      payload: body as any,
    });

  it('accepts a cookie-authenticated write from the same origin', async () => {
    const res = await post({ origin: 'https://crm.example.com', 'content-type': 'application/json' });
    expect(res.statusCode).toBe(201);
    const sameSite = await post({ 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' });
    expect(sameSite.statusCode).toBe(201);
  });

  it('refuses a cookie-authenticated write from another site with 403, and stores nothing', async () => {
    const before = (
      await t.request('GET', '/api/v1/accounts?limit=500', { token: t.tenantA.tokens.admin })
    ).json().data.length;
    for (const headers of <Record<string, string>[]>[
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'https://crm.example.com.evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ]) {
      const res = await post({ ...headers, 'content-type': 'application/json' });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    const after = (
      await t.request('GET', '/api/v1/accounts?limit=500', { token: t.tenantA.tokens.admin })
    ).json().data.length;
    expect(after).toBe(before);
  });

  it('refuses a cross-site login form (login CSRF) and a cross-site logout', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: {
        origin: 'https://evil.example',
        host: 'crm.example.com',
        'content-type': 'application/json',
      },
      payload: { email: 'admin@acme.test', password: PASSWORD },
    });
    expect(login.statusCode).toBe(403);
    const logout = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, origin: 'https://evil.example', host: 'crm.example.com' },
    });
    expect(logout.statusCode).toBe(403);
  });

  it('lets Bearer callers (API keys, tokens) through whatever Origin says', async () => {
    const res = await t.request('POST', '/api/v1/accounts', {
      token: t.tenantA.tokens.admin,
      headers: { origin: 'https://integration.example' },
      body: { name: 'Via API' },
    });
    expect(res.statusCode).toBe(201);
  });

  it('accepts only JSON bodies: the content types an HTML form can send are 415, also without a body', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const withBody = await post({ 'content-type': type, 'sec-fetch-site': 'same-origin' }, 'name=x');
      expect(withBody.statusCode, type).toBe(415);
      expect(withBody.json().errors).toEqual([{ field: 'content-type', reason: 'application/json' }]);
    }
    // A body-less POST with text/plain answered 200 before.
    const train = await t.request('POST', '/api/v1/predict/lead-score/train', {
      token: t.tenantA.tokens.admin,
      headers: { 'content-type': 'text/plain' },
    });
    expect(train.statusCode).toBe(415);
    const bare = await t.request('POST', '/api/v1/predict/lead-score/train', {
      token: t.tenantA.tokens.admin,
    });
    expect(bare.statusCode).toBeLessThan(300);
  });
});
