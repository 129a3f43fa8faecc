/**
 * What the per-tenant models (win probability, lead score) share: typed feature columns, the
 * stored training snapshot from which a fitted model is rebuilt deterministically (and cached),
 * scoring with top factors, and model versions in prediction_models.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { CacheRegistry, cachesOf } from '../../platform/caches.js';
import type { Tx } from '../../platform/db/database.js';
import { type BinaryPipelineOptions, type FittedBinaryModel, fitBinaryModel } from './ml/binary-pipeline.js';
import { type ColumnType, inferColumnType } from './ml/column-types.js';
import type { CsvTable } from './ml/csv-table.js';
import { predictionModels } from './predict.schema.js';

export interface FeatureDef {
  name: string;
  kind: 'numeric' | 'categorical';
  label: string;
}

export interface TopFactor {
  feature: string;
  label: string;
  value: string | null;
  /** log-odds contribution; > 0 raises the probability */
  contribution: number;
}

/** Enough to refit the exact model: the training rows, labels, column kinds and seed. */
export interface TrainingSnapshot {
  seed: number;
  columns: { name: string; kind: string }[];
  rows: string[][];
  y: number[];
}

/** A number as a feature cell (rounded to `d` decimals); '' when it is missing. */
export const featureNumber = (x: number | null | undefined, d = 4) =>
  x === null || x === undefined || Number.isNaN(x) ? '' : String(Number(x.toFixed(d)));

/** Column types of feature rows; constant columns are dropped, kinds come from the feature list. */
export function typedColumns(features: readonly FeatureDef[], rows: string[][]): ColumnType[] {
  return features.flatMap((f, j) => {
    const t = inferColumnType(
      f.name,
      j,
      rows.map((r) => r[j]),
    );
    if (t.kind === 'constant') return [];
    return [{ ...t, kind: f.kind }];
  });
}

export interface LoadedModel {
  features: readonly FeatureDef[];
  table: CsvTable;
  /** Rows of the training snapshot; rows after it are scored and removed again. */
  base: number;
  fitted: FittedBinaryModel;
}

/** Fitted models by version id, in the caches of the platform the transaction belongs to. */
function modelCache(from: Tx | CacheRegistry) {
  const caches = from instanceof CacheRegistry ? from : cachesOf(from);
  return caches.map<string, LoadedModel>('predict.models', { max: 50 });
}

/**
 * Forget a platform's fitted models (tests: the next score rebuilds from the stored snapshot, as
 * a cold process would). Takes a transaction of that platform or its registry (`platform.caches`).
 */
export function clearModelCache(from: Tx | CacheRegistry): void {
  modelCache(from).clear();
}

/** The fitted model of a stored version, rebuilt from its snapshot once per platform instance. */
export function fitFromSnapshot(
  tx: Tx,
  modelId: string,
  features: readonly FeatureDef[],
  s: TrainingSnapshot,
  options: BinaryPipelineOptions = {},
): LoadedModel {
  const cache = modelCache(tx);
  const cached = cache.get(modelId);
  if (cached) return cached;
  const table: CsvTable = {
    columns: features.map((f) => f.name),
    rows: s.rows.map((r) => [...r]),
    delimiter: ',',
  };
  const cols = s.columns
    .map((c) => {
      const j = features.findIndex((f) => f.name === c.name);
      if (j < 0) return null;
      const t = inferColumnType(
        c.name,
        j,
        table.rows.map((r) => r[j]),
      );
      return { ...t, kind: c.kind as ColumnType['kind'] };
    })
    .filter((c): c is ColumnType => c !== null);
  const fitted = fitBinaryModel(
    table,
    cols,
    s.rows.map((_, i) => i),
    s.y,
    { ...options, seed: s.seed },
  );
  const loaded = { features, table, base: s.rows.length, fitted };
  cache.set(modelId, loaded);
  return loaded;
}

export function factorOf(
  features: readonly FeatureDef[],
  feature: string,
  row: string[],
  contribution: number,
): TopFactor {
  const j = features.findIndex((f) => f.name === feature);
  return {
    feature,
    label: j < 0 ? feature : features[j].label,
    value: j < 0 ? null : row[j] || null,
    contribution: Number(contribution.toFixed(4)),
  };
}

/** Scores extra rows against a loaded model: rows are appended to its table, scored, then removed. */
export function scoreRows(m: LoadedModel, rows: string[][]): { p: number; factors: TopFactor[] }[] {
  m.table.rows.length = m.base;
  m.table.rows.push(...rows);
  try {
    const idx = rows.map((_, i) => m.base + i);
    const p = m.fitted.predict(idx);
    const ex = m.fitted.explain(idx, 5);
    return rows.map((r, i) => ({
      p: p[i],
      factors: ex[i].map((f) => factorOf(m.features, f.feature, r, f.contribution)),
    }));
  } finally {
    m.table.rows.length = m.base;
  }
}

export async function nextModelVersion(tx: Tx, tenantId: string, kind: string): Promise<number> {
  const [r] = await tx
    .select({ v: sql<number>`coalesce(max(${predictionModels.version}), 0)::int` })
    .from(predictionModels)
    .where(and(eq(predictionModels.tenant_id, tenantId), eq(predictionModels.kind, kind)));
  return Number(r?.v ?? 0) + 1;
}

/** The newest usable version (active or fallback) of a kind of model. */
export async function latestModel(tx: Tx, tenantId: string, kind: string) {
  const [m] = await tx
    .select()
    .from(predictionModels)
    .where(
      and(
        eq(predictionModels.tenant_id, tenantId),
        eq(predictionModels.kind, kind),
        sql`${predictionModels.status} in ('active','fallback')`,
      ),
    )
    .orderBy(desc(predictionModels.version))
    .limit(1);
  return m;
}
