/**
 * Signal ingest durability (issue 4): the real server (`node server/bin/zhongshu.mjs start`) on
 * PostgreSQL and on PGlite takes a sustained stream of signals with idempotency keys (batches of
 * 200, several requests in flight) over loopback; mid-stream the server's node process gets
 * SIGKILL; it is restarted and then:
 *  - every signal whose batch was answered 202 must be stored exactly once (keys counted in the DB);
 *  - resending the whole stream (every batch ever sent, acknowledged or not) must add only the
 *    signals that were never stored, and answer `duplicate` for every acknowledged one.
 * Usage: npx tsx bench/signals/durability.bench.ts [--db postgres|pglite|both] [--seconds 6]
 *        [--batch 200] [--concurrency 4]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../server/src/platform/db/database.js';
import {
  appendSection,
  CLI,
  dropDatabase,
  freePort,
  login,
  markdownTable,
  type RunningServer,
  recreateDatabase,
  runCli,
  spawnServer,
  waitHealthy,
} from '../crm/lib.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const which = args.get('db') ?? 'both';
const SECONDS = Number(args.get('seconds') ?? 6);
const BATCH = Number(args.get('batch') ?? 200);
const CONCURRENCY = Number(args.get('concurrency') ?? 4);
const SOURCE = 'durability-bench';
const PG_DB = 'zs_bench_durability';
const EMAIL = 'admin@durability.test';
const PASSWORD = 'durability-password';

const COMPANIES = [
  '宁德时代新能源科技股份有限公司',
  'Globex Trading Co., Ltd.',
  '远景储能科技有限公司',
  '比亚迪股份有限公司',
];
function makeBatch(kind: string, b: number) {
  return Array.from({ length: BATCH }, (_, i) => ({
    type: 'website_visit',
    source: SOURCE,
    occurred_at: new Date(Date.UTC(2026, 10, 20) + b * 1000 + i).toISOString(),
    subject: { company_name: COMPANIES[(b + i) % COMPANIES.length] },
    payload: { url: '/pricing', visits: 1 + (i % 3) },
    idempotency_key: `dur-${kind}-${b}-${i}`,
  }));
}

interface Tally {
  accepted: number;
  duplicates: number;
  rejected: number;
}
async function post(url: string, token: string, batch: unknown[]) {
  const r = await fetch(`${url}/api/v1/signals`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(batch),
  });
  const text = await r.text();
  return { status: r.status, body: r.status === 202 ? (JSON.parse(text) as Tally) : null };
}

/** Idempotency keys of the bench's signals → how many rows carry each (read straight from the DB). */
async function storedKeys(
  kind: 'postgres' | 'pglite',
  url: string | undefined,
  dataDir: string | undefined,
): Promise<Map<string, number>> {
  const q = `select idempotency_key as k, count(*)::int as n from signals where source = '${SOURCE}' group by idempotency_key`;
  let rows: { k: string; n: number }[];
  if (kind === 'postgres') {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    rows = (await c.query(q)).rows;
    await c.end();
  } else {
    const db = await openDatabase({ dataDir });
    rows = (await db.query<{ k: string; n: number }>(q, [])).rows;
    await db.close();
  }
  return new Map(rows.map((r) => [r.k, r.n]));
}

function nodePidIsServer(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return /node/.test(cmd[0]) && cmd.some((a) => a.endsWith('zhongshu.mjs')) && cmd.includes('start');
  } catch {
    return false;
  }
}

async function run(kind: 'postgres' | 'pglite') {
  let url: string | undefined;
  let dataDir: string | undefined;
  if (kind === 'postgres') url = await recreateDatabase(PG_DB);
  else dataDir = mkdtempSync(join(tmpdir(), 'zs-bench-durability-'));
  const port = await freePort();
  const env: Record<string, string> = {
    DATABASE_URL: url ?? '',
    ZHONGSHU_DATA_DIR: dataDir ?? join(tmpdir(), 'zs-unused'),
    ZHONGSHU_DEMO_SEED: 'off',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  runCli(
    ['user', 'create', '--tenant', 'durability', '--email', EMAIL, '--password', PASSWORD, '--role', 'admin'],
    env,
  );
  const servers: RunningServer[] = [];
  const start = async () => {
    const t0 = performance.now();
    const s = spawnServer(process.execPath, [CLI, 'start'], env);
    servers.push(s);
    await waitHealthy(s.url, t0, 180_000, 50, s.proc);
    return s;
  };
  try {
    let server = await start();
    let token = await login(server.url, EMAIL, PASSWORD);

    // ---- 1. sustained stream, SIGKILL mid-stream ----
    const acked = new Set<number>();
    const failed = new Set<number>();
    let next = 0;
    let killed = false;
    let killedAt = 0;
    const t0 = performance.now();
    const killAfter = SECONDS * 1000 * (0.55 + Math.random() * 0.3);
    const worker = async () => {
      while (!killed) {
        const b = next++;
        try {
          const r = await post(server.url, token, makeBatch(kind, b));
          if (r.status === 202 && r.body && r.body.accepted + r.body.duplicates === BATCH) acked.add(b);
          else failed.add(b);
        } catch {
          failed.add(b);
        }
      }
    };
    const killer = (async () => {
      while (performance.now() - t0 < killAfter) await new Promise((r) => setTimeout(r, 20));
      const pid = server.proc.pid!;
      if (!nodePidIsServer(pid)) throw new Error(`pid ${pid} is not the server's node process`);
      const inFlight = next - acked.size - failed.size;
      process.kill(pid, 'SIGKILL'); // the node process itself
      killedAt = performance.now() - t0;
      killed = true;
      return inFlight;
    })();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const inFlightAtKill = await killer;
    await new Promise<void>((r) =>
      server.proc.exitCode !== null || server.proc.signalCode !== null
        ? r()
        : server.proc.once('exit', () => r()),
    );
    const sentBatches = next;
    const ackedSignals = acked.size * BATCH;
    const rate = ackedSignals / (killedAt / 1000);
    console.log(
      `[${kind}] killed at ${(killedAt / 1000).toFixed(1)} s: ${sentBatches} batches sent, ${acked.size} acknowledged (${ackedSignals} signals, ${Math.round(rate)}/s), ${failed.size} failed, ${inFlightAtKill} in flight`,
    );

    // ---- 2. restart; count by idempotency key in the DB ----
    const r0 = performance.now();
    server = await start();
    const restartMs = performance.now() - r0;
    const countNow = async () => {
      if (kind === 'pglite') {
        // PGlite: one process per data dir. Stop the server cleanly, read the dir, start it again.
        await server.stop();
        const keys = await storedKeys(kind, url, dataDir);
        server = await start();
        token = await login(server.url, EMAIL, PASSWORD);
        return keys;
      }
      return storedKeys(kind, url, dataDir);
    };
    const before = await countNow();
    let ackedMissing = 0;
    let storedTwice = 0;
    let storedUnacked = 0;
    let foreign = 0;
    for (const b of acked)
      for (let i = 0; i < BATCH; i++) if (!before.has(`dur-${kind}-${b}-${i}`)) ackedMissing++;
    for (const [k, n] of before) {
      if (n > 1) storedTwice++;
      const m = k.match(/^dur-[a-z]+-(\d+)-\d+$/);
      if (!m || Number(m[1]) >= sentBatches) foreign++;
      else if (!acked.has(Number(m[1]))) storedUnacked++;
    }
    const storedBefore = [...before.values()].reduce((s, n) => s + n, 0);

    // ---- 3. resend the whole stream ----
    const resend: Tally = { accepted: 0, duplicates: 0, rejected: 0 };
    let ackedNotDuplicate = 0;
    let resendErrors = 0;
    let cursor = 0;
    const resender = async () => {
      for (;;) {
        const b = cursor++;
        if (b >= sentBatches) return;
        const batch = makeBatch(kind, b);
        const res = await fetch(`${server.url}/api/v1/signals`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(batch),
        });
        if (res.status !== 202) {
          resendErrors++;
          continue;
        }
        const body = (await res.json()) as Tally & { results: { status: string }[] };
        resend.accepted += body.accepted;
        resend.duplicates += body.duplicates;
        resend.rejected += body.rejected;
        if (acked.has(b)) ackedNotDuplicate += body.results.filter((x) => x.status !== 'duplicate').length;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, resender));
    const after = await countNow();
    const storedAfter = [...after.values()].reduce((s, n) => s + n, 0);
    const storedTwiceAfter = [...after.values()].filter((n) => n > 1).length;
    const sentSignals = sentBatches * BATCH;
    const neverStored = sentSignals - before.size;

    const pass =
      ackedMissing === 0 &&
      storedTwice === 0 &&
      foreign === 0 &&
      resendErrors === 0 &&
      ackedNotDuplicate === 0 &&
      resend.accepted === neverStored &&
      resend.duplicates === before.size &&
      storedAfter === sentSignals &&
      storedTwiceAfter === 0;
    await server.stop();
    return {
      kind,
      killedAt,
      sentBatches,
      ackedBatches: acked.size,
      failedBatches: failed.size,
      ackedSignals,
      rate,
      restartMs,
      storedBefore,
      ackedMissing,
      storedTwice,
      storedUnacked,
      neverStored,
      resend,
      resendErrors,
      ackedNotDuplicate,
      storedAfter,
      sentSignals,
      pass,
    };
  } finally {
    for (const s of servers) {
      if (s.proc.exitCode === null && s.proc.signalCode === null) {
        try {
          process.kill(s.proc.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (kind === 'postgres') await dropDatabase(PG_DB).catch(() => undefined);
  }
}

const kinds: ('postgres' | 'pglite')[] = which === 'both' ? ['postgres', 'pglite'] : [which as any];
const results = [];
for (const k of kinds) results.push(await run(k));

const header = [
  'database',
  'killed at',
  'batches sent / 202 / failed',
  'acknowledged signals (rate)',
  'stored after restart',
  'acked missing',
  'stored twice',
  'stored, never acked',
  'resend: accepted / duplicate / rejected',
  'stored after resend (sent)',
  'result',
];
const rows = results.map((r) => [
  r.kind === 'postgres' ? 'PostgreSQL 15' : 'PGlite',
  `${(r.killedAt / 1000).toFixed(1)} s`,
  `${r.sentBatches} / ${r.ackedBatches} / ${r.failedBatches}`,
  `${r.ackedSignals} (${Math.round(r.rate)}/s)`,
  r.storedBefore,
  r.ackedMissing,
  r.storedTwice,
  r.storedUnacked,
  `${r.resend.accepted} / ${r.resend.duplicates} / ${r.resend.rejected}${r.resendErrors ? ` (${r.resendErrors} errors)` : ''}`,
  `${r.storedAfter} (${r.sentSignals})`,
  r.pass ? '**pass**' : '**FAIL**',
]);
const table = markdownTable(header, rows);
console.log(`\n${table}\n`);
appendSection(
  'Signal ingest durability: kill -9 mid-stream, restart, resend',
  `npx tsx bench/signals/durability.bench.ts --db ${which} --seconds ${SECONDS} --batch ${BATCH} --concurrency ${CONCURRENCY}`,
  [
    `Real server via \`node server/bin/zhongshu.mjs start\` (ZHONGSHU_DEMO_SEED=off, LOG_LEVEL=warn, HOST=127.0.0.1, default jobs and pool), tenant + admin via \`zhongshu user create\`, token via POST /auth/login. ${CONCURRENCY} concurrent POST /api/v1/signals of ${BATCH} signals each (website_visit, company_name subjects, idempotency keys dur-<db>-<batch>-<i>) until SIGKILL of the server's node process at a random point 55–85 % into ${SECONDS} s; restart with the same data; stored rows counted per idempotency key straight from the database (PGlite: server stopped cleanly to read its data dir, then started again); then every batch ever sent (acknowledged, failed, in flight) resent. Pass = every signal of a 202 batch stored exactly once, no key stored twice, the resend answers \`duplicate\` for every stored signal and \`accepted\` only for the never-stored ones, ending with each sent signal stored once.`,
    '',
    table,
    '',
    `Restart after kill -9 (spawn → /healthz 200): ${results.map((r) => `${r.kind} ${(r.restartMs / 1000).toFixed(1)} s`).join(', ')}. "Stored, never acked" are batches committed while their response was lost to the kill (allowed: not acknowledged, stored once, resend says duplicate).`,
    '',
    `Result: ${results.every((r) => r.pass) ? '**pass**' : '**FAIL**'} (${results.map((r) => `${r.kind} ${r.pass ? 'pass' : 'FAIL'}`).join(', ')}).`,
  ].join('\n'),
);
if (results.some((r) => !r.pass)) process.exitCode = 1;
