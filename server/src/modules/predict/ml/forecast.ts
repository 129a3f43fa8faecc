/**
 * Forecasting for regular weekly/monthly totals: naive baselines, Holt-Winters with damped trend
 * (parameters by grid search on one-step errors of the training window), a seasonal-naive
 * forecast corrected by the recent year-over-year ratio, and rolling-origin evaluation.
 *
 * A Forecaster sees only history (values up to and including the origin) and returns forecasts
 * for steps 1..H, so rolling-origin evaluation cannot leak future values by construction.
 */
import { mape, wape } from './metrics.js';

export type Forecaster = (history: readonly number[], horizon: number) => number[];

export interface NamedForecaster {
  name: string;
  /** Shortest history the method needs; shorter histories fall back to last value. */
  minHistory: number;
  forecast: Forecaster;
}

export const lastValue: Forecaster = (h, H) => new Array(H).fill(h[h.length - 1]);

export function movingAverage(window: number): Forecaster {
  return (h, H) => {
    const w = h.slice(-window);
    return new Array(H).fill(w.reduce((a, b) => a + b, 0) / w.length);
  };
}

/** Value from one season before each target period (for horizons beyond a season, two seasons back). */
export function seasonalNaive(period: number): Forecaster {
  return (h, H) =>
    Array.from({ length: H }, (_, k) => {
      let idx = h.length + k - period;
      while (idx >= h.length) idx -= period;
      return h[Math.max(0, idx)];
    });
}

/**
 * Seasonal naive × (sum of the last `window` periods / sum of the same periods a season earlier).
 * Keeps the seasonal shape of last year (holiday peaks) but moves it to this year's level.
 */
export function seasonalRatio(period: number, window: number): Forecaster {
  const sn = seasonalNaive(period);
  return (h, H) => {
    const n = h.length;
    let recent = 0;
    let before = 0;
    for (let t = n - window; t < n; t++) {
      recent += h[t];
      before += h[t - period];
    }
    const ratio = before > 0 ? recent / before : 1;
    return sn(h, H).map((v) => v * ratio);
  };
}

export interface HoltWintersParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  seasonal: 'additive' | 'multiplicative';
}

interface HwState {
  level: number;
  trend: number;
  season: number[];
  sse: number;
}

function runHoltWinters(y: readonly number[], m: number, p: HoltWintersParams): HwState {
  const mult = p.seasonal === 'multiplicative';
  const first = y.slice(0, m);
  let level = first.reduce((a, b) => a + b, 0) / m;
  let trend = 0;
  if (y.length >= 2 * m) trend = (y.slice(m, 2 * m).reduce((a, b) => a + b, 0) / m - level) / m;
  const season = first.map((v) => (mult ? v / level : v - level));
  let sse = 0;
  for (let t = m; t < y.length; t++) {
    const s = season[t % m];
    const fit = mult ? (level + p.phi * trend) * s : level + p.phi * trend + s;
    sse += (y[t] - fit) ** 2;
    const prevLevel = level;
    level = p.alpha * (mult ? y[t] / s : y[t] - s) + (1 - p.alpha) * (level + p.phi * trend);
    trend = p.beta * (level - prevLevel) + (1 - p.beta) * p.phi * trend;
    season[t % m] = p.gamma * (mult ? y[t] / level : y[t] - level) + (1 - p.gamma) * s;
  }
  return { level, trend, season, sse };
}

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.8];
const BETAS = [0, 0.02, 0.1, 0.3];
const GAMMAS = [0, 0.05, 0.15, 0.3];
const PHIS = [0.8, 0.9, 0.98];

/** Grid search on in-sample one-step SSE (after the first season, which seeds the state). */
export function fitHoltWinters(
  y: readonly number[],
  m: number,
  seasonal: HoltWintersParams['seasonal'],
): HoltWintersParams {
  let best: HoltWintersParams = { alpha: 0.2, beta: 0, gamma: 0.1, phi: 0.9, seasonal };
  let bestSse = Number.POSITIVE_INFINITY;
  for (const alpha of ALPHAS)
    for (const beta of BETAS)
      for (const gamma of GAMMAS)
        for (const phi of PHIS) {
          const p = { alpha, beta, gamma, phi, seasonal };
          const { sse } = runHoltWinters(y, m, p);
          if (sse < bestSse) {
            bestSse = sse;
            best = p;
          }
        }
  return best;
}

export function holtWinters(period: number, seasonal: HoltWintersParams['seasonal']): Forecaster {
  return (h, H) => {
    const p = fitHoltWinters(h, period, seasonal);
    const st = runHoltWinters(h, period, p);
    const n = h.length;
    let damp = 0;
    return Array.from({ length: H }, (_, k) => {
      damp += p.phi ** (k + 1);
      const s = st.season[(n + k) % period];
      const base = st.level + damp * st.trend;
      return seasonal === 'multiplicative' ? base * s : base + s;
    });
  };
}

/** Equal-weight average of forecasters: combining differently-biased methods is a robust default. */
export function combine(...parts: Forecaster[]): Forecaster {
  return (h, H) => {
    const fcs = parts.map((f) => f(h, H));
    return Array.from({ length: H }, (_, k) => fcs.reduce((s, fc) => s + fc[k], 0) / fcs.length);
  };
}

export function candidateForecasters(period: number): NamedForecaster[] {
  // Holt-Winters can start from a single season (trend starts at 0); it needs a few more periods
  // after the first season to fit its smoothing parameters.
  const hwMin = period + Math.max(8, Math.ceil(period / 4));
  return [
    { name: 'last_value', minHistory: 1, forecast: lastValue },
    { name: 'moving_average_3', minHistory: 3, forecast: movingAverage(3) },
    { name: 'seasonal_naive', minHistory: period, forecast: seasonalNaive(period) },
    ...[4, 8, 13].map((w) => ({
      name: `seasonal_ratio_${w}`,
      minHistory: period + w,
      forecast: seasonalRatio(period, w),
    })),
    { name: 'holt_winters_add_damped', minHistory: hwMin, forecast: holtWinters(period, 'additive') },
    {
      name: 'holt_winters_mul_damped',
      minHistory: hwMin,
      forecast: holtWinters(period, 'multiplicative'),
    },
    // Equal-weight combinations (fixed a priori, not fitted): averaging differently-biased methods
    // is the classic robust choice when a short validation window cannot separate them.
    {
      name: 'combo_naive_ratio13',
      minHistory: period + 13,
      forecast: combine(seasonalNaive(period), seasonalRatio(period, 13)),
    },
    {
      name: 'combo_ratios_4_8_13',
      minHistory: period + 13,
      forecast: combine(seasonalRatio(period, 4), seasonalRatio(period, 8), seasonalRatio(period, 13)),
    },
    {
      name: 'combo_naive_ratio13_hw_add',
      minHistory: Math.max(hwMin, period + 13),
      forecast: combine(seasonalNaive(period), seasonalRatio(period, 13), holtWinters(period, 'additive')),
    },
    {
      name: 'combo_ratio13_hw_add',
      minHistory: Math.max(hwMin, period + 13),
      forecast: combine(seasonalRatio(period, 13), holtWinters(period, 'additive')),
    },
  ];
}

export interface HorizonScore {
  horizon: number;
  n: number;
  mape: number;
  wape: number;
}

export interface RollingOriginResult {
  /** Over all (target period, horizon) pairs. */
  mape: number;
  wape: number;
  perHorizon: HorizonScore[];
}

/**
 * Rolling-origin evaluation: every target period t in [testStart, series end) is forecast from
 * every origin t−h (h = 1..H) using only y[0..t−h]. Scores are reported per horizon and pooled.
 */
export function rollingOrigin(
  y: readonly number[],
  testStart: number,
  horizon: number,
  forecaster: Forecaster,
): RollingOriginResult {
  const actual: number[][] = Array.from({ length: horizon }, () => []);
  const pred: number[][] = Array.from({ length: horizon }, () => []);
  const firstOrigin = Math.max(1, testStart - horizon + 1);
  for (let origin = firstOrigin; origin < y.length; origin++) {
    // origin = number of observed periods; forecasts target indices origin .. origin+H−1.
    const fc = forecaster(y.slice(0, origin), horizon);
    for (let k = 0; k < horizon; k++) {
      const t = origin + k;
      if (t < testStart || t >= y.length) continue;
      actual[k].push(y[t]);
      pred[k].push(fc[k]);
    }
  }
  const perHorizon = actual.map((a, k) => ({
    horizon: k + 1,
    n: a.length,
    mape: mape(a, pred[k]),
    wape: wape(a, pred[k]),
  }));
  return { mape: mape(actual.flat(), pred.flat()), wape: wape(actual.flat(), pred.flat()), perHorizon };
}

export interface AutoForecastChoice {
  chosen: NamedForecaster;
  validation: { name: string; wape: number }[];
}

/**
 * Picks the forecaster with the lowest rolling-origin WAPE on the `validationPeriods` just before
 * `trainEnd` (same horizons), i.e. only on the training window.
 */
export function chooseForecaster(
  y: readonly number[],
  trainEnd: number,
  period: number,
  horizon: number,
  validationPeriods: number,
): AutoForecastChoice {
  const train = y.slice(0, trainEnd);
  const valStart = trainEnd - validationPeriods;
  const validation = candidateForecasters(period)
    .filter((c) => valStart - horizon + 1 >= c.minHistory)
    .map((c) => ({ c, wape: rollingOrigin(train, valStart, horizon, c.forecast).wape }));
  if (validation.length === 0) {
    const fallback = candidateForecasters(period)[0];
    return { chosen: fallback, validation: [] };
  }
  const best = validation.reduce((a, b) => (b.wape < a.wape ? b : a));
  return { chosen: best.c, validation: validation.map((v) => ({ name: v.c.name, wape: v.wape })) };
}
