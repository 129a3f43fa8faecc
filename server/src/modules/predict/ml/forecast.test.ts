import { describe, expect, it } from 'vitest';
import {
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
});
