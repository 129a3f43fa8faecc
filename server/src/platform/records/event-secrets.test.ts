import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';

// Events are the outbox for webhooks and other modules: they carry records as the API shows them,
// never a stored secret such as a password hash.
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

describe('domain events carry no secrets', () => {
  it('users.created / users.updated / users.deleted events have no password hash', async () => {
    const created = await t.request('POST', '/api/v1/users', {
      token: t.tenantA.tokens.admin,
      body: { email: 'secret.check@example.com', name: '密码检查', role: 'rep', password: 'long-enough-pw' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(
      (
        await t.request('PATCH', `/api/v1/users/${id}`, {
          token: t.tenantA.tokens.admin,
          body: { name: '改名' },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await t.request('DELETE', `/api/v1/users/${id}`, { token: t.tenantA.tokens.admin })).statusCode,
    ).toBe(204);
    const { rows } = await t.server.platform.database.query<{ name: string; payload: unknown }>(
      `select name, payload from domain_events where entity = 'users' and entity_id = $1 order by id`,
      [id],
    );
    expect(rows.map((r) => r.name)).toEqual(['users.created', 'users.updated', 'users.deleted']);
    for (const r of rows) {
      const text = JSON.stringify(r.payload);
      expect(text).not.toContain('password_hash');
      expect(text).not.toMatch(/\$argon2/);
    }
  });
});
