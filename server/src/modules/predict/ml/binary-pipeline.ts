/**
 * End-to-end binary scoring on a CSV table, shared by `predict evaluate` and the benches:
 * target parsing, time ordering, model selection on a validation tail of the train window,
 * calibration, refit, metrics and explanations. Nothing here looks at the test rows until
 * the final model is frozen.
 */
import { applyCalibrator, type CalibrationMethod, type Calibrator, chooseCalibrator } from './calibration.js';
import type { ColumnType } from './column-types.js';
import { type CsvTable, columnIndex, isMissing, parseDateColumn, parseNumber } from './csv-table.js';
import { DataError } from './data-error.js';
import { type ColumnImportance, type FeatureContribution, globalImportance, topFactors } from './explain.js';
import { type EncodedMatrix, FeatureEncoder } from './feature-encoder.js';
import { type GbdtOptions, GradientBoostedTrees } from './gbdt.model.js';
import { LogisticRegression, sigmoid } from './logistic-regression.model.js';
import { type BinaryReport, binaryReport, brier, logLoss } from './metrics.js';

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'y', 'won', 'converted', 't']);

/**
 * Maps a target column to 0/1. With `positive`, that value (case-insensitive) is 1. Otherwise
 * numeric 0/1 or common truthy words are used, and any other two-valued column takes its rarer
 * value as positive. Rows with a missing target are returned as NaN so callers can drop them.
 */
export function binaryTarget(table: CsvTable, target: string, positive?: string): number[] {
  const j = columnIndex(table, target);
  const raw = table.rows.map((r) => r[j]);
  const present = raw.filter((v) => !isMissing(v));
  const levels = [...new Set(present.map((v) => v.trim().toLowerCase()))];
  let isPos: (v: string) => boolean;
  if (positive !== undefined) {
    const want = positive.trim().toLowerCase();
    if (!levels.includes(want))
      throw new DataError(`positive value "${positive}" not found in column "${target}"`);
    isPos = (v) => v.trim().toLowerCase() === want;
  } else if (levels.every((l) => l === '0' || l === '1' || parseNumber(l) === 0 || parseNumber(l) === 1)) {
    isPos = (v) => parseNumber(v) === 1;
  } else if (levels.length === 2 && levels.some((l) => TRUE_WORDS.has(l))) {
    isPos = (v) => TRUE_WORDS.has(v.trim().toLowerCase());
  } else if (levels.length === 2) {
    const count = (l: string) => present.filter((v) => v.trim().toLowerCase() === l).length;
    const rarer = count(levels[0]) <= count(levels[1]) ? levels[0] : levels[1];
    isPos = (v) => v.trim().toLowerCase() === rarer;
  } else {
    throw new DataError(
      `target "${target}" has ${levels.length} distinct values; pass --positive to say which one counts as 1`,
    );
  }
  const y = raw.map((v) => (isMissing(v) ? Number.NaN : isPos(v) ? 1 : 0));
  const pos = y.filter((v) => v === 1).length;
  const neg = y.filter((v) => v === 0).length;
  if (pos === 0 || neg === 0) throw new DataError(`target "${target}" has only one class`);
  return y;
}

/** Row indices in time order (stable for ties); rows without a parseable time go first as "oldest unknown". */
export function timeOrder(table: CsvTable, time?: string): number[] {
  const rows = table.rows.map((_, i) => i);
  if (!time) return rows;
  const j = columnIndex(table, time);
  const vals = table.rows.map((r) => r[j]);
  const asDate = parseDateColumn(vals);
  const dateShare = asDate.filter((t) => !Number.isNaN(t)).length / Math.max(1, vals.length);
  const key = dateShare >= 0.5 ? asDate : vals.map(parseNumber);
  if (key.every((k) => Number.isNaN(k))) throw new DataError(`time column "${time}" has no dates or numbers`);
  const k = (i: number) => (Number.isNaN(key[i]) ? Number.NEGATIVE_INFINITY : key[i]);
  return rows.sort((a, b) => k(a) - k(b) || a - b);
}

export type ModelKind = 'logistic' | 'gbdt' | 'blend';

interface Candidate {
  kind: ModelKind;
  /** Raw (uncalibrated) validation-tail probabilities. */
  tailProbs: Float64Array;
  calibration: CalibrationMethod;
  calibrator: Calibrator;
  /** GBDT share of the blended logit (blend only). */
  weight: number;
  /** Cross-fitted tail log-loss after the chosen calibration: the selection criterion. */
  tailLogloss: number;
  tailAuc: number;
}

export interface BinaryPipelineOptions {
  /** Fraction of the (time-ordered) train rows held out as the validation tail. */
  validationFraction?: number;
  seed?: number;
  /** Restrict the candidate models, e.g. to compare them in a bench. */
  models?: readonly ModelKind[];
  /** Refit the chosen model on all train rows (the tail included) after selection. */
  refit?: boolean;
  /**
   * Hyper-parameter grids are searched on at most this many of the most recent pre-tail rows
   * (keeps 50k-row training within the time budget); the winner is then fitted on all of them.
   */
  maxTuneRows?: number;
}

export interface FittedBinaryModel {
  kind: ModelKind;
  calibration: CalibrationMethod;
  candidates: { kind: ModelKind; calibration: CalibrationMethod; tailLogloss: number; tailAuc: number }[];
  gbdtRounds: number;
  logisticL2: number;
  /** Quantile step indicators per numeric column in the logistic model (0 = linear only). */
  logisticNumericBins?: number;
  /** Chosen GBDT settings (without the round count). */
  gbdtParams?: GbdtOptions;
  /** GBDT share of the blended logit (1 for gbdt, 0 for logistic). */
  blendWeight?: number;
  predict(rows: readonly number[]): Float64Array;
  /** Per-row top factors in log-odds (before calibration, which is monotone). */
  explain(rows: readonly number[], k?: number): FeatureContribution[][];
  topFeatures(rows: readonly number[], k?: number): ColumnImportance[];
}

const LR_L2_GRID = [0.3, 3, 30];
/** Linear model variants: numeric columns as-is, or plus quantile step indicators (non-linear effects). */
const LR_NUMERIC_BINS = [0, 8];
const GBDT_GRID: GbdtOptions[] = [
  { maxLeaves: 15, maxDepth: 4, minSamplesLeaf: 30, learningRate: 0.05 },
  { maxLeaves: 31, maxDepth: 6, minSamplesLeaf: 20, learningRate: 0.05 },
  { maxLeaves: 7, maxDepth: 3, minSamplesLeaf: 50, learningRate: 0.05 },
  { maxLeaves: 15, maxDepth: 4, minSamplesLeaf: 30, learningRate: 0.05, l2: 10, colsample: 0.7 },
  { maxLeaves: 7, maxDepth: 3, minSamplesLeaf: 20, learningRate: 0.05, l2: 3, colsample: 0.5 },
  { maxLeaves: 4, maxDepth: 2, minSamplesLeaf: 50, learningRate: 0.1 },
];
/** Weight of the GBDT logit in the blend, chosen on the validation tail. */
const BLEND_WEIGHTS = [0.25, 0.5, 0.75];

interface Scorer {
  logit(rows: readonly number[]): Float64Array;
  contributions(rows: readonly number[]): { rows: Float64Array[]; sources: string[] };
}

function lrScorer(
  table: CsvTable,
  columns: readonly ColumnType[],
  rows: readonly number[],
  y: number[],
  l2: number,
  seed: number,
  numericBins = 0,
): Scorer {
  const enc = new FeatureEncoder(columns, { mode: 'linear', seed, numericBins });
  const X = enc.fitTransform(table, rows, y);
  const model = new LogisticRegression({ l2 }).fit(X.cols, y);
  return {
    logit: (r) => {
      const M = enc.transform(table, r);
      return model.predictLogit(M.cols, M.nRows);
    },
    contributions: (r) => {
      const M = enc.transform(table, r);
      return {
        rows: Array.from({ length: M.nRows }, (_, i) => model.contributions(M.cols, i)),
        sources: M.sources,
      };
    },
  };
}

function gbdtScorer(
  table: CsvTable,
  columns: readonly ColumnType[],
  rows: readonly number[],
  y: number[],
  params: GbdtOptions,
  valid: { rows: readonly number[]; y: number[] } | null,
  seed: number,
): Scorer & { rounds: number } {
  const enc = new FeatureEncoder(columns, { mode: 'tree', seed });
  const X = enc.fitTransform(table, rows, y);
  const model = new GradientBoostedTrees({ ...params, seed, validationFraction: 0 });
  if (valid) {
    const V = enc.transform(table, valid.rows);
    model.fit({ cols: X.cols, y }, { cols: V.cols, y: valid.y });
  } else model.fit({ cols: X.cols, y });
  return {
    rounds: model.trees.length,
    logit: (r) => {
      const M = enc.transform(table, r);
      return model.predictLogit(M.cols, M.nRows);
    },
    contributions: (r) => {
      const M = enc.transform(table, r);
      return { rows: model.contributions(M.cols, M.nRows), sources: M.sources };
    },
  };
}

const toProb = (z: Float64Array) => z.map(sigmoid);

export function fitBinaryModel(
  table: CsvTable,
  columns: readonly ColumnType[],
  trainRows: readonly number[],
  yTrain: number[],
  options: BinaryPipelineOptions = {},
): FittedBinaryModel {
  const {
    validationFraction = 0.2,
    seed = 42,
    models = ['logistic', 'gbdt', 'blend'],
    refit = true,
    maxTuneRows = 8_000,
  } = options;
  const cut = Math.floor(trainRows.length * (1 - validationFraction));
  const fitRows = trainRows.slice(0, cut);
  const tailRows = trainRows.slice(cut);
  const fitY = yTrain.slice(0, cut);
  const tailY = yTrain.slice(cut);
  if (new Set(fitY).size < 2 || new Set(tailY).size < 2)
    throw new DataError(
      'training window too small: both classes are needed before and inside the validation tail',
    );

  // Pick the L2 strength and the GBDT shape on the tail; early stopping also watches the tail.
  let bestLr: { l2: number; bins: number; z: Float64Array; loss: number } = {
    l2: LR_L2_GRID[0],
    bins: 0,
    z: new Float64Array(0),
    loss: Infinity,
  };
  // On large windows the grids are searched on the most recent rows before the tail only (time
  // budget); the chosen settings are then fitted on the whole pre-tail window.
  const capped = fitRows.length > maxTuneRows;
  const tuneRows = capped ? fitRows.slice(-maxTuneRows) : fitRows;
  const tuneY = capped ? fitY.slice(-maxTuneRows) : fitY;
  for (const bins of LR_NUMERIC_BINS)
    for (const l2 of LR_L2_GRID) {
      const z = lrScorer(table, columns, tuneRows, tuneY, l2, seed, bins).logit(tailRows);
      const loss = logLoss(tailY, toProb(z));
      if (loss < bestLr.loss) bestLr = { l2, bins, z, loss };
    }
  if (capped) {
    const z = lrScorer(table, columns, fitRows, fitY, bestLr.l2, seed, bestLr.bins).logit(tailRows);
    bestLr = { ...bestLr, z, loss: logLoss(tailY, toProb(z)) };
  }
  let bestGb: { params: GbdtOptions; rounds: number; z: Float64Array; loss: number; scorer?: Scorer } = {
    params: GBDT_GRID[0],
    rounds: 1,
    z: new Float64Array(0),
    loss: Infinity,
  };
  if (models.includes('gbdt') || models.includes('blend')) {
    for (const params of GBDT_GRID) {
      const s = gbdtScorer(table, columns, tuneRows, tuneY, params, { rows: tailRows, y: tailY }, seed);
      const z = s.logit(tailRows);
      const loss = logLoss(tailY, toProb(z));
      if (loss < bestGb.loss) bestGb = { params, rounds: s.rounds, z, loss };
    }
    if (capped) {
      const s = gbdtScorer(table, columns, fitRows, fitY, bestGb.params, { rows: tailRows, y: tailY }, seed);
      const z = s.logit(tailRows);
      bestGb = { ...bestGb, rounds: s.rounds, z, loss: logLoss(tailY, toProb(z)), scorer: s };
    }
  }

  const candidates: Candidate[] = [];
  const addCandidate = (kind: ModelKind, z: Float64Array, weight = 0) => {
    const tailProbs = toProb(z);
    const choice = chooseCalibrator(tailProbs, tailY);
    const calibrated = applyCalibrator(choice.calibrator, tailProbs);
    candidates.push({
      kind,
      tailProbs,
      calibration: choice.calibrator.method,
      calibrator: choice.calibrator,
      weight,
      tailLogloss: choice.scores[choice.calibrator.method],
      tailAuc: binaryReport(tailY, calibrated).auc,
    });
  };
  if (models.includes('logistic')) addCandidate('logistic', bestLr.z);
  if (models.includes('gbdt')) addCandidate('gbdt', bestGb.z);
  if (models.includes('blend')) {
    // One blend candidate: the GBDT weight with the best calibrated tail log-loss.
    const before = candidates.length;
    for (const w of BLEND_WEIGHTS)
      addCandidate(
        'blend',
        bestLr.z.map((v, i) => (1 - w) * v + w * bestGb.z[i]),
        w,
      );
    const blends = candidates.splice(before);
    candidates.push(blends.reduce((a, b) => (b.tailLogloss < a.tailLogloss ? b : a)));
  }
  const winner = candidates.reduce((a, b) => (b.tailLogloss < a.tailLogloss ? b : a));
  const w = winner.kind === 'blend' ? winner.weight : winner.kind === 'gbdt' ? 1 : 0;

  // Refit on the full window with the selected settings; the GBDT keeps the early-stopped round
  // count scaled by the extra data, and the calibrator learned on the tail is reused.
  const finalRows = refit ? trainRows : fitRows;
  const finalY = refit ? yTrain : fitY;
  // On capped (large) windows the GBDT early-stopped on the tail is kept as is: the pre-tail rows
  // are plenty, and a second full-size fit would break the time budget.
  const reuseGb = capped && bestGb.scorer !== undefined;
  const rounds = reuseGb
    ? bestGb.rounds
    : Math.max(1, Math.round(bestGb.rounds * (refit ? trainRows.length / fitRows.length : 1)));
  const needLr = winner.kind !== 'gbdt';
  const needGb = winner.kind !== 'logistic';
  const lr = needLr ? lrScorer(table, columns, finalRows, finalY, bestLr.l2, seed, bestLr.bins) : null;
  const gb = !needGb
    ? null
    : reuseGb
      ? bestGb.scorer!
      : gbdtScorer(
          table,
          columns,
          finalRows,
          finalY,
          { ...bestGb.params, nEstimators: rounds, earlyStoppingRounds: rounds },
          null,
          seed,
        );
  const logit = (rows: readonly number[]) => {
    const a = lr?.logit(rows);
    const b = gb?.logit(rows);
    if (a && b) return a.map((v, i) => (1 - w) * v + w * b[i]);
    return (a ?? b)!;
  };
  const contributions = (rows: readonly number[]) => {
    const parts = [
      ...(lr ? [{ c: lr.contributions(rows), weight: gb ? 1 - w : 1 }] : []),
      ...(gb ? [{ c: gb.contributions(rows), weight: lr ? w : 1 }] : []),
    ];
    const sources = parts.flatMap((p) => p.c.sources);
    const merged = rows.map((_, i) => {
      const out = new Float64Array(sources.length);
      let o = 0;
      for (const p of parts) for (const v of p.c.rows[i]) out[o++] = v * p.weight;
      return out;
    });
    return { rows: merged, sources };
  };

  return {
    kind: winner.kind,
    calibration: winner.calibration,
    candidates: candidates.map(({ kind, calibration, tailLogloss, tailAuc }) => ({
      kind,
      calibration,
      tailLogloss,
      tailAuc,
    })),
    gbdtRounds: needGb ? rounds : 0,
    logisticL2: bestLr.l2,
    logisticNumericBins: bestLr.bins,
    gbdtParams: bestGb.params,
    blendWeight: w,
    predict: (rows) => applyCalibrator(winner.calibrator, toProb(logit(rows))),
    explain: (rows, k = 5) => {
      const c = contributions(rows);
      return c.rows.map((r) => topFactors(r, c.sources, k));
    },
    topFeatures: (rows, k = 10) => {
      const c = contributions(rows);
      return globalImportance(c.rows, c.sources, k);
    },
  };
}

export interface EvaluateOptions extends BinaryPipelineOptions {
  target: string;
  positive?: string;
  time?: string;
  /** Columns never used as features (in addition to the target and time column). */
  drop?: readonly string[];
  /** If set, only these columns are features (benches use this for named feature sets). */
  features?: readonly string[];
  testFraction?: number;
  /** Explicit split instead of testFraction (e.g. a calendar cut-off); indices into table.rows. */
  split?: { train: readonly number[]; test: readonly number[] };
}

export interface EvaluateResult extends BinaryReport {
  rows: number;
  train_rows: number;
  test_rows: number;
  model: string;
  calibration: CalibrationMethod;
  train_positive_rate: number;
  baseline: {
    prior_brier: number;
    prior_logloss: number;
    logistic_auc: number;
    logistic_brier: number;
    logistic_ece: number;
  };
  validation: FittedBinaryModel['candidates'];
  top_features: ColumnImportance[];
  columns: { name: string; kind: string }[];
}

/** Feature columns after automatic typing: ids, constants, target and time column are excluded. */
export function featureColumns(
  table: CsvTable,
  types: readonly ColumnType[],
  opts: Pick<EvaluateOptions, 'target' | 'time' | 'drop' | 'features'>,
): ColumnType[] {
  const exclude = new Set(
    [opts.target, opts.time, ...(opts.drop ?? [])]
      .filter(Boolean)
      .map((c) => table.columns[columnIndex(table, c!)]),
  );
  const only = opts.features ? new Set(opts.features.map((c) => table.columns[columnIndex(table, c)])) : null;
  return types.filter(
    (t) => !exclude.has(t.name) && (!only || only.has(t.name)) && t.kind !== 'id' && t.kind !== 'constant',
  );
}

export function evaluateBinary(
  table: CsvTable,
  types: readonly ColumnType[],
  opts: EvaluateOptions,
): EvaluateResult {
  const yAll = binaryTarget(table, opts.target, opts.positive);
  let train: number[];
  let test: number[];
  if (opts.split) {
    train = opts.split.train.filter((i) => !Number.isNaN(yAll[i]));
    test = opts.split.test.filter((i) => !Number.isNaN(yAll[i]));
  } else {
    const order = timeOrder(table, opts.time).filter((i) => !Number.isNaN(yAll[i]));
    const testFraction = opts.testFraction ?? 0.2;
    if (!(testFraction > 0 && testFraction < 1))
      throw new DataError('--test-fraction must be between 0 and 1');
    const nTest = Math.round(order.length * testFraction);
    train = order.slice(0, order.length - nTest);
    test = order.slice(order.length - nTest);
  }
  if (train.length < 50 || test.length < 10)
    throw new DataError(`too few rows to evaluate (train ${train.length}, test ${test.length})`);
  const yTrain = train.map((i) => yAll[i]);
  const yTest = test.map((i) => yAll[i]);
  if (new Set(yTest).size < 2)
    throw new DataError('test window has only one class; use a larger --test-fraction');
  const cols = featureColumns(table, types, opts);
  if (cols.length === 0) throw new DataError('no usable feature columns after typing (all ids/constants?)');

  const model = fitBinaryModel(table, cols, train, yTrain, opts);
  const probs = model.predict(test);

  // Baselines computed in the same run: the train prior, and a plain L2 logistic regression.
  const prior = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
  const priorProbs = new Float64Array(test.length).fill(prior);
  const enc = new FeatureEncoder(cols, { mode: 'linear' });
  const Xtr: EncodedMatrix = enc.fitTransform(table, train, yTrain);
  const lr = new LogisticRegression({ l2: 1 }).fit(Xtr.cols, yTrain);
  const Xte = enc.transform(table, test);
  const lrReport = binaryReport(yTest, lr.predictProba(Xte.cols, Xte.nRows));

  return {
    rows: table.rows.length,
    train_rows: train.length,
    test_rows: test.length,
    model: model.kind === 'logistic' ? 'logistic' : model.kind === 'gbdt' ? 'gbdt' : 'gbdt+logistic blend',
    calibration: model.calibration,
    train_positive_rate: prior,
    ...binaryReport(yTest, probs),
    baseline: {
      prior_brier: brier(yTest, priorProbs),
      prior_logloss: logLoss(yTest, priorProbs),
      logistic_auc: lrReport.auc,
      logistic_brier: lrReport.brier,
      logistic_ece: lrReport.ece,
    },
    validation: model.candidates,
    top_features: model.topFeatures(test, 10),
    columns: types.map((t) => ({ name: t.name, kind: t.kind })),
  };
}
