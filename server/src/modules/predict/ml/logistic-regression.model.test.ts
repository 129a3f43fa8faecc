import { describe, expect, it } from 'vitest';
import { LogisticRegression, sigmoid } from './logistic-regression.model.js';
import { createRng, gaussian } from './random.js';

describe('LogisticRegression', () => {
  it('recovers known coefficients on synthetic data', () => {
    const rng = createRng(11);
    const n = 20000;
    const beta = [1.5, -2, 0];
    const cols = beta.map(() => Float64Array.from({ length: n }, () => gaussian(rng)));
    const y = Array.from({ length: n }, (_, i) =>
      rng() < sigmoid(-0.5 + beta.reduce((s, b, j) => s + b * cols[j][i], 0)) ? 1 : 0,
    );
    const m = new LogisticRegression({ l2: 0.01 }).fit(cols, y);
    expect(m.intercept).toBeCloseTo(-0.5, 1);
    beta.forEach((b, j) => expect(Math.abs(m.coef[j] - b)).toBeLessThan(0.1));
    expect(m.iterations).toBeLessThan(15);
  });

  it('shrinks coefficients under strong L2 and handles separable data without blowing up', () => {
    const x = Float64Array.from([-2, -1, 1, 2]);
    const y = [0, 0, 1, 1];
    const weak = new LogisticRegression({ l2: 0.1 }).fit([x], y);
    const strong = new LogisticRegression({ l2: 100 }).fit([x], y);
    expect(Number.isFinite(weak.coef[0])).toBe(true);
    expect(Math.abs(strong.coef[0])).toBeLessThan(Math.abs(weak.coef[0]));
    const contrib = weak.contributions([x], 3);
    expect(contrib[0]).toBeCloseTo(weak.coef[0] * 2, 12);
  });
});
