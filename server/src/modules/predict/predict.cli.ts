/**
 * `zhongshu predict …` commands. The main CLI only needs `registerPredictCommands(program)`.
 * Handlers are exported as plain functions (returning results, throwing DataError on bad input)
 * so tests and benches run exactly the code the CLI runs.
 */
import type { Command } from 'commander';
import { type EvaluateResult, evaluateBinary } from './ml/binary-pipeline.js';
import { inferColumnTypes } from './ml/column-types.js';
import { columnIndex, isMissing, parseDateColumn, parseNumber, readCsvFile } from './ml/csv-table.js';
import { DataError } from './ml/data-error.js';
import { chooseForecaster, lastValue, movingAverage, rollingOrigin, seasonalNaive } from './ml/forecast.js';

export interface EvaluateCliOptions {
  file: string;
  target: string;
  positive?: string;
  time?: string;
  drop?: string;
  testFraction?: string | number;
}

export function runEvaluate(o: EvaluateCliOptions): EvaluateResult {
  const table = readCsvFile(o.file);
  if (table.rows.length === 0) throw new DataError('file has a header but no rows');
  const drop = o.drop
    ? o.drop
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
  for (const c of [o.target, o.time, ...drop]) if (c) columnIndex(table, c); // fail fast on typos
  const testFraction = o.testFraction === undefined ? 0.2 : Number(o.testFraction);
  return evaluateBinary(table, inferColumnTypes(table), {
    target: o.target,
    positive: o.positive,
    time: o.time,
    drop,
    testFraction,
  });
}

export type Frequency = 'week' | 'month';

export interface ForecastCliOptions {
  file: string;
  date: string;
  value: string;
  series?: string;
  freq?: Frequency;
  horizon?: string | number;
  testPeriods?: string | number;
}

export interface PeriodSeries {
  freq: Frequency;
  /** Period start (UTC ms): Monday of the week, or the 1st of the month. */
  starts: number[];
  values: number[];
}

const DAY = 86_400_000;

function periodStart(t: number, freq: Frequency): number {
  const d = new Date(t);
  if (freq === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const day = Math.floor(t / DAY) * DAY;
  return day - ((d.getUTCDay() + 6) % 7) * DAY;
}

function nextPeriod(t: number, freq: Frequency): number {
  if (freq === 'week') return t + 7 * DAY;
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * Sums `value` per period over all rows (so over all series); periods with no rows are 0.
 * The frequency defaults to week when distinct dates are ≤ 10 days apart (median), else month.
 */
export function totalSeries(
  o: Pick<ForecastCliOptions, 'file' | 'date' | 'value' | 'series' | 'freq'>,
): PeriodSeries {
  const table = readCsvFile(o.file);
  if (table.rows.length === 0) throw new DataError('file has a header but no rows');
  const dj = columnIndex(table, o.date);
  const vj = columnIndex(table, o.value);
  if (o.series) columnIndex(table, o.series); // the total sums over series; the column must still exist
  const dates = parseDateColumn(table.rows.map((r) => r[dj]));
  const raw = table.rows.map((r) => r[vj]);
  const values = raw.map((v) => (isMissing(v) ? Number.NaN : parseNumber(v)));
  const okValues = values.filter((v) => !Number.isNaN(v)).length;
  if (okValues < 0.95 * raw.filter((v) => !isMissing(v)).length || okValues === 0)
    throw new DataError(`value column "${o.value}" is not numeric`);
  if (dates.filter((d) => !Number.isNaN(d)).length < 0.95 * dates.length)
    throw new DataError(`date column "${o.date}" has unparseable dates`);
  let freq = o.freq;
  if (!freq) {
    const distinct = [...new Set(dates.filter((d) => !Number.isNaN(d)))].sort((a, b) => a - b);
    const gaps = distinct
      .slice(1)
      .map((d, i) => d - distinct[i])
      .sort((a, b) => a - b);
    freq = gaps.length && gaps[gaps.length >> 1] > 10 * DAY ? 'month' : 'week';
  }
  const sums = new Map<number, number>();
  dates.forEach((d, i) => {
    if (Number.isNaN(d) || Number.isNaN(values[i])) return;
    const p = periodStart(d, freq);
    sums.set(p, (sums.get(p) ?? 0) + values[i]);
  });
  const keys = [...sums.keys()].sort((a, b) => a - b);
  const starts: number[] = [];
  for (let p = keys[0]; p <= keys[keys.length - 1]; p = nextPeriod(p, freq)) starts.push(p);
  return { freq, starts, values: starts.map((p) => sums.get(p) ?? 0) };
}

export interface ErrorPair {
  mape: number;
  wape: number;
}

export interface ForecastEvalResult extends ErrorPair {
  freq: Frequency;
  periods: number;
  train_periods: number;
  test_periods: number;
  test_start: string;
  horizon: number;
  model: string;
  skill_vs_seasonal_naive: number | null;
  per_horizon: { horizon: number; n: number; mape: number; wape: number }[];
  baseline: { seasonal_naive: ErrorPair | null; last_value: ErrorPair; moving_average_3: ErrorPair };
  validation: { name: string; wape: number }[];
}

export function runForecastEval(o: ForecastCliOptions): ForecastEvalResult {
  const series = totalSeries(o);
  const period = series.freq === 'week' ? 52 : 12;
  const horizon = Math.max(1, Math.floor(Number(o.horizon ?? 1)));
  const n = series.values.length;
  const testPeriods = Math.floor(Number(o.testPeriods ?? Math.min(period, Math.floor(n / 3))));
  if (!(testPeriods >= 1) || n - testPeriods < 3)
    throw new DataError(`series of ${n} periods is too short for ${testPeriods} test periods`);
  const testStart = n - testPeriods;
  // Model selection uses only periods before the test window.
  const validationPeriods = Math.min(series.freq === 'week' ? 13 : 3, Math.max(1, testStart - horizon - 2));
  const choice = chooseForecaster(series.values, testStart, period, horizon, validationPeriods);
  const res = rollingOrigin(series.values, testStart, horizon, choice.chosen.forecast);
  const pick = (r: { mape: number; wape: number }) => ({ mape: r.mape, wape: r.wape });
  const snOk = testStart - horizon + 1 >= period;
  const sn = snOk ? pick(rollingOrigin(series.values, testStart, horizon, seasonalNaive(period))) : null;
  return {
    freq: series.freq,
    periods: n,
    train_periods: testStart,
    test_periods: testPeriods,
    test_start: new Date(series.starts[testStart]).toISOString().slice(0, 10),
    horizon,
    model: choice.chosen.name,
    mape: res.mape,
    wape: res.wape,
    skill_vs_seasonal_naive: sn ? 1 - res.wape / sn.wape : null,
    per_horizon: res.perHorizon,
    baseline: {
      seasonal_naive: sn,
      last_value: pick(rollingOrigin(series.values, testStart, horizon, lastValue)),
      moving_average_3: pick(rollingOrigin(series.values, testStart, horizon, movingAverage(3))),
    },
    validation: choice.validation,
  };
}

const fmt = (v: unknown): string =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v === null ? '—' : String(v);

function printTable(rows: [string, unknown][]): void {
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${fmt(v)}\n`);
}

/** Runs a handler; bad input becomes one stderr line and exit code 2 instead of a stack trace. */
function guarded<T>(fn: () => T, json: boolean | undefined, print: (r: T) => void): void {
  try {
    const result = fn();
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else print(result);
  } catch (e) {
    if (e instanceof DataError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}

export function registerPredictCommands(program: Command): Command {
  const predict = program
    .command('predict')
    .description('Lead scoring and forecast evaluation on CSV exports');

  predict
    .command('evaluate')
    .description('Time-ordered holdout evaluation of a calibrated win/convert probability model')
    .requiredOption('--file <path>', 'CSV file (comma or semicolon separated)')
    .requiredOption('--target <column>', 'binary outcome column')
    .option('--positive <value>', 'value of the target that counts as positive')
    .option('--time <column>', 'column giving time order (default: file row order)')
    .option('--drop <columns>', 'comma-separated columns to exclude from features')
    .option('--test-fraction <f>', 'last fraction of rows used as test set', '0.2')
    .option('--json', 'print one JSON object')
    .action((o: EvaluateCliOptions & { json?: boolean }) =>
      guarded(
        () => runEvaluate(o),
        o.json,
        (r) => {
          printTable([
            ['rows (train/test)', `${r.rows} (${r.train_rows}/${r.test_rows})`],
            ['model', `${r.model}, calibration ${r.calibration}`],
            ['AUC', r.auc],
            ['Brier', r.brier],
            ['log-loss', r.logloss],
            ['ECE (10 bins)', r.ece],
            ['baseline prior Brier', r.baseline.prior_brier],
            ['baseline logistic AUC', r.baseline.logistic_auc],
            ['baseline logistic Brier', r.baseline.logistic_brier],
          ]);
          process.stdout.write('top features:\n');
          for (const f of r.top_features)
            process.stdout.write(`  ${f.column.padEnd(40)} ${(100 * f.importance).toFixed(1)}%\n`);
        },
      ),
    );

  predict
    .command('forecast-eval')
    .description('Rolling-origin evaluation of the period-total forecast against naive baselines')
    .requiredOption('--file <path>', 'CSV file')
    .requiredOption('--date <column>', 'date column')
    .requiredOption('--value <column>', 'numeric value column summed per period')
    .option('--series <column>', 'series id column (the total over series is forecast)')
    .option('--freq <freq>', 'week or month (default: inferred)')
    .option('--horizon <n>', 'forecast horizons 1..n', '1')
    .option('--test-periods <k>', 'number of final periods used as test targets')
    .option('--json', 'print one JSON object')
    .action((o: ForecastCliOptions & { json?: boolean }) =>
      guarded(
        () => {
          if (o.freq && o.freq !== 'week' && o.freq !== 'month')
            throw new DataError('--freq must be week or month');
          return runForecastEval(o);
        },
        o.json,
        (r) => {
          const pct = (e: ErrorPair | null) =>
            e ? `MAPE ${e.mape.toFixed(2)}%  WAPE ${e.wape.toFixed(2)}%` : '—';
          printTable([
            [
              'periods (train/test)',
              `${r.periods} (${r.train_periods}/${r.test_periods}), ${r.freq}ly from ${r.test_start}`,
            ],
            ['horizons', `1..${r.horizon}`],
            [`model: ${r.model}`, pct(r)],
            ['baseline seasonal naive', pct(r.baseline.seasonal_naive)],
            ['baseline last value', pct(r.baseline.last_value)],
            ['baseline 3-period mean', pct(r.baseline.moving_average_3)],
            ['skill vs seasonal naive', r.skill_vs_seasonal_naive],
          ]);
        },
      ),
    );
  return program;
}
