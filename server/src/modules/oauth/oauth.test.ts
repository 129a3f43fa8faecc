import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestServer, type TestServer } from '../../../test/harness.js';
import { oauthRuntime, rotateSigningKey } from './oauth.provider.js';

let t: TestServer;
let base: string;
const REDIRECT = 'http://127.0.0.1:9/callback';

interface AppOut {
  id: string;
  client_id: string;
  client_secret: string | null;
  usage: { today: number; last_7_days: number };
}

async function registerApp(body: Record<string, unknown>, token = t.tenantA.tokens.admin): Promise<AppOut> {
  const r = await t.request('POST', '/api/v1/oauth/apps', { token, body });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

const insecure = { execute: [oidc.allowInsecureRequests] };

function confidential(app: AppOut) {
  return oidc.discovery(
    new URL(base),
    app.client_id,
    undefined,
    oidc.ClientSecretBasic(String(app.client_secret)),
    insecure,
  );
}
function publicClient(app: AppOut) {
  return oidc.discovery(new URL(base), app.client_id, undefined, oidc.None(), insecure);
}

/** A tiny cookie jar + manual redirects: the browser part of the code flow, by HTTP requests. */
class Browser {
  cookies = new Map<string, string>();
  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
  form(url: string, fields: Record<string, string>) {
    return this.go(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'zh-CN' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

const abs = (loc: string | null) => new URL(String(loc), base).toString();

/**
 * Runs authorize → sign-in → consent like a browser; returns the callback URL (with code or error)
 * and the consent page's HTML.
 */
async function authorize(
  config: oidc.Configuration,
  opts: { email: string; scope: string; redirect?: string; decision?: 'allow' | 'deny'; browser?: Browser },
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: opts.redirect ?? REDIRECT,
    scope: opts.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const b = opts.browser ?? new Browser();
  let res = await b.go(url.toString());
  if (res.status !== 303) return { res, verifier, state, callback: null, consentHtml: '' };
  let loc = abs(res.headers.get('location'));
  expect(loc).toContain('/oauth/interaction/');
  const login = await b.go(loc, { headers: { 'accept-language': 'zh-CN' } });
  expect(login.status).toBe(200);
  expect(await login.text()).toContain('登录中枢');
  res = await b.form(`${loc}/login`, { email: opts.email, password: PASSWORD });
  expect(res.status).toBe(303);
  res = await b.go(abs(res.headers.get('location')));
  expect(res.status).toBe(303);
  loc = abs(res.headers.get('location'));
  const consent = await b.go(loc, { headers: { 'accept-language': 'zh-CN' } });
  const consentHtml = await consent.text();
  expect(consent.status, consentHtml).toBe(200);
  res = await b.form(`${loc}/confirm`, { decision: opts.decision ?? 'allow' });
  expect(res.status).toBe(303);
  res = await b.go(abs(res.headers.get('location')));
  expect(res.status).toBe(303);
  return { res, verifier, state, callback: new URL(String(res.headers.get('location'))), consentHtml };
}

async function codeFlow(config: oidc.Configuration, email: string, scope: string) {
  const run = await authorize(config, { email, scope });
  expect(run.callback?.searchParams.get('code')).toBeTruthy();
  const tokens = await oidc.authorizationCodeGrant(config, run.callback as URL, {
    pkceCodeVerifier: run.verifier,
    expectedState: run.state,
  });
  return { tokens, run };
}

const api = (token: string, url: string) => t.request('GET', url, { token });

beforeAll(async () => {
  t = await startTestServer();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t?.close();
});

describe('apps API', () => {
  it('registers, lists, rotates and deletes apps; secret shown once; redirect URIs and scopes checked', async () => {
    const app = await registerApp({
      name: 'ERP sync',
      type: 'confidential',
      redirect_uris: ['https://erp.example.com/cb'],
      scopes: ['crm:read'],
    });
    expect(app.client_secret).toMatch(/^zs_secret_/);
    const list = await api(t.tenantA.tokens.admin, '/api/v1/oauth/apps');
    const listed = list.json().items.find((a: AppOut) => a.id === app.id);
    expect(listed).toBeTruthy();
    expect(listed.client_secret).toBeUndefined();
    expect(JSON.stringify(list.json())).not.toContain(String(app.client_secret));

    const rotated = await t.request('POST', `/api/v1/oauth/apps/${app.id}/rotate-secret`, {
      token: t.tenantA.tokens.admin,
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().client_secret).not.toBe(app.client_secret);

    const bad = await t.request('POST', '/api/v1/oauth/apps', {
      token: t.tenantA.tokens.admin,
      headers: { 'accept-language': 'zh-CN' },
      body: {
        name: 'x',
        type: 'public',
        redirect_uris: ['http://evil.example.com/cb', 'https://a.example/#x'],
        scopes: ['crm:read'],
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'redirect_uris.0',
      'redirect_uris.1',
    ]);
    expect(bad.json().detail).toBe('回调地址无效');

    const noPkceSecret = await t.request('POST', '/api/v1/oauth/apps', {
      token: t.tenantA.tokens.admin,
      body: { name: 'x', type: 'public', redirect_uris: [REDIRECT], scopes: ['nope:scope'] },
    });
    expect(noPkceSecret.statusCode).toBe(400);

    // Only apps:manage; a manager cannot register one.
    expect((await api(t.tenantA.tokens.manager, '/api/v1/oauth/apps')).statusCode).toBe(403);
    // The other tenant does not see it.
    const other = await api(t.tenantB.tokens.admin, `/api/v1/oauth/apps/${app.id}`);
    expect(other.statusCode).toBe(404);

    const del = await t.request('DELETE', `/api/v1/oauth/apps/${app.id}`, { token: t.tenantA.tokens.admin });
    expect(del.statusCode).toBe(204);
    expect((await api(t.tenantA.tokens.admin, `/api/v1/oauth/apps/${app.id}`)).statusCode).toBe(404);
  });
});

describe('discovery and keys', () => {
  it('serves discovery at /.well-known and a JWKS that keeps old keys after rotation', async () => {
    const d = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
    expect(d.issuer).toBe(base);
    expect(d.token_endpoint).toBe(`${base}/oauth/token`);
    expect(d.code_challenge_methods_supported).toEqual(['S256']);
    const before = (await (await fetch(d.jwks_uri)).json()).keys.map((k: { kid: string }) => k.kid);
    expect(before.length).toBeGreaterThanOrEqual(1);
    const kid = await rotateSigningKey(t.server.platform.database);
    const after = (await (await fetch(d.jwks_uri)).json()).keys.map((k: { kid: string }) => k.kid);
    expect(after[0]).toBe(kid);
    for (const k of before) expect(after).toContain(k);
    // Private parts never leave.
    const keys = (await (await fetch(d.jwks_uri)).json()).keys;
    for (const k of keys) expect(k.d).toBeUndefined();
  });
});

describe('authorization code + PKCE', () => {
  let pub: AppOut;
  let conf: AppOut;
  beforeAll(async () => {
    pub = await registerApp({
      name: 'Mobile',
      type: 'public',
      redirect_uris: [REDIRECT],
      scopes: ['crm:read', 'crm:write', 'users:manage'],
    });
    conf = await registerApp({
      name: 'Portal',
      type: 'confidential',
      redirect_uris: [REDIRECT],
      scopes: ['crm:read', 'users:manage'],
    });
  });

  it('a public app gets tokens by code + PKCE; the consent screen lists business words; the token reads the API', async () => {
    const config = await publicClient(pub);
    const { tokens, run } = await codeFlow(config, 'rep@acme.test', 'openid profile crm:read');
    expect(run.consentHtml).toContain('读取客户、联系人、商机');
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.claims()?.sub).toBe(t.tenantA.userIds.rep);
    const r = await api(tokens.access_token, '/api/v1/accounts');
    expect(r.statusCode, r.body).toBe(200);
    // crm:read only: writing is refused.
    const w = await t.request('POST', '/api/v1/accounts', {
      token: tokens.access_token,
      body: { name: 'via oauth' },
    });
    expect(w.statusCode).toBe(403);
  });

  it('PKCE is required for public apps', async () => {
    const config = await publicClient(pub);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid crm:read',
      state: 'x',
    });
    const res = await fetch(url, { redirect: 'manual' });
    const loc = new URL(String(res.headers.get('location')), base);
    expect(loc.searchParams.get('error')).toBe('invalid_request');
    expect(loc.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('a wrong redirect URI is refused (no redirect to it)', async () => {
    const config = await publicClient(pub);
    const run = await authorize(config, {
      email: 'rep@acme.test',
      scope: 'openid crm:read',
      redirect: 'http://127.0.0.1:9/evil',
    });
    expect(run.callback).toBeNull();
    expect(run.res.status).toBe(400);
    expect(run.res.headers.get('location')).toBeNull();
  });

  it('a scope the user lacks is never granted: the token has only what the user holds', async () => {
    const config = await confidential(conf);
    const { tokens, run } = await codeFlow(config, 'rep@acme.test', 'openid crm:read users:manage');
    expect(run.consentHtml).toContain('<s>管理用户和角色</s>');
    expect(String(tokens.scope).split(' ')).not.toContain('users:manage');
    expect((await api(tokens.access_token, '/api/v1/accounts')).statusCode).toBe(200);
    const users = await t.request('POST', '/api/v1/users', {
      token: tokens.access_token,
      body: { email: 'x@acme.test', name: 'x', role: 'rep', password: PASSWORD },
    });
    expect(users.statusCode).toBe(403);
  });

  it('a replayed code is refused and revokes what the first use issued', async () => {
    const config = await confidential(conf);
    const { tokens, run } = await codeFlow(config, 'rep@acme.test', 'openid crm:read');
    expect((await api(tokens.access_token, '/api/v1/accounts')).statusCode).toBe(200);
    await expect(
      oidc.authorizationCodeGrant(config, run.callback as URL, {
        pkceCodeVerifier: run.verifier,
        expectedState: run.state,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await api(tokens.access_token, '/api/v1/accounts')).statusCode).toBe(401);
  });

  it('refresh rotates the refresh token; the old one is refused; revoke and introspection', async () => {
    const config = await confidential(conf);
    const { tokens } = await codeFlow(config, 'rep@acme.test', 'openid crm:read');
    const first = String(tokens.refresh_token);
    const next = await oidc.refreshTokenGrant(config, first);
    expect(next.refresh_token).toBeTruthy();
    expect(next.refresh_token).not.toBe(first);
    expect((await api(next.access_token, '/api/v1/accounts')).statusCode).toBe(200);
    await expect(oidc.refreshTokenGrant(config, first)).rejects.toMatchObject({ error: 'invalid_grant' });

    const fresh = await codeFlow(config, 'rep@acme.test', 'openid crm:read');
    const info = await oidc.tokenIntrospection(config, fresh.tokens.access_token);
    expect(info).toMatchObject({ active: true, client_id: conf.client_id, sub: t.tenantA.userIds.rep });
    expect(String(info.scope)).toContain('crm:read');
    await oidc.tokenRevocation(config, fresh.tokens.access_token);
    expect((await api(fresh.tokens.access_token, '/api/v1/accounts')).statusCode).toBe(401);
    expect((await oidc.tokenIntrospection(config, fresh.tokens.access_token)).active).toBe(false);
  });

  it('an expired token is refused', async () => {
    const config = await confidential(conf);
    const { tokens } = await codeFlow(config, 'rep@acme.test', 'openid crm:read');
    expect((await api(tokens.access_token, '/api/v1/accounts')).statusCode).toBe(200);
    await t.server.platform.database.query(
      `update oauth_artefacts set expires_at = now() - interval '1 second',
         payload = jsonb_set(payload, '{exp}', to_jsonb(extract(epoch from now())::int - 1))
       where model = 'AccessToken' and id = $1`,
      [tokens.access_token],
    );
    t.server.platform.auth.evictAll();
    expect((await api(tokens.access_token, '/api/v1/accounts')).statusCode).toBe(401);
  });

  it('denying consent sends access_denied to the app', async () => {
    const config = await confidential(conf);
    const run = await authorize(config, {
      email: 'rep@acme.test',
      scope: 'openid crm:read',
      decision: 'deny',
    });
    expect(run.callback?.searchParams.get('error')).toBe('access_denied');
  });

  it('the token obeys record-level sharing: it sees what the granting user sees', async () => {
    const own = await t.request('POST', '/api/v1/accounts', {
      token: t.tenantA.tokens.rep,
      body: { name: 'OAuth 自己的客户' },
    });
    const others = await t.request('POST', '/api/v1/accounts', {
      token: t.tenantA.tokens.csm,
      body: { name: 'OAuth 别人的客户' },
    });
    expect(own.statusCode, own.body).toBe(201);
    expect(others.statusCode, others.body).toBe(201);
    const set = await t.request('PUT', '/api/v1/sharing/defaults', {
      token: t.tenantA.tokens.admin,
      body: { defaults: [{ entity: 'accounts', access: 'private' }] },
    });
    expect(set.statusCode, set.body).toBe(200);
    try {
      const config = await confidential(conf);
      const { tokens } = await codeFlow(config, 'rep@acme.test', 'openid crm:read');
      const r = await api(tokens.access_token, '/api/v1/accounts?limit=500');
      const ids = r.json().data.map((a: { id: string }) => a.id);
      expect(ids).toContain(own.json().id);
      expect(ids).not.toContain(others.json().id);
      expect((await api(tokens.access_token, `/api/v1/accounts/${others.json().id}`)).statusCode).toBe(404);
      // The same token on GraphQL: the same rows, and the hidden record is not found.
      const gql = await t.request('POST', '/graphql', {
        token: tokens.access_token,
        body: {
          query: `{ accounts(first: 100) { nodes { id } } hidden: account(id: "${others.json().id}") { id } }`,
        },
      });
      expect(gql.statusCode, gql.body).toBe(200);
      const gIds = gql.json().data.accounts.nodes.map((a: { id: string }) => a.id);
      expect(gIds).toContain(own.json().id);
      expect(gIds).not.toContain(others.json().id);
      expect(gql.json().data.hidden).toBeNull();
    } finally {
      await t.request('PUT', '/api/v1/sharing/defaults', {
        token: t.tenantA.tokens.admin,
        body: { defaults: [{ entity: 'accounts', access: 'public_read_write' }] },
      });
    }
  });

  it("a user of another tenant cannot sign in to this tenant's app", async () => {
    const config = await confidential(conf);
    const { tokens } = await codeFlow(config, 'rep@globex.test', 'openid crm:read');
    // The provider issued a token, but it is bound to the app's tenant and the user is not in it.
    expect((await api(tokens.access_token, '/api/v1/accounts')).statusCode).toBe(401);
  });
});

describe('client credentials (service accounts)', () => {
  it("acts with the owning admin's tenant and the app's scopes; another tenant's data stays out of reach", async () => {
    const svc = await registerApp({
      name: 'ERP',
      type: 'confidential',
      redirect_uris: [],
      scopes: ['crm:read', 'crm:write'],
    });
    const config = await confidential(svc);
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'crm:read' });
    const created = await t.request('POST', '/api/v1/accounts', {
      token: t.tenantB.tokens.admin,
      body: { name: 'Globex only' },
    });
    const r = await api(tokens.access_token, '/api/v1/accounts?limit=500');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data.map((a: { id: string }) => a.id)).not.toContain(created.json().id);
    expect((await api(tokens.access_token, `/api/v1/accounts/${created.json().id}`)).statusCode).toBe(404);
    // Asked only crm:read: no writing.
    expect(
      (await t.request('POST', '/api/v1/accounts', { token: tokens.access_token, body: { name: 'x' } }))
        .statusCode,
    ).toBe(403);
    // A scope the app was not given is refused by the provider.
    await expect(oidc.clientCredentialsGrant(config, { scope: 'users:manage' })).rejects.toMatchObject({
      error: 'invalid_scope',
    });
    // A wrong secret is refused.
    const wrong = await oidc.discovery(
      new URL(base),
      svc.client_id,
      undefined,
      oidc.ClientSecretBasic('zs_secret_wrong'),
      insecure,
    );
    await expect(oidc.clientCredentialsGrant(wrong, { scope: 'crm:read' })).rejects.toMatchObject({
      status: 401,
      cause: [{ parameters: { error: 'invalid_client' } }],
    });
    // GraphQL reads req.actor too.
    const gql = await t.request('POST', '/graphql', {
      token: tokens.access_token,
      body: { query: '{ __typename }' },
    });
    expect(gql.statusCode, gql.body).toBe(200);
  });

  it('a public app cannot use client credentials', async () => {
    const pub = await registerApp({
      name: 'SPA',
      type: 'public',
      redirect_uris: [REDIRECT],
      scopes: ['crm:read'],
    });
    const config = await oidc.discovery(new URL(base), pub.client_id, undefined, oidc.None(), insecure);
    const err = await oidc.clientCredentialsGrant(config, { scope: 'crm:read' }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      error: 'invalid_request',
      error_description: 'requested grant type is not allowed for this client',
    });
  });
});

describe('rate limits and usage', () => {
  it('answers 429 with RateLimit headers after the per-app limit, and counts usage per app', async () => {
    const svc = await registerApp({
      name: 'Busy',
      type: 'confidential',
      redirect_uris: [],
      scopes: ['crm:read'],
    });
    const config = await confidential(svc);
    const { access_token } = await oidc.clientCredentialsGrant(config, { scope: 'crm:read' });
    const limits = oauthRuntime(t.server.platform).limits;
    const saved = { ...limits };
    limits.perClient = 5;
    try {
      const codes: number[] = [];
      let last: Awaited<ReturnType<typeof api>> | undefined;
      for (let i = 0; i < 7; i++) {
        last = await api(access_token, '/api/v1/accounts?limit=1');
        codes.push(last.statusCode);
      }
      expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect(last?.headers['ratelimit-limit']).toBe('5');
      expect(last?.headers['ratelimit-remaining']).toBe('0');
      expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
      expect(last?.headers['content-type']).toContain('application/problem+json');
    } finally {
      Object.assign(limits, saved);
    }
    const got = await api(t.tenantA.tokens.admin, `/api/v1/oauth/apps/${svc.id}`);
    expect(got.json().usage.today).toBeGreaterThanOrEqual(7);
    expect(got.json().usage.last_7_days).toBe(got.json().usage.today);
  });
});
