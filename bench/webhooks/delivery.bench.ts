/**
 * Outbound webhook delivery (issue 10, item 3) through the real server code: 10,000 account
 * creations (real writes: row + lineage + audit + outbox event each) fanned out to one endpoint
 * subscribed to `accounts.created`, sent by the server's dispatcher over HTTP to a local receiver.
 *
 *   baseline  the receiver always answers 200
 *   faulty    the receiver answers 503 to 30 % of requests at random (seeded) and is down
 *             completely (connection refused, open sockets destroyed) for DOWN_MS after it has
 *             seen OUTAGE_AT requests
 *
 * Measured: messages received at least once (by webhook-id, 2xx answers), duplicates (a message
 * accepted more than once), requests made, deliveries left pending/failed, events/s from the
 * moment the event relay starts until every message is accepted and nothing is pending, and (faulty)
 * the time to drain once the receiver is back. Retry delays are the production schedule × 0.0001
 * (5 s → 0.5 ms … 24 h → 8.6 s); the dispatcher polls every second as in the server.
 *
 *   npx tsx bench/webhooks/delivery.bench.ts                    (PGlite)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/webhooks/delivery.bench.ts
 *
 * Env: BENCH_EVENTS (default 10000), BENCH_DOWN_MS (default 5000), BENCH_NO_APPEND=1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accountService } from '../../server/src/modules/crm/crm.service.js';
import { webhookDispatcher } from '../../server/src/modules/webhooks/webhooks.dispatcher.js';
import { systemContext } from '../../server/src/platform/auth/auth-context.js';
import { startTestServer } from '../../server/test/harness.js';
import { dropTemplate, prepareTemplate } from '../../server/test/test-database.js';
import { appendSection, markdownTable } from '../crm/lib.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const DOWN_MS = Number(process.env.BENCH_DOWN_MS ?? 5_000);
const FAIL_RATE = 0.3;
const OUTAGE_AT = Math.round(EVENTS * 0.3);
const RETRY_SCALE = Number(process.env.BENCH_RETRY_SCALE ?? 0.0001);
const TIMEOUT_MS = 20 * 60_000;
const dbName = process.env.DATABASE_URL ? 'postgres' : 'pglite';

/** mulberry32: the receiver's failures are the same from run to run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Receiver {
  url: string;
  accepted: Map<string, number>;
  requests: number;
  refusedWindow: { downAt: number; upAt: number } | null;
  close(): Promise<void>;
}

async function startReceiver(mode: 'ok' | 'faulty'): Promise<Receiver> {
  const random = rng(20261201);
  const accepted = new Map<string, number>();
  let server: Server;
  const r: Receiver = {
    url: '',
    accepted,
    requests: 0,
    refusedWindow: null,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  let port = 0;
  const handler: Parameters<typeof createServer>[1] = (req, res) => {
    req.resume();
    req.on('end', () => {
      r.requests++;
      if (mode === 'faulty' && r.requests === OUTAGE_AT && !r.refusedWindow) {
        res.writeHead(503).end('going down');
        goDown();
        return;
      }
      if (mode === 'faulty' && random() < FAIL_RATE) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('try later');
        return;
      }
      const id = String(req.headers['webhook-id']);
      accepted.set(id, (accepted.get(id) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  };
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer(handler);
      server.keepAliveTimeout = 5_000;
      server.listen(port, '127.0.0.1', () => resolve());
    });
  function goDown() {
    const downAt = performance.now();
    r.refusedWindow = { downAt, upAt: Number.NaN };
    const old = server;
    old.close();
    old.closeAllConnections();
    setTimeout(() => {
      void listen().then(() => {
        if (r.refusedWindow) r.refusedWindow.upAt = performance.now();
      });
    }, DOWN_MS);
  }
  await listen();
  port = (server!.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${port}/hooks`;
  return r;
}

process.env.DATABASE_URL ??= '';
await prepareTemplate();
const t = await startTestServer({
  outbound: { allow: ['127.0.0.1'] },
  webhooks: { retryScale: RETRY_SCALE },
});
const platform = t.server.platform;
const tenantId = t.tenantA.id;
const ctx = systemContext(tenantId, 'bench');
const dispatcher = webhookDispatcher(platform);
const admin = t.tenantA.tokens.admin;
// The set-up's own events first (users, pipeline), before any endpoint exists.
await platform.bus.drain();

async function pendingOf(endpointId: string) {
  const { rows } = await platform.database.query<{ status: string; n: number }>(
    `select status, count(*)::int as n from webhook_deliveries where endpoint_id = $1 group by status`,
    [endpointId],
  );
  return Object.fromEntries(rows.map((x) => [x.status, x.n])) as Record<string, number>;
}

interface Run {
  mode: 'ok' | 'faulty';
  writeSeconds: number;
  /** relay start → every event fanned out into a delivery */
  fanOutSeconds: number;
  seconds: number;
  /** deliveries that used up the whole retry schedule, then sent again by "recover since" */
  recovered: number;
  recoverSeconds: number | null;
  delivered: number;
  duplicates: number;
  requests: number;
  pending: number;
  failed: number;
  drainAfterRecovery: number | null;
  downSeconds: number | null;
  maxAttempts: number;
  /** the dispatcher's claim scan after the run (dead index entries of updated deliveries) */
  claimMs: number;
  deadTuples: number | null;
}

/** How long the claim's scan of due deliveries takes now, and the table's dead rows (bloat). */
async function claimCost() {
  const { rows } = await platform.database.query<{ 'QUERY PLAN': unknown }>(
    `explain (analyze, format json) select id from webhook_deliveries
      where status = 'pending' and next_attempt_at <= now() + interval '1 day' order by next_attempt_at limit 100`,
  );
  const raw = rows[0]?.['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { 'Execution Time': number }[];
  const stats = await platform.database.query<{ n: number | null }>(
    `select n_dead_tup::int as n from pg_stat_user_tables where relname = 'webhook_deliveries'`,
  );
  return { claimMs: plan[0]?.['Execution Time'] ?? Number.NaN, deadTuples: stats.rows[0]?.n ?? null };
}

async function run(mode: 'ok' | 'faulty', round: number): Promise<Run> {
  const receiver = await startReceiver(mode);
  const res = await t.request('POST', '/api/v1/webhooks/endpoints', {
    token: admin,
    body: { url: receiver.url, description: `bench ${mode}`, event_types: ['accounts.created'] },
  });
  if (res.statusCode !== 201) throw new Error(`create endpoint: ${res.statusCode} ${res.body}`);
  const endpointId = res.json().id as string;

  // The writes, with the event relay held: their events wait in the outbox.
  platform.bus.pause();
  // Recovery (below) reaches back to this run's writes, not into the previous run's events (those
  // the endpoint never got either: recover since an earlier time would send them too).
  const runStart = new Date();
  const w0 = performance.now();
  const BATCH = 250;
  for (let i = 0; i < EVENTS; i += BATCH) {
    await platform.database.tenantTx(tenantId, async (tx) => {
      for (let k = i; k < Math.min(EVENTS, i + BATCH); k++)
        await accountService.create(tx, ctx, { name: `压测客户${round}-${k}` });
    });
  }
  const writeSeconds = (performance.now() - w0) / 1000;

  // Go: relay (fan-out) and dispatcher as the server's workers run them.
  const t0 = performance.now();
  platform.bus.resume();
  platform.bus.start();
  dispatcher.start();
  let done = Number.NaN;
  let fannedOut = Number.NaN;
  let counts: Record<string, number> = {};
  const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  /** Until every event has its delivery and none is pending (delivered, or out of attempts). */
  const settle = async () => {
    while (performance.now() - t0 < TIMEOUT_MS) {
      await new Promise((r) => setTimeout(r, 100));
      counts = await pendingOf(endpointId);
      if (Number.isNaN(fannedOut) && total(counts) >= EVENTS) fannedOut = performance.now();
      if (total(counts) >= EVENTS && !counts.pending && (receiver.accepted.size >= EVENTS || counts.failed))
        return performance.now();
    }
    return Number.NaN;
  };
  done = await settle();
  // Out of attempts: what an admin does after a long outage, "recover since" the run's start.
  const failedBefore = counts.failed ?? 0;
  let recoverSeconds: number | null = null;
  if (failedBefore > 0) {
    const r0 = performance.now();
    const since = runStart.toISOString();
    const rec = await t.request('POST', `/api/v1/webhooks/endpoints/${endpointId}/recover`, {
      token: admin,
      body: { since },
    });
    if (rec.statusCode !== 202) throw new Error(`recover: ${rec.statusCode} ${rec.body}`);
    console.log(`recover since ${since}: ${rec.body}`);
    const r1 = await settle();
    recoverSeconds = (r1 - r0) / 1000;
  }
  await dispatcher.stop();
  await platform.bus.stop();
  counts = await pendingOf(endpointId);
  const { rows } = await platform.database.query<{ n: number }>(
    'select coalesce(max(attempts), 0)::int as n from webhook_deliveries where endpoint_id = $1',
    [endpointId],
  );
  const cost = await claimCost();
  const seconds = (done - t0) / 1000;
  const w = receiver.refusedWindow;
  const out: Run = {
    mode,
    writeSeconds,
    fanOutSeconds: (fannedOut - t0) / 1000,
    seconds,
    recovered: failedBefore,
    recoverSeconds,
    delivered: receiver.accepted.size,
    duplicates: [...receiver.accepted.values()].reduce((s, n) => s + (n - 1), 0),
    requests: receiver.requests,
    pending: counts.pending ?? 0,
    failed: failedBefore,
    drainAfterRecovery: w ? (done - w.upAt) / 1000 : null,
    downSeconds: w ? (w.upAt - w.downAt) / 1000 : null,
    maxAttempts: rows[0]?.n ?? 0,
    ...cost,
  };
  console.log(mode, out);
  await receiver.close();
  // This endpoint stops receiving the next run's events.
  await t.request('PATCH', `/api/v1/webhooks/endpoints/${endpointId}`, {
    token: admin,
    body: { status: 'disabled' },
  });
  return out;
}

const baseline = await run('ok', 1);
const faulty = await run('faulty', 2);
await t.close();
await dropTemplate();

const f = (v: number | null, d = 1) => (v === null || Number.isNaN(v) ? '—' : v.toFixed(d));
const table = markdownTable(
  [
    'database',
    'receiver',
    'delivered (≥ once)',
    'duplicates',
    'requests',
    'out of attempts → recover since',
    'max attempts',
    'relay start → all fanned out',
    'relay start → all delivered',
    'events/s',
    'down for',
    'drain after recovery',
    'writes (10k creates)',
    'claim scan after the run (dead rows)',
  ],
  [baseline, faulty].map((r) => [
    dbName,
    r.mode === 'ok' ? 'always 200 (baseline)' : `30 % 503 + down once`,
    `${r.delivered} / ${EVENTS} (${((100 * r.delivered) / EVENTS).toFixed(1)} %)`,
    r.duplicates,
    r.requests,
    r.failed ? `${r.failed} → delivered ${f(r.recoverSeconds)} s after the recover call` : '0',
    r.maxAttempts,
    `${f(r.fanOutSeconds)} s`,
    `${f(r.seconds)} s`,
    f(EVENTS / r.seconds, 0),
    r.downSeconds === null ? '—' : `${f(r.downSeconds)} s`,
    r.drainAfterRecovery === null ? '—' : `${f(r.drainAfterRecovery)} s`,
    `${f(r.writeSeconds)} s`,
    `${f(r.claimMs, 2)} ms (${r.deadTuples ?? '?'})`,
  ]),
);
const lost = [baseline, faulty].filter(
  (r) => r.delivered < EVENTS || r.pending > 0 || Number.isNaN(r.seconds),
);
const body = `${table}\n\n${
  lost.length
    ? `**BENCH FAILED**: ${lost.map((r) => `${r.mode}: ${r.delivered}/${EVENTS}`).join('; ')}.\n`
    : ''
}Real server code in-process (createServer via the test harness, ${dbName}): ${EVENTS} \`accountService.create\` calls (batches of 250 per transaction, event relay held), then the event relay (fan-out) and the webhook dispatcher start as the server's workers do (relay poll 250 ms, dispatcher poll 1 s + nudge, claim 100, 16 in flight) and POST over HTTP (platform outbound client, 127.0.0.1 allowed) to a local receiver. Retry delays × ${RETRY_SCALE} (production: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h; so the ${DOWN_MS / 1000} s outage stands for ${f(DOWN_MS / 1000 / RETRY_SCALE / 3600)} h of production time, during which the first six attempts of a delivery fall). The faulty receiver answers 503 to ${FAIL_RATE * 100} % of requests (seeded) and after ${OUTAGE_AT} requests closes its port and destroys open connections for ${DOWN_MS / 1000} s (connection refused). "Delivered" counts distinct webhook-ids the receiver accepted with 200; duplicates = extra 200s for an id already accepted; "drain after recovery" = receiver listening again → every message accepted and no delivery pending; "relay start → all delivered" includes the automatic schedule only (a delivery out of attempts ends it; those are then sent again by POST /webhooks/endpoints/:id/recover since the run's start, as an admin would, and timed separately). The baseline (always-200 receiver, same ${EVENTS} events, same process) ran first.\n`;
console.log(body);
appendSection(
  `Outbound webhook delivery (${dbName})`,
  `${process.env.DATABASE_URL ? `DATABASE_URL=${process.env.DATABASE_URL} ` : ''}npx tsx bench/webhooks/delivery.bench.ts`,
  body,
);
process.exit(lost.length ? 1 : 0);
