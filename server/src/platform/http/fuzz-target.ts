/**
 * The fuzzer's target (test and benchmark only): a real test server (server/test/harness.ts) with
 * a few records of every kind, so path ids can be real and body checks past the 404 are reached.
 */
import type { InjectOptions } from 'fastify';
import { PASSWORD, type TestServer } from '../../../test/harness.js';
import { prop } from '../narrow.js';
import { type FuzzContext, type FuzzTarget, fuzz, type Operation, operationsOf } from './fuzz-engine.js';

/** Operations the fuzzer leaves out, and why. */
const SKIPPED: Record<string, string> = {
  'GET /api/v1/live': 'a server-sent event stream that stays open',
};

async function json(t: TestServer, method: string, url: string, token: string, body?: unknown) {
  const res = await t.request(method, url, { token, body });
  return res.statusCode < 300 && res.body ? res.json() : undefined;
}

/** Creates a few records through the API (best effort: a kind the API refuses just has no real id). */
async function seed(t: TestServer, token: string) {
  const account = await json(t, 'POST', '/api/v1/accounts', token, {
    name: 'Fuzz Account',
    domains: ['fuzz.example'],
  });
  const contact = await json(t, 'POST', '/api/v1/contacts', token, {
    name: 'Fuzz Contact',
    account_id: account?.id,
    emails: ['fuzz@fuzz.example'],
  });
  await json(t, 'POST', '/api/v1/opportunities', token, {
    name: 'Fuzz Deal',
    account_id: account?.id,
    amount: 1000,
    expected_close_date: '2026-06-30',
  });
  await json(t, 'POST', '/api/v1/activities', token, {
    type: 'call',
    subject: 'Fuzz call',
    occurred_at: '2026-03-01T09:00:00+08:00',
    account_id: account?.id,
    contact_ids: contact ? [contact.id] : [],
  });
  await json(t, 'POST', '/api/v1/products', token, { name: 'Fuzz Product' });
  const region = await json(t, 'POST', '/api/v1/regions', token, { name: 'Fuzz Region' });
  await json(t, 'POST', '/api/v1/teams', token, { name: 'Fuzz Team', region_id: region?.id });
  await json(t, 'POST', '/api/v1/custom-fields', token, {
    entity: 'accounts',
    key: 'fuzz_note',
    label: 'Fuzz note',
    type: 'text',
  });
  await json(t, 'POST', '/api/v1/signal-sources', token, { key: 'fuzz_source', name: 'Fuzz source' });
  await json(t, 'POST', '/api/v1/signals', token, signalBody());
  await json(t, 'POST', '/api/v1/api-keys', token, { name: 'fuzz key' });
}

const signalBody = () => ({
  type: 'web_visit',
  source: 'fuzz_source',
  occurred_at: '2026-03-01T09:00:00+08:00',
  subject: { domain: 'fuzz.example' },
  payload: { page: '/pricing' },
});

/** Bodies that the schema alone describes poorly (unions, arrays, credentials). */
function baseBody(op: Operation): unknown {
  switch (`${op.method} ${op.path}`) {
    case 'POST /api/v1/signals':
      return signalBody();
    case 'POST /api/v1/auth/login':
      return { email: 'admin@acme.test', password: 'wrong-password-for-fuzz' };
    case 'PUT /api/v1/quotas':
      return [{ period_kind: 'month', period: '2026-03', scope: 'total', amount: 1000, currency: 'CNY' }];
    case 'POST /api/v1/imports/preview':
    case 'POST /api/v1/imports':
      return {
        entity: 'accounts',
        filename: 'a.csv',
        content_base64: Buffer.from('name\nFuzz Import\n').toString('base64'),
      };
    case 'POST /api/v1/signals/import':
      return {
        filename: 's.csv',
        content_base64: Buffer.from(
          'type,source,occurred_at,domain\nweb_visit,x,2026-03-01,fuzz.example\n',
        ).toString('base64'),
      };
    default:
      return undefined;
  }
}

/** Every table in the public schema (what a rejected request must not change). */
async function tableNames(t: TestServer): Promise<string[]> {
  const { rows } = await t.app.platform.database.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  return rows.map((r) => r.table_name).filter((n) => !n.startsWith('__drizzle'));
}

export interface FuzzRun {
  routes: number;
  requests: number;
  rejected: number;
  ok: number;
  serverErrors: number;
  writesOnReject: number;
  skipped: string[];
  stats: Awaited<ReturnType<typeof fuzz>>['stats'];
  findings: Awaited<ReturnType<typeof fuzz>>['findings'];
  ms: number;
}

/** Runs the fuzzer against a test server as the admin of tenant A (and as nobody, in some variants). */
export async function runFuzz(
  t: TestServer,
  opts: { perRoute: number; seed: number; onRoute?: Parameters<typeof fuzz>[3]['onRoute'] },
): Promise<FuzzRun> {
  const t0 = performance.now();
  const admin = t.tenantA.tokens.admin;
  await seed(t, admin);
  const doc = (await t.request('GET', '/openapi.json')).json();
  const all = operationsOf(doc);
  const ops = all.filter((op) => !SKIPPED[`${op.method} ${op.path}`]);
  const skipped = all
    .filter((op) => SKIPPED[`${op.method} ${op.path}`])
    .map((op) => `${op.method} ${op.path}`);

  const tables = await tableNames(t);
  const countSql = `select ${tables.map((n) => `(select count(*) from "${n}")`).join(' + ')} as n`;
  const protectedIds = new Set([t.tenantA.userIds.admin]);
  const ids = new Map<string, string | undefined>();

  const target: FuzzTarget = {
    async send(req) {
      const res = await t.app.inject({
        method: req.method as InjectOptions['method'],
        url: req.url,
        headers: req.headers,
        payload: req.payload,
      });
      return { statusCode: res.statusCode, body: res.body };
    },
    async countRows() {
      // Writes that events cause after a commit (the relay runs on a nudge) belong to the request
      // before: let them finish first.
      await t.app.platform.bus.settle();
      const { rows } = await t.app.platform.database.query<{ n: number | string }>(countSql);
      return Number(rows[0].n);
    },
  };

  /** The list a path's id comes from: /api/v1/accounts/{id}/timeline → /api/v1/accounts. */
  const collectionOf = (path: string) => {
    const base = path.split('/{')[0];
    return base === '/api/v1/sources' ? '/api/v1/signal-sources' : base;
  };
  async function lookUp(path: string): Promise<string | undefined> {
    const list = collectionOf(path);
    const res = await t.request('GET', `${list}?limit=20`, { token: admin });
    if (res.statusCode !== 200) return undefined;
    const body: unknown = res.json();
    const data = prop(body, 'data');
    const rows: unknown[] = Array.isArray(body) ? body : Array.isArray(data) ? data : [];
    return rows
      .map((r) => prop(r, 'id'))
      .find((id): id is string => typeof id === 'string' && !protectedIds.has(id));
  }

  const stats: FuzzRun['stats'] = [];
  const findings: FuzzRun['findings'] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.pathParams.length) ids.set(op.path, await lookUp(op.path));
    // Logging out must not end the admin session the other routes use: that route gets its own.
    let token = admin;
    if (op.path === '/api/v1/auth/logout') {
      const login = await t.request('POST', '/api/v1/auth/login', {
        body: { email: 'manager@acme.test', password: PASSWORD },
      });
      token = login.statusCode === 200 ? login.json().token : admin;
    }
    const ctx: FuzzContext = { doc, adminToken: token, realId: (p) => ids.get(p), baseBody };
    const r = await fuzz(target, [op], ctx, {
      perRoute: opts.perRoute,
      seed: opts.seed + i,
      onRoute: opts.onRoute,
    });
    stats.push(...r.stats);
    findings.push(...r.findings);
  }
  const sum = (k: 'requests' | 'rejected' | 'ok' | 'serverErrors' | 'writesOnReject') =>
    stats.reduce((a, s) => a + s[k], 0);
  return {
    routes: ops.length,
    requests: sum('requests'),
    rejected: sum('rejected'),
    ok: sum('ok'),
    serverErrors: sum('serverErrors'),
    writesOnReject: sum('writesOnReject'),
    skipped,
    stats,
    findings,
    ms: performance.now() - t0,
  };
}
