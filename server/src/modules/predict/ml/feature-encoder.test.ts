import { describe, expect, it } from 'vitest';
import type { ColumnType } from './column-types.js';
import { FeatureEncoder, quantileThresholds } from './feature-encoder.js';

describe('FeatureEncoder numeric step indicators', () => {
  it('quantile thresholds are distinct, inside the range and split the data', () => {
    const xs = [1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, Number.NaN];
    const t = quantileThresholds(xs, 4);
    expect(t.length).toBeGreaterThan(0);
    for (let k = 1; k < t.length; k++) expect(t[k]).toBeGreaterThan(t[k - 1]);
    expect(t.every((v) => v < 8)).toBe(true);
    expect(quantileThresholds([5, 5, 5], 4)).toEqual([]);
  });

  it('adds x > t indicators in linear mode only when asked, learned on train rows only', () => {
    const table = {
      columns: ['x'],
      rows: ['1', '2', '3', '4', '5', '6', '7', '8', '', '100'].map((v) => [v]),
      delimiter: ',',
    };
    const cols: ColumnType[] = [{ name: 'x', index: 0, kind: 'numeric', missingRate: 0.1, distinct: 9 }];
    const train = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const y = [0, 0, 0, 0, 1, 1, 1, 1, 0];
    const plain = new FeatureEncoder(cols, { mode: 'linear' }).fitTransform(table, train, y);
    expect(plain.names).toEqual(['x', 'x:missing']);
    const enc = new FeatureEncoder(cols, { mode: 'linear', numericBins: 4 });
    const m = enc.fitTransform(table, train, y);
    expect(m.names.length).toBeGreaterThan(2);
    expect(m.names.slice(2).every((n) => n.startsWith('x>'))).toBe(true);
    // The unseen value 100 sits above every train threshold (all steps on, after standardising > 0).
    const t = enc.transform(table, [9]);
    for (let j = 2; j < t.cols.length; j++) expect(t.cols[j][0]).toBeGreaterThan(0);
  });
});
