import { describe, expect, it } from 'vitest';
import {
  candidateForecasters,
  chooseForecaster,
  holtWinters,
  lastValue,
  movingAverage,
  rollingOrigin,
  seasonalNaive,
  seasonalRatio,
} from './forecast.js';

const seasonal = (n: number, growth = 0) =>
  Array.from({ length: n }, (_, t) => (100 + growth * t) * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 12)));

describe('forecast', () => {
  it('naive forecasters return the expected values', () => {
    const h = [1, 2, 3, 4, 5, 6];
    expect(lastValue(h, 2)).toEqual([6, 6]);
    expect(movingAverage(3)(h, 1)).toEqual([5]);
    expect(seasonalNaive(4)(h, 5)).toEqual([3, 4, 5, 6, 3]);
  });

  it('seasonal ratio and Holt-Winters track a growing seasonal series better than seasonal naive', () => {
    const y = seasonal(72, 1);
    const sn = rollingOrigin(y, 48, 3, seasonalNaive(12));
    const ratio = rollingOrigin(y, 48, 3, seasonalRatio(12, 4));
    const hw = rollingOrigin(y, 48, 3, holtWinters(12, 'multiplicative'));
    expect(ratio.wape).toBeLessThan(sn.wape);
    expect(hw.wape).toBeLessThan(sn.wape / 2);
    expect(sn.perHorizon.map((p) => p.n)).toEqual([24, 24, 24]);
  });

  it('rolling origin never lets a forecaster see the target', () => {
    const y = [1, 2, 3, 4, 5, 6, 7, 8];
    const peek = (h: readonly number[], H: number) => Array.from({ length: H }, () => h.length + 1);
    // Forecast = index of target + 1 = the true value only if the history length is right.
    expect(rollingOrigin(y, 4, 2, (h, H) => peek(h, H).map((v, k) => v + k)).mape).toBe(0);
  });

  it('chooses a model using only the training window', () => {
    const y = seasonal(60);
    const choice = chooseForecaster(y, 48, 12, 1, 6);
    expect(choice.validation.length).toBeGreaterThan(2);
    expect([
      'seasonal_naive',
      'holt_winters_add_damped',
      'holt_winters_mul_damped',
      'combo_ratio13_hw_add',
    ]).toContain(choice.chosen.name.startsWith('seasonal_ratio') ? 'seasonal_naive' : choice.chosen.name);
  });

  it('offers combinations and a one-season Holt-Winters as validated candidates', () => {
    const c = candidateForecasters(12);
    const names = c.map((f) => f.name);
    expect(names).toContain('combo_naive_ratio13');
    expect(names).toContain('combo_ratios_4_8_13');
    const hw = c.find((f) => f.name === 'holt_winters_add_damped')!;
    expect(hw.minHistory).toBeLessThan(24);
    const y = seasonal(40, 1);
    const fc = hw.forecast(y.slice(0, hw.minHistory), 3);
    expect(fc.every((v) => Number.isFinite(v))).toBe(true);
    // An equal-weight combination is the mean of its parts.
    const combo = c.find((f) => f.name === 'combo_naive_ratio13')!.forecast(y, 2);
    const a = seasonalNaive(12)(y, 2);
    const b = seasonalRatio(12, 13)(y, 2);
    expect(combo[0]).toBeCloseTo((a[0] + b[0]) / 2, 9);
    // Selection only sees the training window and can now validate Holt-Winters and the combos.
    const choice = chooseForecaster(y, 38, 12, 1, 6);
    expect(choice.validation.map((v) => v.name)).toContain('holt_winters_add_damped');
  });
});
