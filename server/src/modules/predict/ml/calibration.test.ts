import { describe, expect, it } from 'vitest';
import { applyCalibrator, chooseCalibrator, fitIsotonic, fitPlatt } from './calibration.js';
import { ece } from './metrics.js';
import { createRng } from './random.js';

/** Scores that are informative but systematically overconfident: true p = sqrt(score). */
function miscalibrated(n: number, seed: number) {
  const rng = createRng(seed);
  const s = Array.from({ length: n }, () => rng());
  const y = s.map((v) => (rng() < Math.sqrt(v) ? 1 : 0));
  return { s, y };
}

describe('calibration', () => {
  it('isotonic output is monotone non-decreasing in the score', () => {
    const { s, y } = miscalibrated(2000, 3);
    const c = fitIsotonic(s, y);
    let prev = -1;
    for (let x = 0; x <= 1; x += 0.001) {
      const v = c.apply(x);
      expect(v).toBeGreaterThanOrEqual(prev - 1e-12);
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
      prev = v;
    }
  });

  it('isotonic and Platt reduce ECE on held-out data', () => {
    const fit = miscalibrated(5000, 4);
    const test = miscalibrated(5000, 5);
    const before = ece(test.y, test.s);
    for (const c of [fitIsotonic(fit.s, fit.y), fitPlatt(fit.s, fit.y)]) {
      expect(ece(test.y, applyCalibrator(c, test.s))).toBeLessThan(before / 2);
    }
  });

  it('Platt leaves already calibrated scores nearly unchanged and chooser prefers cheap options', () => {
    const rng = createRng(9);
    const s = Array.from({ length: 4000 }, () => 0.05 + 0.9 * rng());
    const y = s.map((v) => (rng() < v ? 1 : 0));
    const c = fitPlatt(s, y);
    expect(Math.abs(c.apply(0.3) - 0.3)).toBeLessThan(0.05);
    const choice = chooseCalibrator(s, y);
    expect(choice.scores.none).toBeLessThan(choice.scores.isotonic + 0.01);
  });

  it('chooser picks a real calibrator for miscalibrated scores', () => {
    const { s, y } = miscalibrated(4000, 6);
    expect(chooseCalibrator(s, y).calibrator.method).not.toBe('none');
  });
});
