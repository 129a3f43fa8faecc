/**
 * `npm start` on an existing PGlite data dir → first 200 from GET /healthz. A first start creates
 * the data dir (migrate + demo seed) and is not measured; then 5 restarts each of `npm start` and
 * `node scripts/start.mjs`. Baselines in the same run: `node -e ''` and `zhongshu --help` (tsx +
 * the CLI's module graph, no database).
 *
 *   npx tsx bench/crm/startup.bench.ts
 *
 * web/dist must exist (run `npm run build -w web` once) so no start builds the web app.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendSection, CLI, freePort, markdownTable, met, ROOT, spawnServer, waitHealthy } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function startOnce(cmd: string, args: string[], dataDir: string) {
  const port = await freePort();
  const t0 = performance.now();
  const s = spawnServer(cmd, args, {
    ZHONGSHU_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: '',
  });
  try {
    const ms = await waitHealthy(s.url, t0, 300_000, 10, s.proc);
    // give the "ready in" line a moment to flush
    await new Promise((r) => setTimeout(r, 100));
    const ready = Number(/ready in (\d+) ms/.exec(s.output())?.[1] ?? Number.NaN);
    return { ms, ready };
  } finally {
    await s.stop();
  }
}

function timeSync(cmd: string, args: string[]) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return performance.now() - t0;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s.at(-1)! };
};

async function main() {
  const webDist = join(ROOT, 'web', 'dist', 'index.html');
  if (existsSync(join(ROOT, 'web', 'package.json')) && !existsSync(webDist))
    throw new Error('web/dist is missing: run `npm run build -w web` first so restarts do not build it');
  const tmp = mkdtempSync(join(tmpdir(), 'zs-bench-start-'));
  const dataDir = join(tmp, 'data');
  try {
    const first = await startOnce('npm', ['start'], dataDir);
    console.log(`first start (migrate + demo seed): ${(first.ms / 1000).toFixed(2)} s`);
    const runs: Record<string, { ms: number[]; ready: number[] }> = {
      'npm start': { ms: [], ready: [] },
      'node scripts/start.mjs': { ms: [], ready: [] },
    };
    for (let i = 0; i < RUNS; i++) {
      for (const [label, [cmd, args]] of [
        ['npm start', ['npm', ['start']]],
        ['node scripts/start.mjs', [process.execPath, [join(ROOT, 'scripts', 'start.mjs')]]],
      ] as [string, [string, string[]]][]) {
        const r = await startOnce(cmd, args, dataDir);
        runs[label].ms.push(r.ms);
        runs[label].ready.push(r.ready);
        console.log(
          `${label} run ${i + 1}: ${(r.ms / 1000).toFixed(2)} s to 200 (server says ready in ${r.ready} ms)`,
        );
      }
    }
    const nodeBare = stats([0, 1, 2].map(() => timeSync(process.execPath, ['-e', ''])));
    const cliHelp = stats([0, 1, 2].map(() => timeSync(process.execPath, [CLI, '--help'])));
    const rows: (string | number)[][] = Object.entries(runs).map(([label, r]) => {
      const s = stats(r.ms);
      const ready = stats(r.ready);
      return [
        `\`${label}\` → 200 /healthz`,
        (s.min / 1000).toFixed(2),
        (s.median / 1000).toFixed(2),
        (s.max / 1000).toFixed(2),
        `${(ready.median / 1000).toFixed(2)} s inside \`start\` (createServer → listen)`,
      ];
    });
    rows.push([
      "baseline: `node -e ''`",
      ...[nodeBare.min, nodeBare.median, nodeBare.max].map((v) => (v / 1000).toFixed(2)),
      '3 runs',
    ]);
    rows.push([
      'baseline: `zhongshu --help` (tsx + CLI module graph, no DB)',
      ...[cliHelp.min, cliHelp.median, cliHelp.max].map((v) => (v / 1000).toFixed(2)),
      '3 runs',
    ]);
    const npmMedian = stats(runs['npm start'].ms).median / 1000;
    const body = [
      `Existing PGlite data dir (created by a first \`npm start\`: ${(first.ms / 1000).toFixed(1)} s incl. migrate + demo seed, not counted). web/dist present (no web build). Default env except PORT, HOST=127.0.0.1, ZHONGSHU_DATA_DIR; time from spawn to the first 200 of GET /healthz (polled every 10 ms); ${RUNS} restarts each, alternating.`,
      '',
      markdownTable(['command', 'min s', 'median s', 'max s', 'notes'], rows),
      '',
      `Target ≤ 3 s (npm start, median): ${met(npmMedian <= 3)} (${npmMedian.toFixed(2)} s; max ${(stats(runs['npm start'].ms).max / 1000).toFixed(2)} s).`,
    ].join('\n');
    console.log(`\n${body}\n`);
    appendSection(
      'CRM startup: npm start on an existing PGlite data dir',
      'npx tsx bench/crm/startup.bench.ts',
      body,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
