/**
 * Protocol D: weekly total over 45 stores, rolling origin, test weeks 2011-11 … 2012-10, h = 1..13.
 * The headline model is whatever `predict forecast-eval` selects on the training window.
 * Run: npx tsx bench/predict/walmart-weekly-sales.bench.ts
 */
import { candidateForecasters, rollingOrigin } from '../../server/src/modules/predict/ml/forecast.js';
import { runForecastEval, totalSeries } from '../../server/src/modules/predict/predict.cli.js';
import { appendSection, dataDir, isMain, markdownTable, met, pct } from './bench-report.js';

export async function run(): Promise<void> {
  const file = `${dataDir('walmart-weekly-sales')}Walmart.csv`;
  const opts = { file, date: 'Date', value: 'Weekly_Sales', series: 'Store', freq: 'week' as const };
  const series = totalSeries(opts);
  const testStart = series.starts.findIndex((t) => t >= Date.UTC(2011, 10, 1));
  const testPeriods = series.values.length - testStart;
  const cli = runForecastEval({ ...opts, horizon: 13, testPeriods });
  const sn = candidateForecasters(52).find((c) => c.name === 'seasonal_naive')!;
  const snRes = rollingOrigin(series.values, testStart, 13, sn.forecast);
  const rows = candidateForecasters(52).map((c) => {
    const r = rollingOrigin(series.values, testStart, 13, c.forecast);
    return [
      c.name === cli.model ? `**${c.name} (selected on train)**` : c.name,
      pct(r.perHorizon[0].mape),
      pct(r.perHorizon[12].mape),
      pct(r.mape),
      pct(r.wape),
      pct(100 * (1 - r.wape / snRes.wape), 1),
    ];
  });
  const h1 = cli.per_horizon[0].mape;
  const snH1 = snRes.perHorizon[0].mape;
  const body = [
    `${series.values.length} weeks, test targets ${cli.test_start} … end (${testPeriods} weeks), origins rolled weekly, horizons 1–13.`,
    '',
    markdownTable(
      ['forecaster', 'MAPE h=1', 'MAPE h=13', 'MAPE all h', 'WAPE all h', 'skill vs seasonal naive (WAPE)'],
      rows,
    ),
    '',
    `Validation (train-only, last 13 weeks before the test window) WAPE: ${cli.validation.map((v) => `${v.name} ${v.wape.toFixed(2)}%`).join(', ')}.`,
    `Target: ≥15% lower MAPE than seasonal naive (h=1 ${pct(snH1)} → need ≤ ${pct(0.85 * snH1)}). Selected model h=1 ${pct(h1)}: ${met(h1 <= 0.85 * snH1)}.`,
    'Selection: rolling origin on the 13 train weeks just before the test window (horizons 1–13, WAPE), among seasonal naive,',
    'YoY-level-corrected seasonal naive (4/8/13-week ratio), damped Holt-Winters (now started from one season so it can be',
    'validated) and fixed equal-weight combinations. The chosen model is applied unchanged to the test window.',
    'Honest note: the combination candidates were added after an earlier run had shown the test-window table above; they are',
    'standard choices and the pick is still made on train-only validation, where seasonal naive wins, so it stays the result.',
  ].join('\n');
  console.log(body);
  appendSection(
    'Walmart weekly total sales forecast (protocol D)',
    'npx tsx bench/predict/walmart-weekly-sales.bench.ts',
    body,
  );
}

if (isMain(import.meta.url)) await run();
