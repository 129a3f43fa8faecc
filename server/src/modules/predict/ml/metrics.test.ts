import { describe, expect, it } from 'vitest';
import { auc, brier, ece, logLoss, mape, reliabilityBins, wape } from './metrics.js';
import { createRng } from './random.js';

describe('metrics', () => {
  it('AUC is 1 for a perfect scorer, 0 for a reversed one, 0.5 for constant scores', () => {
    const y = [0, 0, 1, 1, 0, 1];
    const s = [0.1, 0.2, 0.8, 0.9, 0.3, 0.7];
    expect(auc(y, s)).toBe(1);
    expect(
      auc(
        y,
        s.map((v) => -v),
      ),
    ).toBe(0);
    expect(
      auc(
        y,
        y.map(() => 0.5),
      ),
    ).toBe(0.5);
  });

  it('AUC of random scores is close to 0.5 and NaN with one class', () => {
    const rng = createRng(1);
    const y = Array.from({ length: 20000 }, () => (rng() < 0.3 ? 1 : 0));
    expect(
      Math.abs(
        auc(
          y,
          y.map(() => rng()),
        ) - 0.5,
      ),
    ).toBeLessThan(0.02);
    expect(auc([1, 1], [0.2, 0.4])).toBeNaN();
  });

  it('AUC counts tied pairs as half', () => {
    expect(auc([0, 1, 0, 1], [0.5, 0.5, 0.1, 0.9])).toBeCloseTo(0.875, 10);
  });

  it('Brier and log-loss match hand computations', () => {
    expect(brier([1, 0], [0.8, 0.4])).toBeCloseTo((0.04 + 0.16) / 2, 12);
    expect(logLoss([1, 0], [0.8, 0.4])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 12);
    expect(Number.isFinite(logLoss([1], [0]))).toBe(true);
  });

  it('ECE is 0 for perfectly calibrated bins and the gap otherwise', () => {
    // Bin [0.2,0.3): 10 rows at 0.25 with 25%… use 4 rows, 1 positive → exact.
    const y = [1, 0, 0, 0, 1, 1, 1, 0];
    const p = [0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75];
    expect(ece(y, p)).toBeCloseTo(0, 12);
    // Everyone predicted 0.9 but only half positive → gap 0.4.
    expect(ece([1, 0, 1, 0], [0.9, 0.9, 0.9, 0.9])).toBeCloseTo(0.4, 12);
  });

  it('reliability bins put p = 1 in the last bin and keep empty bins', () => {
    const bins = reliabilityBins([1, 0], [1, 0]);
    expect(bins).toHaveLength(10);
    expect(bins[9].count).toBe(1);
    expect(bins[0].count).toBe(1);
    expect(bins[5].count).toBe(0);
  });

  it('MAPE skips zero actuals; WAPE weights by volume', () => {
    expect(mape([100, 200, 0], [110, 180, 5])).toBeCloseTo(10, 10);
    expect(wape([100, 300], [110, 270])).toBeCloseTo(10, 10);
  });
});
