/**
 * Probability calibration on a held-out, time-ordered tail of the training window.
 * Platt scaling fits a 1-D logistic model on the logit; isotonic regression (PAV) fits any
 * monotone map. Isotonic is more flexible but overfits small tails, so we pick by log-loss with
 * 2-fold cross-fitting inside the tail rather than trusting in-sample fit.
 */

import { sigmoid } from './logistic-regression.model.js';
import { logLoss } from './metrics.js';

export type CalibrationMethod = 'none' | 'platt' | 'isotonic';

export interface Calibrator {
  method: CalibrationMethod;
  apply(prob: number): number;
}

const clip = (p: number) => Math.min(1 - 1e-6, Math.max(1e-6, p));
const logit = (p: number) => Math.log(clip(p) / (1 - clip(p)));

export const identityCalibrator: Calibrator = { method: 'none', apply: (p) => p };

/** Platt scaling: P(y=1) = σ(a·logit(p) + b), fit by Newton with a tiny ridge for stability. */
export function fitPlatt(probs: ArrayLike<number>, y: ArrayLike<number>): Calibrator {
  const n = y.length;
  const x = Float64Array.from({ length: n }, (_, i) => logit(probs[i]));
  let a = 1;
  let b = 0;
  for (let it = 0; it < 100; it++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-6;
    let hab = 0;
    let hbb = 1e-6;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(a * x[i] + b);
      const r = y[i] - p;
      const w = p * (1 - p);
      ga += r * x[i];
      gb += r;
      haa += w * x[i] * x[i];
      hab += w * x[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-12)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { method: 'platt', apply: (p) => sigmoid(a * logit(p) + b) };
}

/**
 * Isotonic regression by pool-adjacent-violators. Prediction interpolates linearly between block
 * centres so tied raw scores stay tied but distinct ones are not collapsed into big plateaus.
 */
export function fitIsotonic(probs: ArrayLike<number>, y: ArrayLike<number>): Calibrator {
  const order = Array.from({ length: y.length }, (_, i) => i).sort((i, j) => probs[i] - probs[j]);
  const blocks: { sumX: number; sumY: number; n: number }[] = [];
  for (const i of order) {
    blocks.push({ sumX: probs[i], sumY: y[i], n: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1];
      const prev = blocks[blocks.length - 2];
      if (prev.sumY / prev.n < last.sumY / last.n) break;
      prev.sumX += last.sumX;
      prev.sumY += last.sumY;
      prev.n += last.n;
      blocks.pop();
    }
  }
  // Clipping to [½/(n+1), 1−½/(n+1)] keeps calibrated probabilities off exactly 0 or 1 (one
  // unlucky test row would otherwise cost infinite log-loss) and, being uniform, keeps monotonicity.
  const eps = 0.5 / (y.length + 1);
  const xs = blocks.map((b) => b.sumX / b.n);
  const ys = blocks.map((b) => Math.min(1 - eps, Math.max(eps, b.sumY / b.n)));
  return {
    method: 'isotonic',
    apply(p) {
      if (xs.length === 0) return p;
      if (p <= xs[0]) return ys[0];
      if (p >= xs[xs.length - 1]) return ys[ys.length - 1];
      let lo = 0;
      let hi = xs.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (xs[mid] <= p) lo = mid;
        else hi = mid;
      }
      const t = xs[hi] === xs[lo] ? 0 : (p - xs[lo]) / (xs[hi] - xs[lo]);
      return ys[lo] + t * (ys[hi] - ys[lo]);
    },
  };
}

export function applyCalibrator(c: Calibrator, probs: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: probs.length }, (_, i) => c.apply(probs[i]));
}

const FITTERS: Record<Exclude<CalibrationMethod, 'none'>, typeof fitPlatt> = {
  platt: fitPlatt,
  isotonic: fitIsotonic,
};

export interface CalibrationChoice {
  calibrator: Calibrator;
  /** Cross-fitted validation log-loss of each candidate, for reporting. */
  scores: Record<CalibrationMethod, number>;
}

/**
 * Chooses among none / Platt / isotonic by 2-fold cross-fitted log-loss on the tail (first half
 * fits → second half scores and vice versa), then refits the winner on the whole tail.
 */
export function chooseCalibrator(probs: ArrayLike<number>, y: ArrayLike<number>): CalibrationChoice {
  const n = y.length;
  const half = Math.floor(n / 2);
  const P = Array.from(probs);
  const Y = Array.from(y);
  const halves = [
    { fitP: P.slice(0, half), fitY: Y.slice(0, half), evP: P.slice(half), evY: Y.slice(half) },
    { fitP: P.slice(half), fitY: Y.slice(half), evP: P.slice(0, half), evY: Y.slice(0, half) },
  ];
  const oneClass = (ys: number[]) => ys.every((v) => v === ys[0]);
  const scores: Record<CalibrationMethod, number> = {
    none: logLoss(Y, P),
    platt: Infinity,
    isotonic: Infinity,
  };
  if (n >= 20 && !halves.some((hf) => oneClass(hf.fitY))) {
    for (const method of ['platt', 'isotonic'] as const) {
      let loss = 0;
      for (const hf of halves) {
        const c = FITTERS[method](hf.fitP, hf.fitY);
        loss += logLoss(hf.evY, applyCalibrator(c, hf.evP)) * hf.evY.length;
      }
      scores[method] = loss / n;
    }
  }
  const method = (Object.keys(scores) as CalibrationMethod[]).reduce((a, b) =>
    scores[b] < scores[a] ? b : a,
  );
  const calibrator = method === 'none' ? identityCalibrator : FITTERS[method](P, Y);
  return { calibrator, scores };
}
