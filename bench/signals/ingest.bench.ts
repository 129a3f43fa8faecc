/**
 * Signal ingest benchmarks (issues 4 and 16), in one run per database (PostgreSQL and PGlite):
 *  1. throughput of POST /api/v1/signals over real HTTP in batches of 1,000 (event relay stopped),
 *     vs the raw batched INSERT of the same rows (same multi-row INSERT … SELECT FROM
 *     jsonb_to_recordset, no HTTP/validation), then the time the relay takes to catch up;
 *  2. latency from 202 to the intervention being visible through GET /api/v1/interventions while a
 *     steady stream is ingested, at each rate of --rates (default 1,000 and 5,000 signals/s): one
 *     probe per 100 signals, a tender_notice on a fresh account. Right after the bulk load and, by
 *     default, without ANALYZE (--analyze runs one before the streams).
 * Fails loudly: exits 1 with a "BENCH FAILED" line when a probe's intervention is not visible
 * within --probe-timeout seconds, when the stream falls short of its rate, or when a PostgreSQL
 * latency goal is missed (p99 ≤ 250 ms at 1,000/s, ≤ 1 s at 5,000/s). The section is appended to
 * BENCHMARKS.md either way (BENCH_NO_APPEND=1 for trial runs).
 * Usage: npx tsx bench/signals/ingest.bench.ts [--db postgres|pglite|both] [--batches 30]
 *        [--seconds 10] [--rates 1000,5000] [--analyze] [--probe-timeout 30]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountService } from '../../server/src/modules/crm/crm.service.js';
import { userService } from '../../server/src/platform/auth/auth.routes.js';
import { systemContext } from '../../server/src/platform/auth/auth-context.js';
import { loadConfig } from '../../server/src/platform/config.js';
import { openDatabase } from '../../server/src/platform/db/database.js';
import { ensureTenant } from '../../server/src/platform/tenancy/tenant.service.js';
import { createServer } from '../../server/src/server.js';
import { appendSection, markdownTable, percentile, recreateDatabase } from '../crm/lib.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const key = process.argv[i].replace(/^--/, '');
  const next = process.argv[i + 1];
  if (next === undefined || next.startsWith('--')) args.set(key, 'true');
  else {
    args.set(key, next);
    i++;
  }
}
const which = args.get('db') ?? 'both';
const BATCHES = Number(args.get('batches') ?? 30);
const SECONDS = Number(args.get('seconds') ?? 10);
const RATES = (args.get('rates') ?? '1000,5000').split(',').map(Number);
const ANALYZE = args.get('analyze') === 'true';
const PROBE_TIMEOUT_MS = Number(args.get('probe-timeout') ?? 30) * 1000;
const CONCURRENCY = 4;
const METRICS_TOKEN = 'bench-metrics-token';
/** PostgreSQL goals per stream rate: p99 202 → visible. */
const P99_GOAL_MS: Record<number, number> = { 1000: 250, 5000: 1000 };

const TYPES = ['website_visit', 'email_reply', 'call_outcome', 'product_usage'];
function signal(accounts: { id: string; domain: string }[], i: number) {
  const a = accounts[i % accounts.length];
  const type = TYPES[i % TYPES.length];
  const payload =
    type === 'website_visit'
      ? { visits: 1, url: '/pricing' }
      : type === 'email_reply'
        ? { sentiment: 0.2 }
        : type === 'call_outcome'
          ? { outcome: 'connected' }
          : { metric: 'dau', change_pct: 3 };
  return {
    type,
    source: 'bench',
    occurred_at: new Date().toISOString(),
    subject: i % 2 ? { account_id: a.id } : { domain: a.domain },
    payload: payload as Record<string, unknown>,
    idempotency_key: `b-${crypto.randomUUID()}`,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The relay's figures from /metrics (Prometheus text), as the operator would read them. */
async function scrape(base: string) {
  const text = await (
    await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  const value = (name: string, labels = '') => {
    for (const line of text.split('\n')) {
      if (!line.startsWith(name)) continue;
      const rest = line.slice(name.length);
      if (labels ? rest.startsWith(`{${labels}`) || rest.includes(labels) : rest.startsWith(' '))
        return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return 0;
  };
  const h = 'handler="interventions.evaluate",event="signals.ingested"';
  const buckets: [number, number][] = [];
  for (const line of text.split('\n')) {
    const m = line.match(
      /^zhongshu_event_handler_duration_seconds_bucket\{le="([^"]+)",handler="interventions\.evaluate",event="signals\.ingested"\} (\d+)/,
    );
    if (m) buckets.push([m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2])]);
  }
  return {
    pending: value('zhongshu_events_pending'),
    oldestAge: value('zhongshu_events_oldest_pending_age_seconds'),
    handlerCount: value('zhongshu_event_handler_duration_seconds_count', h),
    handlerSum: value('zhongshu_event_handler_duration_seconds_sum', h),
    merged: value('zhongshu_events_merged_total', 'event="signals.ingested"'),
    buckets,
  };
}
type Scrape = Awaited<ReturnType<typeof scrape>>;

/** Handler runs between two scrapes: count, mean, and the bucket bound holding the p99. */
function handlerStats(a: Scrape, b: Scrape) {
  const count = b.handlerCount - a.handlerCount;
  const mean = count ? ((b.handlerSum - a.handlerSum) / count) * 1000 : 0;
  let p99 = Number.NaN;
  for (const [le, n] of b.buckets) {
    const before = a.buckets.find(([l]) => l === le)?.[1] ?? 0;
    if (count && n - before >= 0.99 * count) {
      p99 = le * 1000;
      break;
    }
  }
  return { runs: count, meanMs: mean, p99Ms: p99, merged: b.merged - a.merged };
}

interface StreamResult {
  rate: number;
  sent: number;
  achieved: number;
  probes: number;
  lost: number;
  p50: number;
  p99: number;
  max: number;
  peakPending: number;
  peakOldestAge: number;
  handler: ReturnType<typeof handlerStats>;
  errors: string[];
  settleSeconds: number;
}

async function run(kind: 'postgres' | 'pglite') {
  let dataDir: string | undefined;
  let url: string | undefined;
  if (kind === 'postgres') url = await recreateDatabase('zs_bench_signals');
  else dataDir = mkdtempSync(join(tmpdir(), 'zs-bench-signals-'));
  const database = await openDatabase({ databaseUrl: url, dataDir, poolSize: 20 });
  const config = {
    ...loadConfig({
      ...process.env,
      DATABASE_URL: url ?? '',
      LOG_LEVEL: 'silent',
      ZHONGSHU_DATA_DIR: dataDir ?? './data',
      ZHONGSHU_METRICS_TOKEN: METRICS_TOKEN,
    }),
    jobs: false,
  };
  const server = await createServer(config, { database, startWorkers: true });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(server.app.server.address() as any).port}`;
  const { tenant } = await ensureTenant(database, 'bench');
  const ctx = systemContext(tenant.id, 'bench');
  const accounts: { id: string; domain: string }[] = [];
  await database.tenantTx(tenant.id, async (tx) => {
    await userService.create(tx, ctx, {
      email: 'admin@bench.test',
      name: 'bench',
      role: 'admin',
      password: 'bench-password-1',
    });
    const ids = await accountService.bulkInsert(
      tx,
      ctx,
      Array.from({ length: 500 }, (_, i) => ({
        name: `基准客户${i}有限公司`,
        domains: [`bench${i}.example.com`],
      })),
    );
    ids.forEach((id, i) => accounts.push({ id, domain: `bench${i}.example.com` }));
  });
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@bench.test', password: 'bench-password-1' }),
  });
  const token = ((await login.json()) as any).token;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const post = async (body: unknown) => {
    const res = await fetch(`${base}/api/v1/signals`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    if (res.status !== 202) throw new Error(`${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  // warm-up (resolver index, JIT, default rules)
  await post(Array.from({ length: 1000 }, (_, i) => signal(accounts, i)));
  await server.platform.bus.settle();

  // 1. HTTP throughput, batches of 1,000, CONCURRENCY requests in flight
  const batches = Array.from({ length: BATCHES }, (_, b) =>
    Array.from({ length: 1000 }, (_, i) => signal(accounts, b * 1000 + i)),
  );
  // Ingest alone: the relay is held (no rule runs between the POSTs); it catches up afterwards.
  server.platform.bus.pause();
  await server.platform.bus.settle();
  let t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) {
        const r = await post(batches[next++]);
        if (r.accepted !== 1000) throw new Error(`accepted ${r.accepted}`);
      }
    }),
  );
  const httpRate = (BATCHES * 1000) / ((performance.now() - t0) / 1000);

  // raw batched INSERT of the same rows (fresh keys), same statement shape, same concurrency
  const rawBatches = batches.map((b) =>
    b.map((s) => ({
      ...s,
      id: crypto.randomUUID(),
      dedupe_key: `raw-${crypto.randomUUID()}`,
      account_id: (s.subject as any).account_id ?? null,
      matched: true,
      match_method: 'raw',
    })),
  );
  t0 = performance.now();
  next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < rawBatches.length) {
        const rows = rawBatches[next++];
        await database.query(
          `insert into signals (id, tenant_id, type, source, idempotency_key, dedupe_key, occurred_at, subject, payload, provenance, account_id, matched, match_method)
           select x.id, $1::uuid, x.type, x.source, x.idempotency_key, x.dedupe_key, x.occurred_at, x.subject, x.payload, '{"method":"raw"}'::jsonb, x.account_id, x.matched, x.match_method
           from jsonb_to_recordset($2::jsonb) as x(id uuid, type text, source text, idempotency_key text, dedupe_key text, occurred_at timestamptz, subject jsonb, payload jsonb, account_id uuid, matched boolean, match_method text)
           on conflict do nothing`,
          [tenant.id, JSON.stringify(rows)],
        );
      }
    }),
  );
  const rawRate = (BATCHES * 1000) / ((performance.now() - t0) / 1000);

  // The relay catches up with the throughput phase's events (the rules run on 30k signals).
  const catchUp0 = await scrape(base);
  t0 = performance.now();
  server.platform.bus.resume();
  await server.platform.bus.settle();
  const catchUpSeconds = (performance.now() - t0) / 1000;
  const catchUp = handlerStats(catchUp0, await scrape(base));
  const stats = await database.query<{ analyzed: boolean }>(
    `select (last_analyze is not null or last_autoanalyze is not null) as analyzed from pg_stat_user_tables where relname = 'signals'`,
  );
  const analyzedBefore = Boolean(stats.rows[0]?.analyzed);
  // Off by default: the hard case is right after a bulk load, before autovacuum's ANALYZE.
  if (ANALYZE) await database.query('analyze');

  // 2. 202 → intervention visible, at steady rates (a POST of rate/10 signals every 100 ms)
  const streams: StreamResult[] = [];
  for (const rate of RATES) streams.push(await stream(rate));

  async function stream(rate: number): Promise<StreamResult> {
    const perTick = Math.max(100, Math.round(rate / 10));
    const probesPerTick = Math.max(1, Math.round(perTick / 100));
    const ticks = SECONDS * 10;
    const probeAccounts: string[] = [];
    await database.tenantTx(tenant.id, async (tx) => {
      probeAccounts.push(
        ...(await accountService.bulkInsert(
          tx,
          ctx,
          Array.from({ length: ticks * probesPerTick }, (_, i) => ({ name: `探针客户${rate}-${i}` })),
        )),
      );
    });
    await server.platform.bus.settle();
    const acked = new Map<string, number>(); // probe account → time of its 202
    const visible = new Map<string, number>();
    const errors: string[] = [];
    const probeSet = new Set(probeAccounts);
    let polling = true;
    // One poller, newest first, following pages while every row on them is new.
    const seen = new Set<string>();
    const poller = (async () => {
      while (polling) {
        let cursor: string | null = null;
        for (;;) {
          const q = `owner_id=any&rule_key=tender_published&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
          const r = await fetch(`${base}/api/v1/interventions?${q}`, { headers });
          const body = (await r.json()) as any;
          const now = performance.now();
          let allNew = true;
          for (const row of body.data ?? []) {
            if (seen.has(row.id)) allNew = false;
            seen.add(row.id);
            if (probeSet.has(row.account_id) && !visible.has(row.account_id))
              visible.set(row.account_id, now);
          }
          cursor = body.next_cursor;
          if (!allNew || !cursor) break;
        }
        await sleep(20);
      }
    })();
    let peakPending = 0;
    let peakOldestAge = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const s = await scrape(base);
        peakPending = Math.max(peakPending, s.pending);
        peakOldestAge = Math.max(peakOldestAge, s.oldestAge);
        await sleep(250);
      }
    })();
    const before = await scrape(base);
    const start = performance.now();
    let sent = 0;
    let ackedSignals = 0;
    let lastAck = start;
    const posts: Promise<void>[] = [];
    for (let tick = 0; tick < ticks; tick++) {
      await sleep(start + tick * 100 - performance.now());
      const probes = probeAccounts.slice(tick * probesPerTick, (tick + 1) * probesPerTick);
      const batch = Array.from({ length: perTick - probes.length }, (_, i) =>
        signal(accounts, tick * perTick + i),
      );
      for (const p of probes)
        batch.push({
          type: 'tender_notice',
          source: 'bench',
          occurred_at: new Date().toISOString(),
          subject: { account_id: p },
          payload: { title: 'probe' },
          idempotency_key: `p-${crypto.randomUUID()}`,
        });
      sent += batch.length;
      posts.push(
        post(batch).then(
          (r) => {
            const at = performance.now();
            lastAck = Math.max(lastAck, at);
            ackedSignals += r.accepted;
            for (const p of probes) acked.set(p, at);
          },
          (err) => {
            errors.push(String(err).slice(0, 200));
          },
        ),
      );
    }
    await Promise.all(posts);
    const achieved = ackedSignals / ((lastAck - start) / 1000);
    // Wait until every acknowledged probe is visible or has timed out.
    for (;;) {
      const now = performance.now();
      const waiting = [...acked.entries()].filter(
        ([p, at]) => !visible.has(p) && now - at < PROBE_TIMEOUT_MS,
      );
      if (!waiting.length) break;
      await sleep(50);
    }
    polling = false;
    sampling = false;
    await Promise.all([poller, sampler]);
    const handler = handlerStats(before, await scrape(base));
    const latencies = probeAccounts.map((p) => {
      const a = acked.get(p);
      const v = visible.get(p);
      return a === undefined || v === undefined ? Number.POSITIVE_INFINITY : Math.max(0, v - a);
    });
    latencies.sort((a, b) => a - b);
    // Refreshes of open bundles handed back to the relay (carry-overs) are done when it settles.
    const settle0 = performance.now();
    await server.platform.bus.settle();
    const settleSeconds = (performance.now() - settle0) / 1000;
    return {
      rate,
      sent,
      achieved,
      probes: probeAccounts.length,
      lost: latencies.filter((l) => !Number.isFinite(l)).length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1],
      peakPending,
      peakOldestAge,
      handler,
      errors,
      settleSeconds,
    };
  }

  await server.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  return {
    kind,
    httpRate,
    rawRate,
    ratio: httpRate / rawRate,
    catchUpSeconds,
    catchUp,
    analyzedBefore,
    streams,
  };
}

const results = [];
for (const kind of (which === 'both' ? ['postgres', 'pglite'] : [which]) as ('postgres' | 'pglite')[]) {
  const r = await run(kind);
  console.log(JSON.stringify(r, null, 1));
  results.push(r);
}

const fmt = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : '∞ (lost)');
const ingestTable = markdownTable(
  [
    'database',
    'HTTP ingest (batches of 1,000, 4 in flight)',
    'raw batched INSERT',
    'HTTP / raw',
    'relay catch-up after the load',
    'rule runs (merged events)',
    'mean run',
  ],
  results.map((r) => [
    r.kind,
    `${Math.round(r.httpRate)} signals/s`,
    `${Math.round(r.rawRate)} rows/s`,
    `${(r.ratio * 100).toFixed(0)}%`,
    `${r.catchUpSeconds.toFixed(1)} s`,
    `${r.catchUp.runs} (${r.catchUp.merged})`,
    `${r.catchUp.meanMs.toFixed(0)} ms`,
  ]),
);
const streamTable = markdownTable(
  [
    'database',
    'stream target',
    'achieved (202s)',
    'probes visible',
    '202 → visible p50',
    'p99',
    'max',
    'peak events waiting',
    'peak oldest wait',
    'rule runs (merged events)',
    'run mean / p99 bucket',
    'relay idle after the last probe',
  ],
  results.flatMap((r) =>
    r.streams.map((s) => [
      r.kind,
      `${s.rate} signals/s`,
      `${Math.round(s.achieved)} signals/s`,
      `${s.probes - s.lost} / ${s.probes}`,
      fmt(s.p50),
      fmt(s.p99),
      fmt(s.max),
      s.peakPending,
      `${s.peakOldestAge.toFixed(1)} s`,
      `${s.handler.runs} (${s.handler.merged})`,
      `${s.handler.meanMs.toFixed(0)} ms / ≤ ${Number.isFinite(s.handler.p99Ms) ? `${s.handler.p99Ms.toFixed(0)} ms` : '> 30 s'}`,
      `${s.settleSeconds.toFixed(1)} s`,
    ]),
  ),
);

const failures: string[] = [];
const verdicts: string[] = [];
for (const r of results) {
  for (const s of r.streams) {
    if (s.lost)
      failures.push(
        `${r.kind} ${s.rate}/s: ${s.lost} of ${s.probes} probes not visible within ${PROBE_TIMEOUT_MS / 1000} s`,
      );
    if (s.achieved < 0.9 * s.rate)
      failures.push(`${r.kind} ${s.rate}/s: stream reached only ${Math.round(s.achieved)} signals/s`);
    if (s.errors.length)
      failures.push(`${r.kind} ${s.rate}/s: ${s.errors.length} POSTs failed (${s.errors[0]})`);
    const goal = P99_GOAL_MS[s.rate];
    if (r.kind === 'postgres' && goal !== undefined) {
      const ok = s.p99 <= goal;
      verdicts.push(`p99 ≤ ${goal} ms at ${s.rate}/s ${ok ? '**met**' : '**not met**'} (${fmt(s.p99)})`);
      if (!ok) failures.push(`postgres ${s.rate}/s: p99 ${fmt(s.p99)} > goal ${goal} ms`);
    }
  }
}
const pgR = results.find((r) => r.kind === 'postgres');
const notes = `Server in-process (Fastify over real HTTP on 127.0.0.1, event relay polling 250 ms + nudge after commit), 500 accounts, warm-up 1,000 then ${BATCHES} × 1,000 signals with fresh idempotency keys (event relay held while they are sent, then timed catching up; subjects alternate account_id/domain); raw = the same multi-row INSERT … SELECT FROM jsonb_to_recordset … ON CONFLICT DO NOTHING without HTTP, validation or resolution. Streams: one POST of rate/10 signals every 100 ms for ${SECONDS} s, one probe (tender_notice on a fresh account) per 100 signals; one poller reads GET /api/v1/interventions?rule_key=tender_published newest first every 20 ms (pages of 20, followed while all new); a probe not visible within ${PROBE_TIMEOUT_MS / 1000} s counts as lost (∞). Events waiting / oldest wait / rule runs from /metrics (zhongshu_events_pending, zhongshu_events_oldest_pending_age_seconds sampled every 250 ms, zhongshu_event_handler_duration_seconds{handler="interventions.evaluate"}, zhongshu_events_merged_total); "relay idle" = time until the relay had nothing left (refreshes of open bundles re-queued beyond a run's share) once the last probe was visible. ${ANALYZE ? 'ANALYZE run before the streams (--analyze).' : `No ANALYZE before the streams (planner statistics of signals present: ${pgR ? (pgR.analyzedBefore ? 'yes, autovacuum' : 'no') : 'n/a'}).`}`;
appendSection(
  'Signal ingest throughput and 202 → intervention latency',
  `npx tsx bench/signals/ingest.bench.ts --db ${which} --batches ${BATCHES} --seconds ${SECONDS} --rates ${RATES.join(',')}${ANALYZE ? ' --analyze' : ''}`,
  `${ingestTable}\n\n${streamTable}\n\n${verdicts.length ? `PostgreSQL goals: ${verdicts.join('; ')}.\n` : ''}${failures.length ? `**BENCH FAILED**: ${failures.join('; ')}.\n` : ''}${notes}`,
);
console.log(`\n${ingestTable}\n\n${streamTable}\n`);
if (failures.length) {
  for (const f of failures) console.error(`BENCH FAILED: ${f}`);
  process.exit(1);
}
console.log(`BENCH OK${verdicts.length ? `: ${verdicts.join('; ')}` : ''}`);
process.exit(0);
