import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createRng } from './ml/random.js';
import { registerPredictCommands, runEvaluate, runForecastEval } from './predict.cli.js';

const run = promisify(execFile);
const entry = fileURLToPath(new URL('./predict.cli.entry.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'zs-predict-cli-'));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Leads export: semicolon-separated, BOM, CRLF, M/D/YYYY dates, "Select" placeholders. */
function leadsCsv(n: number): string {
  const rng = createRng(4);
  const lines = ['\uFEFFLead ID;Created;Source;Visits;Time on site;Industry;Won'];
  for (let i = 0; i < n; i++) {
    const source = ['Google', 'Referral', 'Direct', 'Event'][Math.floor(rng() * 4)];
    const visits = Math.floor(rng() * 10);
    const time = Math.floor(rng() * 2000);
    const z = -2 + 0.002 * time + (source === 'Referral' ? 1.5 : 0) + 0.1 * visits;
    const won = rng() < 1 / (1 + Math.exp(-z)) ? 'Yes' : 'No';
    const industry = rng() < 0.2 ? 'Select' : ['"Retail; online"', 'Manufacturing', 'Services'][i % 3];
    const month = 1 + Math.floor((i / n) * 12);
    lines.push(
      [`L${1000 + i}`, `${month}/${1 + (i % 28)}/2023`, source, visits, time, industry, won].join(';'),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

function weeklyCsv(): string {
  const lines = ['store,week,sales'];
  const start = Date.UTC(2020, 0, 3);
  for (let w = 0; w < 150; w++) {
    const d = new Date(start + w * 7 * 86_400_000);
    const ds = `${String(d.getUTCDate()).padStart(2, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${d.getUTCFullYear()}`;
    for (const s of [1, 2])
      lines.push(`${s},${ds},${(1000 + 5 * w) * (1 + 0.2 * Math.sin((2 * Math.PI * w) / 52)) * s}`);
  }
  return lines.join('\n');
}

describe('predict CLI handlers', () => {
  it('evaluate returns metrics, baselines and top features on a generic export', () => {
    const file = write('leads.csv', leadsCsv(1500));
    const r = runEvaluate({ file, target: 'Won', time: 'Created' });
    expect(r.rows).toBe(1500);
    expect(r.train_rows + r.test_rows).toBe(1500);
    expect(r.auc).toBeGreaterThan(0.7);
    expect(r.brier).toBeLessThan(r.baseline.prior_brier);
    expect(r.baseline.logistic_auc).toBeGreaterThan(0.7);
    expect(r.top_features[0].column).toBe('Time on site');
    expect(r.columns.find((c) => c.name === 'Lead ID')?.kind).toBe('id');
  });

  it('forecast-eval aggregates over series and reports baselines', () => {
    const file = write('weekly.csv', weeklyCsv());
    const r = runForecastEval({
      file,
      date: 'week',
      value: 'sales',
      series: 'store',
      horizon: 4,
      testPeriods: 26,
    });
    expect(r.freq).toBe('week');
    expect(r.periods).toBe(150);
    expect(r.per_horizon).toHaveLength(4);
    expect(r.baseline.seasonal_naive).not.toBeNull();
    expect(r.wape).toBeLessThan(r.baseline.last_value.wape);
  });

  it('registerPredictCommands adds a predict group with both subcommands', () => {
    const program = registerPredictCommands(new Command());
    const predict = program.commands.find((c) => c.name() === 'predict');
    expect(predict?.commands.map((c) => c.name()).sort()).toEqual(['evaluate', 'forecast-eval']);
  });
});

describe('predict CLI process', () => {
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', entry, 'predict', ...args]).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );

  it('prints one JSON object with --json', async () => {
    const file = write('leads2.csv', leadsCsv(600));
    const r = await cli('evaluate', '--file', file, '--target', 'Won', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    for (const k of [
      'rows',
      'train_rows',
      'test_rows',
      'auc',
      'brier',
      'logloss',
      'ece',
      'baseline',
      'top_features',
    ])
      expect(out).toHaveProperty(k);
    expect(out.baseline).toHaveProperty('prior_brier');
    expect(out.baseline).toHaveProperty('logistic_auc');
  });

  it('exits 2 with a one-line error for bad inputs', async () => {
    const leads = write('leads3.csv', leadsCsv(300));
    const cases: string[][] = [
      ['evaluate', '--file', join(dir, 'missing.csv'), '--target', 'Won'],
      ['evaluate', '--file', leads, '--target', 'Nope'],
      ['evaluate', '--file', write('empty.csv', ''), '--target', 'Won'],
      [
        'evaluate',
        '--file',
        write('oneclass.csv', `a,y\n${Array.from({ length: 100 }, (_, i) => `${i},1`).join('\n')}`),
        '--target',
        'y',
      ],
      [
        'forecast-eval',
        '--file',
        write('text.csv', 'd,v\n2020-01-01,abc\n2020-02-01,def\n'),
        '--date',
        'd',
        '--value',
        'v',
      ],
    ];
    for (const args of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^error: /);
    }
  });

  it('prints a readable table without --json', async () => {
    const r = await cli(
      'forecast-eval',
      '--file',
      write('weekly2.csv', weeklyCsv()),
      '--date',
      'week',
      '--value',
      'sales',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/baseline seasonal naive\s+MAPE/);
  });
});
