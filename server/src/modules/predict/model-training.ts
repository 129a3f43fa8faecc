/**
 * The one training pipeline of the per-tenant binary models (win probability, lead score): each
 * model kind is a small spec (`ModelSpec`: its features, how much history it needs, how its
 * labelled examples and their feature rows are built, how it rescores afterwards, how its
 * fallback is named), and `trainModel` does the rest the same way for every kind:
 *
 *  1. Labelled examples, oldest first. Fewer than `minHistory`, or one class only → fallback.
 *  2. Time split: the newest 20 % (≥ 10) are the test window, never seen while fitting; a window
 *     with one outcome only → fallback.
 *  3. The toolkit's binary pipeline (ml/binary-pipeline.ts: LR / GBDT / blend, picked and
 *     calibrated on a validation tail of the train window) fits the train window; the test
 *     window gives the metrics (AUC, Brier, log-loss, ECE, reliability, the base rate's figures,
 *     top features, the split's dates).
 *  4. A model whose held-out log-loss is worse than the base rate's is not used (fallback, its
 *     metrics kept); otherwise the production model is the same procedure on every labelled
 *     example, stored as its training snapshot (model-store.ts rebuilds it from that).
 *  5. A new version in prediction_models (the previous active/fallback one retired), then the
 *     kind rescores everything.
 * A DataError while fitting (unusable data) is a fallback with its message; anything else is a bug.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.js';
import { notFound } from '../../platform/http/problem.js';
import { type BinaryPipelineOptions, fitBinaryModel } from './ml/binary-pipeline.js';
import type { CsvTable } from './ml/csv-table.js';
import { binaryReport, brier, logLoss } from './ml/metrics.js';
import {
  type FeatureDef,
  fitFromSnapshot,
  nextModelVersion,
  scoreRows,
  type TopFactor,
  type TrainingSnapshot,
  typedColumns,
} from './model-store.js';
import { predictionModels } from './predict.schema.js';

export type ModelRow = typeof predictionModels.$inferSelect;

export interface TrainOptions {
  now?: Date;
  trigger?: 'manual' | 'schedule';
}

/** What a training run returns; `F` is the kind's fallback method. */
export interface TrainResult<F extends string> {
  model_id: string;
  version: number;
  status: 'active' | 'fallback';
  method: 'model' | F;
  /**
   * English, for API readers; `metrics.note_reason` ({ code, count, need, logloss, base_logloss })
   * carries the same reason as data so the web app says it in its user's language.
   */
  note: string | null;
  train_rows: number;
  test_rows: number;
  metrics: Record<string, unknown>;
  scored: number;
}

/** The feature rows of a kind's labelled examples (strings, as the toolkit's tables hold them). */
export interface TrainingRows {
  /**
   * Rows of the train window (examples before `cut`) and of the test window (from `cut`) for the
   * held-out evaluation: whatever a row derives from other examples comes from the train window.
   */
  evaluation(cut: number): { train: string[][]; test: string[][] };
  /** Rows of every example for the production model, and what scoring needs beside the fitted model. */
  production(): { rows: string[][]; extra: Record<string, unknown> };
}

export interface ModelSpec<S, T, F extends string> {
  /** prediction_models.kind */
  kind: string;
  features: readonly FeatureDef[];
  minHistory: number;
  /** Options of the binary pipeline, for training and for rebuilding from the snapshot alike. */
  fitOptions: BinaryPipelineOptions;
  /** The method of the scores when there is no usable model. */
  fallbackMethod: F;
  load(tx: Tx, tenantId: string): Promise<S>;
  /** Labelled examples, oldest first, with their labels (1 = positive). */
  examples(snap: S, now: Date): { items: T[]; y: number[] };
  /** The feature rows of the examples (`y`: their labels). */
  rows(snap: S, items: T[], y: number[], now: Date): TrainingRows;
  /** The time the split orders by, named in the metrics: `train_<name>_from` … `test_<name>_to`. */
  splitBy: { name: string; at(item: T): unknown };
  /** Texts of the fallback notes. */
  notes: {
    /** what the examples are, e.g. "closed opportunities" */
    history: string;
    /** what the test window holds, e.g. "most recently closed deals" */
    testWindow: string;
    /** the sentence when every example has the same label */
    oneClass(positives: number): string;
    /** what is used instead, e.g. "using stage probabilities." */
    instead: string;
  };
  /** Metrics stored beside the evaluation's (history size, label definition …). */
  historyMetrics(items: T[], y: number[]): Record<string, unknown>;
  /** What a fallback version stores as its model. */
  fallbackModel(items: T[], y: number[]): Record<string, unknown>;
  /** Rescores every record after training; returns how many were scored. */
  score(tx: Tx, tenantId: string, snap: S, now: Date): Promise<number>;
}

/** The stored snapshot of a trained version, as every kind writes it. */
export interface ModelSnapshotBase extends TrainingSnapshot {
  prior: number;
  chosen?: { kind: string; calibration: string };
}

/** Seed of every model's fit (and of its rebuild: the snapshot stores it). */
export const TRAINING_SEED = 20261127;

const mean = (y: number[]) => y.reduce((a, b) => a + b, 0) / y.length;

interface Fit {
  note: string | null;
  metrics: Record<string, unknown>;
  snapshot: Record<string, unknown> | null;
  trainN: number;
  testN: number;
}

/** Steps 1–4: the evaluation and, when the model is worth using, its snapshot. */
function fitAndEvaluate<S, T, F extends string>(
  spec: ModelSpec<S, T, F>,
  snap: S,
  items: T[],
  y: number[],
  now: Date,
): Fit {
  const out: Fit = { note: null, metrics: {}, snapshot: null, trainN: 0, testN: 0 };
  const { notes } = spec;
  const positives = y.reduce((a, b) => a + b, 0);
  if (items.length < spec.minHistory) {
    out.note = `Only ${items.length} ${notes.history} (need ${spec.minHistory}); ${notes.instead}`;
    out.metrics.note_reason = { code: 'too_little_history', count: items.length, need: spec.minHistory };
    return out;
  }
  if (positives === 0 || positives === items.length) {
    out.note = `${notes.oneClass(positives)}; ${notes.instead}`;
    out.metrics.note_reason = { code: positives === 0 ? 'no_positive' : 'all_positive', count: items.length };
    return out;
  }
  const nTest = Math.max(10, Math.round(items.length * 0.2));
  const cut = items.length - nTest;
  const yTrain = y.slice(0, cut);
  const yTest = y.slice(cut);
  if (new Set(yTest).size < 2 || new Set(yTrain).size < 2) {
    out.note = `The train or test window has only one outcome; ${notes.instead}`;
    out.metrics.note_reason = { code: 'one_outcome_window' };
    return out;
  }
  const features = spec.features.map((f) => f.name);
  const options = { ...spec.fitOptions, seed: TRAINING_SEED };
  try {
    const rows = spec.rows(snap, items, y, now);
    const evaluation = rows.evaluation(cut);
    const table: CsvTable = {
      columns: features,
      rows: [...evaluation.train, ...evaluation.test],
      delimiter: ',',
    };
    const trIdx = evaluation.train.map((_, i) => i);
    const teIdx = evaluation.test.map((_, i) => cut + i);
    const fitted = fitBinaryModel(
      table,
      typedColumns(spec.features, evaluation.train),
      trIdx,
      yTrain,
      options,
    );
    const report = binaryReport(yTest, fitted.predict(teIdx));
    const prior = mean(yTrain);
    const priorProbs = yTest.map(() => prior);
    const priorLogloss = logLoss(yTest, priorProbs);
    const at = spec.splitBy.at;
    const name = spec.splitBy.name;
    out.metrics = {
      auc: report.auc,
      brier: report.brier,
      logloss: report.logloss,
      ece: report.ece,
      positive_rate: report.positiveRate,
      reliability: report.reliability,
      model: fitted.kind,
      calibration: fitted.calibration,
      validation: fitted.candidates,
      baseline: { prior, prior_brier: brier(yTest, priorProbs), prior_logloss: priorLogloss },
      top_features: fitted.topFeatures(teIdx, 10),
      split: {
        [`train_${name}_from`]: at(items[0]),
        [`train_${name}_to`]: at(items[cut - 1]),
        [`test_${name}_from`]: at(items[cut]),
        [`test_${name}_to`]: at(items[items.length - 1]),
      },
    };
    out.trainN = cut;
    out.testN = nTest;
    // A model that does worse than the base rate on the held-out examples is not used: its
    // metrics are kept on the version (status 'fallback') and the records get the fallback score.
    const beats = report.logloss <= priorLogloss;
    out.metrics.beats_baseline = beats;
    if (!beats) {
      out.note = `The trained model did not beat the base rate on the ${nTest} ${notes.testWindow} (log-loss ${report.logloss.toFixed(3)} vs ${priorLogloss.toFixed(3)}); ${notes.instead}`;
      out.metrics.note_reason = {
        code: 'did_not_beat_base_rate',
        count: nTest,
        logloss: Number(report.logloss.toFixed(3)),
        base_logloss: Number(priorLogloss.toFixed(3)),
      };
      return out;
    }
    // Production: the same procedure on every labelled example.
    const production = rows.production();
    out.snapshot = {
      seed: TRAINING_SEED,
      columns: typedColumns(spec.features, production.rows).map((c) => ({ name: c.name, kind: c.kind })),
      rows: production.rows,
      y,
      ...production.extra,
      chosen: { kind: fitted.kind, calibration: fitted.calibration },
    };
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'DataError') throw err;
    out.note = `Training not possible: ${err.message}; ${notes.instead}`;
    out.metrics = { ...out.metrics, note_reason: { code: 'training_failed' } };
    out.snapshot = null;
  }
  return out;
}

/** Trains a new version of a kind of model for a tenant, stores it and rescores (see the header). */
export async function trainModel<S, T, F extends string>(
  tx: Tx,
  tenantId: string,
  spec: ModelSpec<S, T, F>,
  opts: TrainOptions = {},
): Promise<TrainResult<F>> {
  const now = opts.now ?? new Date();
  const snap = await spec.load(tx, tenantId);
  const { items, y } = spec.examples(snap, now);
  const fit = fitAndEvaluate(spec, snap, items, y, now);

  const version = await nextModelVersion(tx, tenantId, spec.kind);
  const status = fit.snapshot ? 'active' : 'fallback';
  await tx
    .update(predictionModels)
    .set({ status: 'retired' })
    .where(
      and(
        eq(predictionModels.tenant_id, tenantId),
        eq(predictionModels.kind, spec.kind),
        sql`${predictionModels.status} in ('active','fallback')`,
      ),
    );
  const [row] = await tx
    .insert(predictionModels)
    .values({
      tenant_id: tenantId,
      kind: spec.kind,
      version,
      status,
      trigger: opts.trigger ?? 'manual',
      train_rows: fit.trainN,
      test_rows: fit.testN,
      metrics: { ...fit.metrics, ...spec.historyMetrics(items, y) },
      features: spec.features.map((f) => f.name),
      model: fit.snapshot ?? spec.fallbackModel(items, y),
      note: fit.note,
    })
    .returning();
  const scored = await spec.score(tx, tenantId, snap, now);
  return {
    model_id: row.id,
    version,
    status,
    method: fit.snapshot ? 'model' : spec.fallbackMethod,
    note: fit.note,
    train_rows: fit.trainN,
    test_rows: fit.testN,
    metrics: row.metrics as Record<string, unknown>,
    scored,
  };
}

// ---------- scoring ----------

export interface Score<F extends string> {
  p: number;
  factors: TopFactor[];
  method: 'model' | F;
}

/** What a scoring run covers: every record of the snapshot, or those of `ids` still in it; `gone`: the ids no longer there. */
export function scoringScope<R extends { id: string }>(records: R[], ids?: string[]) {
  const pool = ids ? records.filter((r) => ids.includes(r.id)) : records;
  const gone = ids ? ids.filter((id) => !pool.some((r) => r.id === id)) : [];
  return { pool, gone };
}

/** The snapshot of a version to score with: an active model's, or null (none, or a fallback version). */
export function activeSnapshot<M extends TrainingSnapshot>(m: ModelRow | undefined): M | null {
  if (m?.status !== 'active') return null;
  const s = m.model as Partial<M>;
  return s.rows?.length ? (s as M) : null;
}

/** Scores feature rows with a stored version, rebuilt from its snapshot (cached per platform). */
export function modelScores<S, T, F extends string>(
  tx: Tx,
  spec: ModelSpec<S, T, F>,
  m: ModelRow,
  snapshot: TrainingSnapshot,
  rows: string[][],
): Score<F>[] {
  const loaded = fitFromSnapshot(tx, m.id, spec.features, snapshot, spec.fitOptions);
  return scoreRows(loaded, rows).map((r) => ({ ...r, method: 'model' as const }));
}

/** The columns a stored score row has whatever it scores (the probability clamped to [0, 1]). */
export function scoreColumns<F extends string>(m: ModelRow | undefined, r: Score<F>, now: Date) {
  return {
    model_id: m?.id ?? null,
    model_version: m?.version ?? null,
    p: Math.min(1, Math.max(0, r.p)),
    method: r.method,
    top_factors: r.factors,
    computed_at: now,
  };
}

interface StoredScore {
  method: string;
  model_id: string | null;
  model_version: number | null;
  top_factors: unknown;
  computed_at: Date | string;
}

/**
 * A record's stored score, scored first when it has none yet (a record created before its
 * kind's first training, or before the rescoring job ran); 404 when it still has none.
 */
export async function readOrScore<R>(read: () => Promise<R[]>, score: () => Promise<unknown>, what: string) {
  let [r] = await read();
  if (!r) {
    await score();
    [r] = await read();
  }
  if (!r) throw notFound(what);
  return r;
}

/** How a stored score is shown: its method, a label (the model version, or the fallback's name) … */
export function presentScore<F extends string>(r: StoredScore, fallbackLabel: string) {
  return {
    method: r.method as 'model' | F,
    label: r.method === 'model' ? `Model v${r.model_version}` : fallbackLabel,
    model_id: r.model_id,
    model_version: r.model_version,
    top_factors: r.top_factors as TopFactor[],
    computed_at: new Date(r.computed_at).toISOString(),
  };
}
