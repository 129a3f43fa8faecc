import { describe, expect, it } from 'vitest';
import { GradientBoostedTrees } from './gbdt.model.js';
import { LogisticRegression, sigmoid } from './logistic-regression.model.js';
import { auc } from './metrics.js';
import { createRng, gaussian } from './random.js';

function xorData(n: number, seed: number) {
  const rng = createRng(seed);
  const a = Float64Array.from({ length: n }, () => gaussian(rng));
  const b = Float64Array.from({ length: n }, () => gaussian(rng));
  const noise = Float64Array.from({ length: n }, () => gaussian(rng));
  const y = Array.from({ length: n }, (_, i) =>
    a[i] > 0 !== b[i] > 0 ? (rng() < 0.9 ? 1 : 0) : rng() < 0.1 ? 1 : 0,
  );
  return { cols: [a, b, noise], y };
}

describe('GradientBoostedTrees', () => {
  it('beats logistic regression on an XOR problem', () => {
    const tr = xorData(4000, 1);
    const te = xorData(2000, 2);
    const gb = new GradientBoostedTrees({ seed: 1 }).fit(tr);
    const lr = new LogisticRegression().fit(tr.cols, tr.y);
    const gbAuc = auc(te.y, gb.predictProba(te.cols, 2000));
    const lrAuc = auc(te.y, lr.predictProba(te.cols, 2000));
    expect(gbAuc).toBeGreaterThan(0.85);
    expect(lrAuc).toBeLessThan(0.6);
  });

  it('is deterministic for a seed, and contributions + bias equal the logit', () => {
    const tr = xorData(1500, 3);
    const m1 = new GradientBoostedTrees({ seed: 5, nEstimators: 30 }).fit(tr);
    const m2 = new GradientBoostedTrees({ seed: 5, nEstimators: 30 }).fit(tr);
    const z1 = m1.predictLogit(tr.cols, 50);
    expect(Array.from(z1)).toEqual(Array.from(m2.predictLogit(tr.cols, 50)));
    const contrib = m1.contributions(tr.cols, 50);
    contrib.forEach((row, i) => expect(row.reduce((s, v) => s + v, m1.bias())).toBeCloseTo(z1[i], 9));
    // The pure-noise feature should matter least.
    const imp = m1.gainImportance();
    expect(imp[2]).toBeLessThan(Math.min(imp[0], imp[1]));
  });

  it('colsample keeps trees valid, deterministic and still learning', () => {
    const tr = xorData(2000, 4);
    const te = xorData(1000, 5);
    const a = new GradientBoostedTrees({ seed: 9, colsample: 0.5 }).fit(tr);
    const b = new GradientBoostedTrees({ seed: 9, colsample: 0.5 }).fit(tr);
    expect(Array.from(a.predictLogit(te.cols, 100))).toEqual(Array.from(b.predictLogit(te.cols, 100)));
    expect(auc(te.y, a.predictProba(te.cols, 1000))).toBeGreaterThan(0.8);
    // Features with different bin counts share one histogram buffer: a 2-level and a 255-level one.
    const rng = createRng(3);
    const flag = Float64Array.from({ length: 2000 }, () => (rng() < 0.5 ? 1 : 0));
    const m = new GradientBoostedTrees({ seed: 1, nEstimators: 20 }).fit({
      cols: [flag, ...tr.cols],
      y: tr.y,
    });
    expect(m.trees.length).toBeGreaterThan(0);
    expect(m.edges[0].length).toBe(1);
  });

  it('routes missing values to the side that fits them', () => {
    const rng = createRng(8);
    const n = 3000;
    const x = Float64Array.from({ length: n }, () => (rng() < 0.3 ? Number.NaN : rng()));
    const y = Array.from(x, (v) => (Number.isNaN(v) ? (rng() < 0.9 ? 1 : 0) : rng() < v * 0.5 ? 1 : 0));
    const m = new GradientBoostedTrees({ seed: 2 }).fit({ cols: [x], y });
    const p = m.predictProba([Float64Array.from([Number.NaN, 0.05])], 2);
    expect(p[0]).toBeGreaterThan(0.75);
    expect(p[1]).toBeLessThan(0.2);
  });

  // Behaviour at a realistic size; the 50k-row training-time target is measured by
  // bench/predict/training-time.bench.ts, not by a timed test.
  it('learns a sparse signal among 45 noise features on 20k rows', () => {
    const rng = createRng(21);
    const n = 20_000;
    const F = 50;
    const cols = Array.from({ length: F }, () => Float64Array.from({ length: n }, () => gaussian(rng)));
    // Signal in 5 features, one interaction and one threshold effect; the other 45 are noise.
    const y = Array.from({ length: n }, (_, i) => {
      const z = cols[0][i] - 0.8 * cols[1][i] + (cols[2][i] > 0.5 ? 1.2 : 0) + cols[3][i] * cols[4][i];
      return rng() < sigmoid(z) ? 1 : 0;
    });
    const m = new GradientBoostedTrees({ seed: 1, nEstimators: 150 }).fit({ cols, y });
    const tail = cols.map((c) => c.subarray(n - 5000));
    expect(auc(y.slice(n - 5000), m.predictProba(tail, 5000))).toBeGreaterThan(0.8);
  }, 120_000);
});
