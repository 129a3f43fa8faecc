/**
 * Evaluation metrics for binary probabilities and forecasts.
 * All functions take plain arrays so they can be used by the CLI, benches and tests alike.
 */

export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

const EPS = 1e-15;

function assertSameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
}

/**
 * ROC AUC via the rank-sum (Mann–Whitney) formula with average ranks for ties,
 * so a constant scorer gets exactly 0.5. Returns NaN when only one class is present.
 */
export function auc(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  assertSameLength(yTrue, scores);
  const n = yTrue.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (yTrue[order[k]] === 1) {
        positives++;
        rankSumPos += avgRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPos - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function brier(yTrue: ArrayLike<number>, probs: ArrayLike<number>): number {
  assertSameLength(yTrue, probs);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += (probs[i] - yTrue[i]) ** 2;
  return s / yTrue.length;
}

/** Mean negative log-likelihood; probabilities are clipped so a confident miss is finite. */
export function logLoss(yTrue: ArrayLike<number>, probs: ArrayLike<number>): number {
  assertSameLength(yTrue, probs);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const p = Math.min(1 - EPS, Math.max(EPS, probs[i]));
    s -= yTrue[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return s / yTrue.length;
}

/** Equal-width reliability bins on [0,1]; empty bins are kept (count 0) so plots have a fixed x-axis. */
export function reliabilityBins(
  yTrue: ArrayLike<number>,
  probs: ArrayLike<number>,
  bins = 10,
): ReliabilityBin[] {
  assertSameLength(yTrue, probs);
  const count = new Array<number>(bins).fill(0);
  const sumP = new Array<number>(bins).fill(0);
  const sumY = new Array<number>(bins).fill(0);
  for (let i = 0; i < yTrue.length; i++) {
    // p = 1 belongs in the last bin, not an out-of-range bin.
    const b = Math.min(bins - 1, Math.max(0, Math.floor(probs[i] * bins)));
    count[b]++;
    sumP[b] += probs[i];
    sumY[b] += yTrue[i];
  }
  return count.map((c, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: c,
    meanPredicted: c ? sumP[b] / c : 0,
    observedRate: c ? sumY[b] / c : 0,
  }));
}

/** Expected calibration error: count-weighted mean |observed − predicted| over equal-width bins. */
export function ece(yTrue: ArrayLike<number>, probs: ArrayLike<number>, bins = 10): number {
  const n = yTrue.length;
  if (n === 0) return Number.NaN;
  return reliabilityBins(yTrue, probs, bins).reduce(
    (s, b) => s + (b.count / n) * Math.abs(b.observedRate - b.meanPredicted),
    0,
  );
}

/** Mean absolute percentage error in percent; periods with an actual of 0 are skipped (undefined APE). */
export function mape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  assertSameLength(actual, forecast);
  let s = 0;
  let n = 0;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] === 0) continue;
    s += Math.abs((actual[i] - forecast[i]) / actual[i]);
    n++;
  }
  return n ? (100 * s) / n : Number.NaN;
}

/** Weighted absolute percentage error in percent: Σ|error| / Σ|actual|. Robust to small actuals. */
export function wape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  assertSameLength(actual, forecast);
  let err = 0;
  let tot = 0;
  for (let i = 0; i < actual.length; i++) {
    err += Math.abs(actual[i] - forecast[i]);
    tot += Math.abs(actual[i]);
  }
  return tot ? (100 * err) / tot : Number.NaN;
}

export interface BinaryReport {
  n: number;
  positiveRate: number;
  auc: number;
  brier: number;
  logloss: number;
  ece: number;
  reliability: ReliabilityBin[];
}

export function binaryReport(yTrue: ArrayLike<number>, probs: ArrayLike<number>): BinaryReport {
  let pos = 0;
  for (let i = 0; i < yTrue.length; i++) pos += yTrue[i];
  return {
    n: yTrue.length,
    positiveRate: yTrue.length ? pos / yTrue.length : Number.NaN,
    auc: auc(yTrue, probs),
    brier: brier(yTrue, probs),
    logloss: logLoss(yTrue, probs),
    ece: ece(yTrue, probs),
    reliability: reliabilityBins(yTrue, probs),
  };
}
