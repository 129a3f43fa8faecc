/**
 * Shared plumbing for the CRM benches: machine facts, BENCHMARKS.md sections, PostgreSQL
 * scratch databases, and starting/stopping the real server (by PID) via the real CLI.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = `${ROOT}server/bin/zhongshu.mjs`;
export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function machine(): string {
  const c = cpus();
  return `node ${process.version}, ${c[0]?.model ?? 'unknown cpu'}, ${c.length} cores, ${Math.round(totalmem() / 2 ** 30)} GB RAM`;
}

export const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
export const ms = (v: number, d = 1) => `${v.toFixed(d)} ms`;

export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (r: (string | number)[]) => `| ${r.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Appends "## title — date UTC" with machine, reproduce command and body to BENCHMARKS.md (append only). */
export function appendSection(title: string, command: string, body: string): void {
  if (process.env.BENCH_NO_APPEND) return;
  const file = `${ROOT}BENCHMARKS.md`;
  const head = existsSync(file) ? '' : '# Benchmarks\n\nAppend-only log of benchmark runs.\n';
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  appendFileSync(
    file,
    `${head}\n## ${title} — ${date} UTC\n\n- Machine: ${machine()}\n- Reproduce: \`${command}\`\n\n${body}\n`,
  );
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function dbUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function recreateDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  return dbUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

/** Runs the real CLI (`zhongshu …`) synchronously; throws on a non-zero exit unless allowed. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  allowFail = false,
): { status: number; stdout: string; stderr: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
  if (out.status !== 0 && !allowFail)
    throw new Error(`zhongshu ${args.join(' ')} exited ${out.status}\n${out.stdout}\n${out.stderr}`);
  return out;
}

export interface RunningServer {
  proc: ChildProcess;
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts a command (the real server) in its own process group; stop() kills that group by PID. */
export function spawnServer(cmd: string, args: string[], env: Record<string, string>): RunningServer {
  const proc = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  proc.stdout?.on('data', (d) => {
    out += d;
  });
  proc.stderr?.on('data', (d) => {
    out += d;
  });
  const port = env.PORT;
  return {
    proc,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.pid === undefined) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls GET /healthz until it answers 200; returns ms from `since`. */
export async function waitHealthy(
  url: string,
  since: number,
  timeoutMs = 120_000,
  pollMs = 20,
  proc?: ChildProcess,
): Promise<number> {
  for (;;) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.status === 200) return performance.now() - since;
    } catch {
      /* not listening yet */
    }
    if (proc && proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    if (performance.now() - since > timeoutMs) throw new Error(`server not healthy after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const p = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

export async function login(url: string, email: string, password: string): Promise<string> {
  const r = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (r.status !== 200) throw new Error(`login ${r.status}: ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}

export async function api<T = any>(url: string, token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}
