import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestServer, type TestServer } from '../../../test/harness.js';
import { PERMISSIONS } from './permissions.js';

/**
 * Every path that hands out rights (POST /api-keys, POST /users, PATCH /users/:id, DELETE
 * /users/:id) refuses to give more than the caller holds, for a scoped key, a manager and an admin.
 */
let t: TestServer;
const A = () => t.tenantA;
const B = () => t.tenantB;

const FIELD_WORK = ['crm:read', 'users:read', 'signals:read', 'interventions:read', 'predict:read'].concat([
  'crm:write',
  'crm:export',
  'crm:merge',
  'signals:write',
  'interventions:act',
]);

async function newKey(token: string, body: Record<string, unknown>) {
  return t.request('POST', '/api/v1/api-keys', { token, body: { name: 'k', ...body } });
}
async function keyOf(token: string, body: Record<string, unknown>): Promise<string> {
  const res = await newKey(token, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().key;
}
let n = 0;
const userBody = (role: string) => ({
  email: `grant.${++n}@example.com`,
  name: `Grant ${n}`,
  role,
  password: 'long-enough-pw',
});

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

describe('API keys', () => {
  it('a key scoped to api_keys:manage cannot create an unscoped admin key (the reported escalation)', async () => {
    const scoped = await keyOf(A().tokens.admin, { role: 'admin', scopes: ['api_keys:manage'] });
    const res = await newKey(scoped, { role: 'admin' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 403,
      detail: 'Only an administrator can make someone an administrator',
      errors: [{ field: 'role' }],
    });
    expect(res.json().errors[0].reason).toContain('users:manage');
    // in Chinese too
    const zh = await t.request('POST', '/api/v1/api-keys', {
      token: scoped,
      body: { name: 'k', role: 'admin' },
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(zh.json().detail).toBe('只有管理员才能把别人设为管理员');
    expect(zh.json().errors[0].reason).toMatch(/^包含你自己没有的权限：/);
  });

  it('a scoped key may not widen the role or the scopes, only give the same or less', async () => {
    const scoped = await keyOf(A().tokens.admin, { role: 'admin', scopes: ['api_keys:manage'] });
    const rep = await newKey(scoped, { role: 'rep' });
    expect(rep.statusCode).toBe(403);
    expect(rep.json()).toMatchObject({
      detail: 'You cannot grant rights you do not hold yourself',
      errors: [{ field: 'role' }],
    });
    const wider = await newKey(scoped, { role: 'admin', scopes: ['api_keys:manage', 'users:manage'] });
    expect(wider.statusCode).toBe(403);
    expect(wider.json().errors).toEqual([
      { field: 'scopes', reason: 'includes rights you do not hold: users:manage' },
    ]);
    // Same rights: allowed; and the new key really holds no more than that.
    const same = await keyOf(scoped, { role: 'admin', scopes: ['api_keys:manage'] });
    const me = await t.request('GET', '/api/v1/me', { token: same });
    expect(me.json().permissions).toEqual(['api_keys:manage']);
    expect((await t.request('GET', '/api/v1/accounts', { token: same })).statusCode).toBe(403);
    expect((await t.request('GET', '/api/v1/users', { token: same })).statusCode).toBe(403);
    expect(
      (await t.request('POST', '/api/v1/users', { token: same, body: userBody('admin') })).statusCode,
    ).toBe(403);
    expect((await newKey(same, { role: 'admin' })).statusCode).toBe(403);
    expect((await t.request('GET', '/api/v1/api-keys', { token: same })).statusCode).toBe(200);
  });

  it('a rep-role key scoped to crm:read holds only crm:read, whatever it asks for', async () => {
    const narrow = await keyOf(A().tokens.admin, { role: 'rep', scopes: ['crm:read'] });
    expect((await t.request('GET', '/api/v1/accounts', { token: narrow })).statusCode).toBe(200);
    const write = await t.request('POST', '/api/v1/accounts', { token: narrow, body: { name: 'nope' } });
    expect(write.statusCode).toBe(403);
  });

  it('a manager cannot create keys at all; an admin can create any key', async () => {
    expect((await newKey(A().tokens.manager, { role: 'rep' })).statusCode).toBe(403);
    const adminKey = await keyOf(A().tokens.admin, { role: 'admin' });
    const me = await t.request('GET', '/api/v1/me', { token: adminKey });
    expect(me.json().permissions).toEqual([...PERMISSIONS].sort());
    // An unscoped admin key is an admin: it may create another admin key.
    expect((await newKey(adminKey, { role: 'admin' })).statusCode).toBe(201);
  });
});

describe('users and roles', () => {
  // A key that can manage users and holds everything a rep holds, but not what a manager holds.
  let repManager: string;
  beforeAll(async () => {
    repManager = await keyOf(A().tokens.admin, { role: 'admin', scopes: ['users:manage', ...FIELD_WORK] });
  });

  it('a users:manage key without the rep rights cannot create a rep, nor make an admin', async () => {
    const usersOnly = await keyOf(A().tokens.admin, {
      role: 'admin',
      scopes: ['users:manage', 'users:read'],
    });
    const rep = await t.request('POST', '/api/v1/users', { token: usersOnly, body: userBody('rep') });
    expect(rep.statusCode).toBe(403);
    expect(rep.json().errors[0].field).toBe('role');
    const admin = await t.request('POST', '/api/v1/users', { token: usersOnly, body: userBody('admin') });
    expect(admin.statusCode).toBe(403);
    expect(admin.json().detail).toBe('Only an administrator can make someone an administrator');
  });

  it('creates users up to its own rights and no further', async () => {
    const rep = await t.request('POST', '/api/v1/users', { token: repManager, body: userBody('rep') });
    expect(rep.statusCode, rep.body).toBe(201);
    for (const role of ['manager', 'admin', 'marketing']) {
      const res = await t.request('POST', '/api/v1/users', { token: repManager, body: userBody(role) });
      expect(res.statusCode, role).toBe(403);
      expect(res.json().errors[0].field).toBe('role');
    }
    // The refused admin was not written.
    const list = await t.request('GET', '/api/v1/users?role=admin', { token: A().tokens.admin });
    expect(list.json().data).toHaveLength(1);
  });

  it('PATCH: no promotion above its own rights, no change at all to a stronger user', async () => {
    const created = await t.request('POST', '/api/v1/users', { token: repManager, body: userBody('rep') });
    const id = created.json().id;
    const promote = await t.request('PATCH', `/api/v1/users/${id}`, {
      token: repManager,
      body: { role: 'admin' },
    });
    expect(promote.statusCode).toBe(403);
    expect(promote.json().errors[0].field).toBe('role');
    const toManager = await t.request('PATCH', `/api/v1/users/${id}`, {
      token: repManager,
      body: { role: 'manager' },
    });
    expect(toManager.statusCode).toBe(403);
    // Same-level changes are fine.
    const rename = await t.request('PATCH', `/api/v1/users/${id}`, {
      token: repManager,
      body: { name: 'Renamed', role: 'presales', active: false },
    });
    expect(rename.statusCode, rename.body).toBe(200);
    // The admin's account is out of reach: no new password, email, deactivation or deletion.
    const adminId = A().userIds.admin;
    for (const body of [{ password: 'taken-over-pw' }, { email: 'me@evil.test' }, { active: false }]) {
      const res = await t.request('PATCH', `/api/v1/users/${adminId}`, { token: repManager, body });
      expect(res.statusCode, JSON.stringify(body)).toBe(403);
      expect(res.json()).toMatchObject({
        detail: 'You cannot change a user who holds rights you do not have',
        errors: [{ field: 'id' }],
      });
    }
    const del = await t.request('DELETE', `/api/v1/users/${A().userIds.manager}`, { token: repManager });
    expect(del.statusCode).toBe(403);
    // ... and the admin can still log in with the old password.
    const login = await t.request('POST', '/api/v1/auth/login', {
      body: { email: 'admin@acme.test', password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
  });

  it('a manager cannot create, change or delete users', async () => {
    const token = A().tokens.manager;
    expect((await t.request('POST', '/api/v1/users', { token, body: userBody('rep') })).statusCode).toBe(403);
    const self = await t.request('PATCH', `/api/v1/users/${A().userIds.manager}`, {
      token,
      body: { role: 'admin' },
    });
    expect(self.statusCode).toBe(403);
    expect((await t.request('DELETE', `/api/v1/users/${A().userIds.rep}`, { token })).statusCode).toBe(403);
  });

  it('an admin creates an admin and changes roles', async () => {
    const token = A().tokens.admin;
    const res = await t.request('POST', '/api/v1/users', { token, body: userBody('admin') });
    expect(res.statusCode).toBe(201);
    const patch = await t.request('PATCH', `/api/v1/users/${res.json().id}`, {
      token,
      body: { role: 'coach' },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json().role).toBe('coach');
  });
});

describe('the last active administrator', () => {
  it('cannot be demoted, deactivated or deleted; with a second admin it can', async () => {
    const token = B().tokens.admin;
    const self = B().userIds.admin;
    const demote = await t.request('PATCH', `/api/v1/users/${self}`, { token, body: { role: 'manager' } });
    expect(demote.statusCode).toBe(409);
    expect(demote.json()).toMatchObject({
      detail: 'An organisation needs at least one active administrator',
      errors: [{ field: 'role', reason: 'this is the last active administrator' }],
    });
    const off = await t.request('PATCH', `/api/v1/users/${self}`, { token, body: { active: false } });
    expect(off.statusCode).toBe(409);
    expect(off.json().errors[0].field).toBe('active');
    expect((await t.request('DELETE', `/api/v1/users/${self}`, { token })).statusCode).toBe(409);

    const second = await t.request('POST', '/api/v1/users', { token, body: userBody('admin') });
    expect(second.statusCode).toBe(201);
    // A deactivated admin does not count.
    const offSecond = await t.request('PATCH', `/api/v1/users/${second.json().id}`, {
      token,
      body: { active: false },
    });
    expect(offSecond.statusCode).toBe(200);
    expect(
      (await t.request('PATCH', `/api/v1/users/${self}`, { token, body: { role: 'manager' } })).statusCode,
    ).toBe(409);
    await t.request('PATCH', `/api/v1/users/${second.json().id}`, { token, body: { active: true } });
    const ok = await t.request('PATCH', `/api/v1/users/${self}`, { token, body: { role: 'manager' } });
    expect(ok.statusCode, ok.body).toBe(200);
  });
});

describe('a key never outlives or outranks the person who made it', () => {
  it("a demoted creator's key keeps only what the creator still holds; a deactivated creator's key stops", async () => {
    const admin = A().tokens.admin;
    // A second admin makes a full admin key.
    const created = await t.request('POST', '/api/v1/users', { token: admin, body: userBody('admin') });
    expect(created.statusCode, created.body).toBe(201);
    const second = created.json();
    const login = await t.request('POST', '/api/v1/auth/login', {
      token: null,
      body: { email: second.email, password: 'long-enough-pw' },
    });
    expect(login.statusCode, login.body).toBe(200);
    const key = await keyOf(login.json().token, { role: 'admin' });
    expect((await t.request('GET', '/api/v1/api-keys', { token: key })).statusCode).toBe(200);

    // Demoted to rep: the key loses api_keys:manage at once, keeps what a rep holds.
    expect(
      (await t.request('PATCH', `/api/v1/users/${second.id}`, { token: admin, body: { role: 'rep' } }))
        .statusCode,
    ).toBe(200);
    expect((await t.request('GET', '/api/v1/api-keys', { token: key })).statusCode).toBe(403);
    expect((await t.request('GET', '/api/v1/accounts', { token: key })).statusCode).toBe(200);

    // Deactivated: the key is refused on the next request.
    expect(
      (await t.request('PATCH', `/api/v1/users/${second.id}`, { token: admin, body: { active: false } }))
        .statusCode,
    ).toBe(200);
    expect((await t.request('GET', '/api/v1/accounts', { token: key })).statusCode).toBe(401);
  });
});
