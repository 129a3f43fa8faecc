import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pipelineService } from '../src/modules/crm/crm.service.js';
import { DEFAULT_STAGES } from '../src/modules/crm/demo-seed.js';
import { userService } from '../src/platform/auth/auth.routes.js';
import { systemContext } from '../src/platform/auth/auth-context.js';
import type { Role } from '../src/platform/auth/permissions.js';
import { type AppConfig, loadConfig } from '../src/platform/config.js';
import { ensureTenant } from '../src/platform/tenancy/tenant.service.js';
import { createServer, type Server } from '../src/server.js';
import { openTestDatabase } from './test-database.js';

export const PASSWORD = 'correct-horse-battery';

export interface TestTenant {
  id: string;
  name: string;
  /** Bearer tokens by role */
  tokens: Record<Role, string>;
  userIds: Record<Role, string>;
}

export interface TestServer {
  server: Server;
  app: FastifyInstance;
  tenantA: TestTenant;
  tenantB: TestTenant;
  request(
    method: string,
    url: string,
    opts?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse & { body: string; json: () => any }>;
  /**
   * Waits (≤ 20 s) until every domain event is dispatched, including deliveries a failed handler
   * retries after its backoff; throws with the handlers' last errors when they keep failing.
   */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const ROLES_UNDER_TEST: Role[] = [
  'admin',
  'manager',
  'regional_manager',
  'rep',
  'presales',
  'csm',
  'marketing',
  'coach',
];

/**
 * A real server on a fresh database (PGlite copy, or PostgreSQL when DATABASE_URL is set), with two
 * tenants, a user of every role in each, and a default pipeline. Nothing of ours is mocked.
 * `overrides` replace parts of the configuration (e.g. `llm` pointing at a local fake endpoint);
 * by default no LLM endpoint is used, whatever the developer's environment says.
 */
export async function startTestServer(overrides: Partial<AppConfig> = {}): Promise<TestServer> {
  const { database, cleanup } = await openTestDatabase();
  const config: AppConfig = {
    ...loadConfig({ ...process.env, DATABASE_URL: '', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    jobs: false,
    llm: null,
    ...overrides,
  };
  const server = await createServer(config, { database, startWorkers: false });
  const app = server.app;
  await app.ready();

  const request: TestServer['request'] = async (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await app.inject({ method: method as any, url, headers, payload: opts.body as any });
    return Object.assign(res, { json: () => JSON.parse(res.body) });
  };

  async function makeTenant(name: string): Promise<TestTenant> {
    const { tenant } = await ensureTenant(database, name);
    const ctx = systemContext(tenant.id, 'test');
    const userIds = {} as Record<Role, string>;
    await database.tenantTx(tenant.id, async (tx) => {
      for (const role of ROLES_UNDER_TEST) {
        const u = await userService.create(tx, ctx, {
          email: `${role}@${name}.test`,
          name: `${role} ${name}`,
          role,
          password: PASSWORD,
        });
        userIds[role] = String(u.id);
      }
      await pipelineService.create(tx, ctx, { name: 'Default', is_default: true, stages: DEFAULT_STAGES });
    });
    const tokens = {} as Record<Role, string>;
    for (const role of ROLES_UNDER_TEST) {
      const res = await request('POST', '/api/v1/auth/login', {
        body: { email: `${role}@${name}.test`, password: PASSWORD },
      });
      if (res.statusCode !== 200) throw new Error(`login failed for ${role}: ${res.body}`);
      tokens[role] = res.json().token;
    }
    return { id: tenant.id, name, tokens, userIds };
  }

  const tenantA = await makeTenant('acme');
  const tenantB = await makeTenant('globex');
  return {
    server,
    app,
    tenantA,
    tenantB,
    request,
    async settle() {
      const until = Date.now() + 20_000;
      for (;;) {
        await server.platform.bus.settle();
        const { rows } = await database.query<{ name: string; attempts: number; last_error: string | null }>(
          'select name, attempts, last_error from domain_events where dispatched_at is null order by id limit 5',
        );
        if (rows.length === 0) return;
        if (Date.now() > until)
          throw new Error(`events still undispatched after 20 s: ${JSON.stringify(rows)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await server.close();
      await cleanup();
    },
  };
}
