/**
 * API fuzzer, full run (issue 8): the real server (test harness: two tenants, a user per role) on
 * PGlite and/or PostgreSQL; every operation in /openapi.json gets ≥ 50 malformed variants drawn
 * with fast-check (see server/src/platform/http/fuzz-engine.ts), as tenant A's admin and, in some
 * variants, without or with bad credentials. Fails (exit 1) on any 5xx or any row written by a
 * rejected (4xx) request; prints a table and appends it to BENCHMARKS.md.
 * Usage: npx tsx bench/security/fuzz.bench.ts [--db pglite|postgres|both] [--per-route 50] [--seed 8]
 */
import { parseArgs } from 'node:util';
import { runFuzz } from '../../server/src/platform/http/fuzz-target.js';
import { startTestServer } from '../../server/test/harness.js';
import { dropTemplate, prepareTemplate } from '../../server/test/test-database.js';
import { appendSection, markdownTable, PG_ADMIN_URL } from '../crm/lib.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    'per-route': { type: 'string', default: '50' },
    seed: { type: 'string', default: '8' },
  },
});
const perRoute = Number(values['per-route']);
const seed = Number(values.seed);
const dbs = values.db === 'both' ? ['pglite', 'postgres'] : [values.db as string];

const rows: (string | number)[][] = [];
const findings: string[] = [];
let failed = false;
for (const db of dbs) {
  process.env.DATABASE_URL = db === 'postgres' ? PG_ADMIN_URL : '';
  await prepareTemplate();
  const t = await startTestServer();
  try {
    let done = 0;
    const run = await runFuzz(t, {
      perRoute,
      seed,
      onRoute: (s) => {
        done++;
        if (s.serverErrors || s.writesOnReject || done % 20 === 0)
          console.log(`[${db}] ${done} routes … ${s.route}: ${s.rejected} rejected, ${s.serverErrors} 5xx`);
      },
    });
    rows.push([
      db,
      run.routes,
      perRoute,
      run.requests,
      run.ok,
      run.rejected,
      run.serverErrors,
      run.writesOnReject,
      `${(run.ms / 1000).toFixed(1)} s`,
    ]);
    for (const f of run.findings.slice(0, 30))
      findings.push(`- ${db}: ${f.kind} ${f.status} \`${f.method} ${f.url.slice(0, 120)}\` (${f.variant})`);
    if (run.serverErrors || run.writesOnReject) failed = true;
    if (run.skipped.length) console.log(`skipped: ${run.skipped.join(', ')}`);
  } finally {
    await t.close();
    await dropTemplate();
  }
}

const table = markdownTable(
  [
    'database',
    'routes',
    'variants per route',
    'requests',
    '2xx',
    '4xx',
    '5xx',
    'rows written by a 4xx',
    'time',
  ],
  rows,
);
console.log(table);
if (findings.length) console.log(findings.join('\n'));
const body = [
  table,
  '',
  `Seed ${seed}. Every operation of /openapi.json except GET /api/v1/live (an open event stream); variants: wrong types, null, missing and extra fields (incl. \`__proto__\`, \`tenant_id\`), huge strings (100 kB–1 MB), deep nesting (33–20,000 levels), NUL, unpaired surrogates, numeric edges, impossible dates (2026-02-30, 2026-13-01, 2026-Q5), injection strings, prototype keys, malformed query params and cursors, bad path ids, broken JSON, form/text content types, no or bad credentials. Rows are counted over every table after each request (after the event relay settles); a 4xx must leave the count unchanged.`,
  ...(findings.length
    ? ['', 'Findings:', ...findings]
    : ['', 'Findings: none (5xx = 0, no row written by a rejected request).']),
].join('\n');
appendSection(
  `API fuzzer (${perRoute} malformed variants per route)`,
  `npx tsx bench/security/fuzz.bench.ts --db ${values.db} --per-route ${perRoute} --seed ${seed}`,
  body,
);
process.exitCode = failed ? 1 : 0;
