/**
 * Training time (issue 5: "training on 50,000 rows must finish within 30 s on this machine").
 * A synthetic 50,000-row table with the shape of a CRM export (numeric, categorical, date and
 * free-text columns, signal in a few of them) goes through the same code path as
 * `zhongshu predict evaluate` (column typing, encoding, model choice on the validation tail,
 * calibration, refit), timed end to end. Baselines in the same run: a plain logistic
 * regression fit and one GBDT fit on the encoded 50k × 50 numeric matrix.
 * Run: npx tsx bench/predict/training-time.bench.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GradientBoostedTrees } from '../../server/src/modules/predict/ml/gbdt.model.js';
import {
  LogisticRegression,
  sigmoid,
} from '../../server/src/modules/predict/ml/logistic-regression.model.js';
import { createRng, gaussian } from '../../server/src/modules/predict/ml/random.js';
import { runEvaluate } from '../../server/src/modules/predict/predict.cli.js';
import { appendSection, isMain, markdownTable, met, num } from './bench-report.js';

const ROWS = 50_000;

function syntheticExport(file: string): void {
  const rng = createRng(7);
  const industries = ['制造', '金融', '零售', '医疗', 'Software', 'Energy', '物流', '教育'];
  const sources = ['web', 'event', 'referral', 'partner', 'outbound'];
  const lines = ['id,created,industry,source,employees,visits,pricing_views,calls,amount,note,converted'];
  const start = Date.UTC(2022, 0, 1);
  for (let i = 0; i < ROWS; i++) {
    const industry = industries[Math.floor(rng() * industries.length)];
    const source = sources[Math.floor(rng() * sources.length)];
    const employees = Math.round(Math.exp(3 + 3 * rng()));
    const visits = Math.floor(rng() * 20);
    const pricing = Math.floor(rng() * 5);
    const calls = Math.floor(rng() * 6);
    const amount = Math.round(Math.exp(10 + gaussian(rng)));
    const z =
      -2 +
      0.12 * visits +
      (pricing > 2 ? 1.1 : 0) +
      (source === 'referral' ? 0.9 : 0) +
      0.3 * calls * (industry === '金融' ? 1 : 0.3) +
      0.2 * gaussian(rng);
    const y = rng() < sigmoid(z) ? 1 : 0;
    const created = new Date(start + i * 30 * 60_000).toISOString().slice(0, 10);
    const note = rng() < 0.5 ? '"客户询价, 需要报价"' : 'follow up';
    lines.push(
      [i + 1, created, industry, source, employees, visits, pricing, calls, amount, note, y].join(','),
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'zs-train-bench-'));
  const file = join(dir, 'export.csv');
  try {
    syntheticExport(file);
    let t0 = performance.now();
    const result = runEvaluate({ file, target: 'converted', time: 'created', drop: 'id' });
    const pipelineSeconds = (performance.now() - t0) / 1000;

    const rng = createRng(21);
    const F = 50;
    const cols = Array.from({ length: F }, () => Float64Array.from({ length: ROWS }, () => gaussian(rng)));
    const y = Array.from({ length: ROWS }, (_, i) =>
      rng() < sigmoid(cols[0][i] - 0.8 * cols[1][i] + (cols[2][i] > 0.5 ? 1.2 : 0) + cols[3][i] * cols[4][i])
        ? 1
        : 0,
    );
    t0 = performance.now();
    const gbdt = new GradientBoostedTrees({ seed: 1, nEstimators: 300 }).fit({ cols, y });
    const gbdtSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    new LogisticRegression().fit(cols, y);
    const lrSeconds = (performance.now() - t0) / 1000;

    const body = [
      markdownTable(
        ['what (50,000 rows)', 'seconds', 'notes'],
        [
          [
            '`predict evaluate` pipeline (typing, encoding, model choice, calibration, refit)',
            pipelineSeconds.toFixed(1),
            `train ${result.train_rows}, test ${result.test_rows}, AUC ${num(result.auc)} (logistic ${num(result.baseline.logistic_auc)})`,
          ],
          [
            'GBDT fit, 50 numeric features, ≤ 300 trees',
            gbdtSeconds.toFixed(1),
            `${gbdt.trees.length} trees`,
          ],
          ['baseline: logistic regression fit, same matrix', lrSeconds.toFixed(1), ''],
        ],
      ),
      '',
      `Target: training on 50,000 rows ≤ 30 s ${met(pipelineSeconds <= 30 && gbdtSeconds <= 30)}.`,
    ].join('\n');
    console.log(body);
    appendSection('Training time on 50,000 rows', 'npx tsx bench/predict/training-time.bench.ts', body);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await run();
