/**
 * Protocol B: Olist MQL → won within 180 days. Train first_contact_date < 2018-03-01, test
 * 2018-03-01 … 2018-05-31; variant trained on Jan–Feb 2018 only. Features: origin, landing page,
 * calendar (weekday/day of month via the date encoder; month is dropped because test months never
 * occur in train). Closed-deal columns are outcomes and are only used for the label.
 * Run: npx tsx bench/predict/olist-marketing-funnel.bench.ts
 */
import { type EvaluateResult, evaluateBinary } from '../../server/src/modules/predict/ml/binary-pipeline.js';
import { inferColumnTypes } from '../../server/src/modules/predict/ml/column-types.js';
import {
  type CsvTable,
  columnValues,
  parseDateColumn,
  readCsvFile,
} from '../../server/src/modules/predict/ml/csv-table.js';
import { auc, brier, ece } from '../../server/src/modules/predict/ml/metrics.js';
import { appendSection, dataDir, isMain, markdownTable, met, num } from './bench-report.js';

const DAY = 86_400_000;

export async function run(): Promise<void> {
  const dir = dataDir('olist-marketing-funnel');
  const mql = readCsvFile(`${dir}olist_marketing_qualified_leads_dataset.csv`);
  const deals = readCsvFile(`${dir}olist_closed_deals_dataset.csv`);
  const wonAt = new Map<string, number>();
  const wonDates = parseDateColumn(columnValues(deals, 'won_date'));
  columnValues(deals, 'mql_id').forEach((id, i) => wonAt.set(id, wonDates[i]));
  const contact = parseDateColumn(columnValues(mql, 'first_contact_date'));
  const ids = columnValues(mql, 'mql_id');
  const weekday = contact.map(
    (t) => ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(t).getUTCDay()],
  );
  // The label and a lead-time weekday feature; everything else in closed_deals is an outcome.
  const table: CsvTable = {
    ...mql,
    columns: ['origin', 'landing_page_id', 'contact_weekday', 'won_180d'],
    rows: mql.rows.map((r, i) => {
      const w = wonAt.get(ids[i]);
      const label = w !== undefined && w - contact[i] <= 180 * DAY ? '1' : '0';
      return [r[mql.columns.indexOf('origin')], r[mql.columns.indexOf('landing_page_id')], weekday[i], label];
    }),
  };
  const types = inferColumnTypes(table);
  const order = contact.map((_, i) => i).sort((a, b) => contact[a] - contact[b] || a - b);
  const cut = Date.UTC(2018, 2, 1);
  const train = order.filter((i) => contact[i] < cut);
  const test = order.filter((i) => contact[i] >= cut && contact[i] < Date.UTC(2018, 5, 1));
  const trainJanFeb = train.filter((i) => contact[i] >= Date.UTC(2018, 0, 1));
  const y = table.rows.map((r) => Number(r[3]));
  const yTest = test.map((i) => y[i]);

  const runs: [string, EvaluateResult][] = [
    [
      'train < 2018-03 (headline)',
      evaluateBinary(table, types, { target: 'won_180d', split: { train, test } }),
    ],
    [
      'train Jan–Feb 2018 only',
      evaluateBinary(table, types, { target: 'won_180d', split: { train: trainJanFeb, test } }),
    ],
  ];
  // Origin-level conversion rate baseline (smoothed toward the train prior), per training window.
  const originBaseline = (rows: number[]) => {
    const prior = rows.reduce((s, i) => s + y[i], 0) / rows.length;
    const stats = new Map<string, { n: number; s: number }>();
    for (const i of rows) {
      const o = table.rows[i][0];
      const e = stats.get(o) ?? { n: 0, s: 0 };
      e.n++;
      e.s += y[i];
      stats.set(o, e);
    }
    const p = test.map((i) => {
      const e = stats.get(table.rows[i][0]);
      return e ? (e.s + 10 * prior) / (e.n + 10) : prior;
    });
    return { auc: auc(yTest, p), brier: brier(yTest, p), ece: ece(yTest, p) };
  };
  const lines: (string | number)[][] = [];
  for (const [name, r] of runs) {
    const rows = name.startsWith('train Jan') ? trainJanFeb : train;
    const ob = originBaseline(rows);
    lines.push(
      [`${name}: model`, `${r.model} (${r.calibration})`, r.train_rows, num(r.auc), num(r.brier), num(r.ece)],
      [
        `${name}: constant prior`,
        '—',
        r.train_rows,
        '0.5000',
        num(r.baseline.prior_brier),
        num(Math.abs(r.train_positive_rate - r.positiveRate)),
      ],
      [`${name}: origin conversion rate`, '—', r.train_rows, num(ob.auc), num(ob.brier), num(ob.ece)],
      [
        `${name}: logistic regression`,
        'L2 λ=1',
        r.train_rows,
        num(r.baseline.logistic_auc),
        num(r.baseline.logistic_brier),
        num(r.baseline.logistic_ece),
      ],
    );
  }
  const h = runs[0][1];
  const body = [
    `Test: ${h.test_rows} leads, positive rate ${(100 * h.positiveRate).toFixed(1)}%. Label: won_date within 180 days of first contact.`,
    '',
    markdownTable(['run', 'model', 'train rows', 'AUC', 'Brier', 'ECE'], lines),
    '',
    `Targets (headline run): AUC ≥ 0.72 ${met(h.auc >= 0.72)} (${num(h.auc)}); ECE ≤ 0.03 ${met(h.ece <= 0.03)} (${num(h.ece)}).`,
    `Top features: ${h.top_features.map((f) => `${f.column} ${(100 * f.importance).toFixed(0)}%`).join(', ')}.`,
    'Calibration is fit on the last 20% of the train window (mostly Jan–Feb 2018), which absorbs the 2017→2018 conversion jump.',
    'Tried: LR L2 grid (+ numeric step indicators), six GBDT shapes, blend weight chosen on the tail, target/one-hot encodings of landing page and origin, Jan–Feb-only training. With only',
    'origin, landing page and contact weekday known at lead time, AUC stays near the logistic baseline.',
    'A generic `predict evaluate` run on the raw MQL file is not meaningful: the label needs the join with closed_deals.',
  ].join('\n');
  console.log(body);
  appendSection(
    'Olist marketing funnel — MQL conversion (protocol B)',
    'npx tsx bench/predict/olist-marketing-funnel.bench.ts',
    body,
  );
}

if (isMain(import.meta.url)) await run();
