import { describe, expect, it } from 'vitest';
import { fitBinaryModel } from './binary-pipeline.js';
import { inferColumnTypes } from './column-types.js';
import { auc } from './metrics.js';
import { createRng, gaussian } from './random.js';

function table(n: number, seed: number) {
  const rng = createRng(seed);
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const a = gaussian(rng);
    const b = gaussian(rng);
    const c = ['red', 'green', 'blue'][Math.floor(rng() * 3)];
    // Non-linear in a (a threshold) plus a categorical effect.
    const z = (a > 0.5 ? 1.5 : -0.5) + 0.5 * b + (c === 'blue' ? 1 : 0);
    rows.push([
      rng() < 0.05 ? '' : a.toFixed(3),
      b.toFixed(3),
      c,
      rng() < 1 / (1 + Math.exp(-z)) ? '1' : '0',
    ]);
  }
  return { columns: ['a', 'b', 'c', 'y'], rows, delimiter: ',' };
}

describe('fitBinaryModel', () => {
  it('chooses model, blend weight and logistic variant on the tail, also with capped tuning', () => {
    const t = table(3000, 1);
    const cols = inferColumnTypes(t).filter((c) => c.name !== 'y');
    const idx = t.rows.map((_, i) => i);
    const y = t.rows.map((r) => Number(r[3]));
    const train = idx.slice(0, 2400);
    const test = idx.slice(2400);
    for (const maxTuneRows of [100_000, 800]) {
      const m = fitBinaryModel(
        t,
        cols,
        train,
        train.map((i) => y[i]),
        { maxTuneRows },
      );
      expect(m.blendWeight).toBeGreaterThanOrEqual(0);
      expect(m.blendWeight).toBeLessThanOrEqual(1);
      expect([0, 8]).toContain(m.logisticNumericBins);
      expect(m.candidates.map((c) => c.kind)).toEqual(['logistic', 'gbdt', 'blend']);
      const p = m.predict(test);
      expect(
        auc(
          test.map((i) => y[i]),
          p,
        ),
      ).toBeGreaterThan(0.7);
    }
  });
});
