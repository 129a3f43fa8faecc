// Shared helpers for the browser tests, screenshots and benchmarks: start a fresh server, launch Debian chromium.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'web', 'package.json'));
const { chromium } = require('playwright-core');

export const DEMO = { email: 'admin@demo.zhongshu.local', password: 'zhongshu-demo' };
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts `zhongshu start` on a free port with a fresh data dir; resolves once /healthz is 200. */
export async function startServer({ env = {}, timeoutMs = 120_000 } = {}) {
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) {
    throw new Error('web/dist is missing: run `npm run build -w web` first');
  }
  const port = Number(process.env.E2E_PORT) || (await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), 'zs-e2e-'));
  const child = spawn(process.execPath, [join(ROOT, 'server', 'bin', 'zhongshu.mjs'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), ZHONGSHU_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`server exited early (${child.exitCode}):\n${log.slice(-3000)}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {}
    if (Date.now() - t0 > timeoutMs) {
      stop();
      throw new Error(`server did not become healthy in ${timeoutMs} ms:\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  function stop() {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      rmSync(dataDir, { recursive: true, force: true });
    }, 1500).unref();
  }
  return { base, port, dataDir, stop, log: () => log };
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--disable-dev-shm-usage',
    ],
  });
}

export async function login(page, base, { email = DEMO.email, password = DEMO.password } = {}) {
  await page.goto(`${base}/login`);
  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.getByTestId('user-name').waitFor();
}

/** Logs in through the API and returns a cookie header for direct API calls. */
export async function apiSession(base, { email = DEMO.email, password = DEMO.password } = {}) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!r.ok) throw new Error(`login failed ${r.status}`);
  const { token } = await r.json();
  const call = async (path, init = {}) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
    const text = await res.text();
    const body = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} → ${res.status} ${text.slice(0, 300)}`);
    return body;
  };
  return { token, call };
}

/**
 * Runs one e2e file on its own (`node e2e/<file>.mjs [--screenshots]`): a fresh server (or
 * E2E_BASE), a browser and an API session, the tests `register` adds, then `screenshots` when asked.
 * Does nothing when the file is imported by run.mjs.
 */
export async function runStandalone(moduleUrl, register, { env = {}, screenshots } = {}) {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  const server = process.env.E2E_BASE
    ? { base: process.env.E2E_BASE, stop() {}, log: () => '' }
    : await startServer({ env });
  const browser = await launch();
  const api = await apiSession(server.base);
  const tests = [];
  const pageErrors = [];
  register({ test: (name, fn) => tests.push({ name, fn }), browser, base: server.base, api, pageErrors });
  let failed = 0;
  try {
    for (const t of tests) {
      const t0 = Date.now();
      try {
        await t.fn();
        console.log(`ok   ${t.name} (${Date.now() - t0} ms)`);
      } catch (err) {
        failed++;
        console.log(
          `FAIL ${t.name}\n     ${String(err?.stack ?? err)
            .split('\n')
            .slice(0, 8)
            .join('\n     ')}`,
        );
      }
    }
    if (screenshots && process.argv.includes('--screenshots')) await screenshots(browser, server.base, api);
  } finally {
    if (pageErrors.length) console.log(`page errors:\n  ${pageErrors.slice(0, 10).join('\n  ')}`);
    await browser.close();
    server.stop();
  }
  console.log(`${tests.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
