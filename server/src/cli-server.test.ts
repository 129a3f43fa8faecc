import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../test/test-database.js';

// The real pair of processes: `zhongshu start`, and CLI commands run while it serves. On PGlite the
// CLI hands its work to the server (one process per data dir); on PostgreSQL it connects directly.
const bin = join(import.meta.dirname, '..', 'bin', 'zhongshu.mjs');
const pglite = !process.env.DATABASE_URL;
let env: NodeJS.ProcessEnv;
let dataDir: string | undefined;
let work: string;
let cleanup: () => Promise<void>;
const children = new Set<ChildProcess>();

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd: work });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** Starts the server; resolves with its base URL once it prints its address. */
function startServer(): Promise<{ url: string; child: ChildProcess; log: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'start'], { env, cwd: work });
    children.add(child);
    let log = '';
    const onData = (d: Buffer) => {
      log += d;
      const m = log.match(/is running at (http:\/\/localhost:\d+)/);
      if (m) resolve({ url: m[1].replace('localhost', '127.0.0.1'), child, log: () => log });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      children.delete(child);
      reject(new Error(`server exited (${code}) before it was ready:\n${log}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function login(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function productNames(url: string, token: string): Promise<string[]> {
  const res = await fetch(`${url}/api/v1/products?limit=100`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { name: string }[] }).data.map((p) => p.name).sort();
}

beforeAll(async () => {
  const t = await openTestDatabase();
  await t.database.close(); // the server process takes the database over
  cleanup = t.cleanup;
  dataDir = t.dataDir;
  work = mkdtempSync(join(tmpdir(), 'zhongshu-cli-server-'));
  env = {
    ...process.env,
    DATABASE_URL: t.url ?? '',
    ZHONGSHU_DATA_DIR: t.dataDir ?? join(work, 'data'),
    PORT: '0',
    HOST: '127.0.0.1',
    ZHONGSHU_DEMO_SEED: 'off',
    ZHONGSHU_JOBS: 'off',
    ZHONGSHU_DEMO_SIMULATE: '0',
    LOG_LEVEL: 'warn',
  };
});
afterAll(async () => {
  for (const c of children) await stop(c);
  await cleanup?.();
  rmSync(work, { recursive: true, force: true });
});

describe(`CLI while the server runs (${pglite ? 'PGlite' : 'PostgreSQL'})`, () => {
  it('creates a user and imports a file into the running server; both survive a restart', {
    timeout: 240_000,
  }, async () => {
    const first = await startServer();
    if (pglite) expect(existsSync(join(dataDir!, 'zhongshu.lock'))).toBe(true);

    const created = await run([
      'user',
      'create',
      '--tenant',
      'pair-co',
      '--email',
      'boss@pair.test',
      '--password',
      'long-password',
      '--role',
      'admin',
    ]);
    expect(created.err).toBe('');
    expect(created.code).toBe(0);
    expect(created.out).toMatch(
      /^Created tenant "pair-co"\. Created admin boss@pair\.test \(id [0-9a-f-]{36}\)\.\n$/,
    );

    const file = 'products.csv'; // relative to the CLI's working directory
    writeFileSync(join(work, file), 'name,unit_price\n磷酸铁锂电芯,1200\n坏价格,free\n储能柜,88000\n');
    const imported = await run(['import', '--tenant', 'pair-co', '--entity', 'products', '--file', file]);
    expect(imported.code).toBe(1); // one row was invalid
    expect(imported.out).toMatch(
      /^row 3: unit_price: .+\n3 rows, 2 valid, 1 invalid, 2 imported in \d+\.\d s\.\n$/,
    );

    // Usage errors: one line, exit 2, and nothing reaches the server.
    const widgets = await run(['import', '--tenant', 'pair-co', '--entity', 'widgets', '--file', file]);
    expect(widgets.code).toBe(2);
    expect(widgets.out).toBe('');
    expect(widgets.err).toMatch(
      /^zhongshu: option '--entity <entity>' argument 'widgets' is invalid\.[^\n]*\n$/,
    );
    const dup = await run([
      'user',
      'create',
      '--tenant',
      'pair-co',
      '--email',
      'boss@pair.test',
      '--password',
      'long-password',
    ]);
    expect(dup.code).toBe(2);
    expect(dup.err).toBe('zhongshu: A user with email boss@pair.test already exists in tenant "pair-co"\n');

    const migrate = await run(['migrate']);
    expect(migrate.code, migrate.err).toBe(0);
    expect(migrate.out).toMatch(
      pglite ? /^Migrations applied \(by the running server, process \d+/ : /^Migrations applied\.\n$/,
    );

    if (pglite) {
      // A second server on the same data dir never opens it: one line naming the holder.
      const second = await run(['start']);
      expect(second.code).not.toBe(0);
      expect(second.out).toBe('');
      expect(second.err).toMatch(
        new RegExp(
          `^zhongshu: the data dir .+ is in use by process ${first.child.pid} \\(zhongshu start, since \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\): stop that process first[^\\n]*\\n$`,
        ),
      );
    }

    // The running server sees both writes at once.
    let token = await login(first.url, 'boss@pair.test', 'long-password');
    expect(await productNames(first.url, token)).toEqual(['储能柜', '磷酸铁锂电芯'].sort());

    expect(await stop(first.child)).toBe(0);
    if (pglite) {
      expect(existsSync(join(dataDir!, 'zhongshu.lock'))).toBe(false);
      expect(existsSync(join(dataDir!, 'zhongshu.sock'))).toBe(false);
      // With the server stopped the CLI opens the data dir itself, as before.
      const direct = await run([
        'user',
        'create',
        '--tenant',
        'pair-co',
        '--email',
        'rep@pair.test',
        '--password',
        'long-password',
      ]);
      expect(direct.code, direct.err).toBe(0);
      expect(direct.out).toMatch(/^Created rep rep@pair\.test \(id [0-9a-f-]{36}\)\.\n$/);
    }

    const again = await startServer();
    token = await login(again.url, 'boss@pair.test', 'long-password');
    expect(await productNames(again.url, token)).toEqual(['储能柜', '磷酸铁锂电芯'].sort());
    if (pglite) await login(again.url, 'rep@pair.test', 'long-password');
    expect(await stop(again.child)).toBe(0);
  });
});
