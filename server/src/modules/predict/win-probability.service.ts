/**
 * Win probability per open opportunity, trained per tenant on its own closed history.
 *
 * Features are computed "as of" an observation time t, never later: for an open deal t = now;
 * for a closed deal t is a deterministic point inside its life (30–80 % of created → closed),
 * so the model learns from deals in the state open deals are in, not from their outcome.
 * Stage and time-in-stage at t come from the change log; where a deal has no stage history
 * (seeded or imported closed deals) they are missing, and the model learns nothing from them.
 *
 * Training is the shared pipeline (model-training.ts) over the spec WIN_MODEL. Split: closed deals
 * ordered by closed_at; the last 20 % (≥ 10) are the test window, never seen while fitting. The
 * toolkit's binary pipeline (ml/binary-pipeline.ts: LR / GBDT / blend, picked and calibrated on a
 * validation tail of the train window) does the learning; test metrics are stored on the model
 * version. The production model is then refitted the same way on every closed deal.
 *
 * Serialisation: the fitted pipeline is a set of closures, so a version stores its training
 * snapshot (feature rows, labels, column kinds, owner stats, seed). Fitting is deterministic given
 * those, so a cold process rebuilds the exact model once and caches it in its platform's caches
 * (model-store.ts, `predict.models`).
 *
 * Fallback: with fewer than MIN_HISTORY closed deals, one class missing (in the history, the
 * train window or the test window), or a model whose held-out log-loss is worse than the base
 * rate's, a version with status 'fallback' is stored (with its metrics when it was evaluated) and
 * every open deal gets its stage's probability, method 'stage_fallback'.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { upsertRows } from '../../platform/db/bulk-insert.js';
import type { Tx } from '../../platform/db/database.js';
import type { Stage } from '../crm/crm.service.js';
import { type FeatureDef, featureNumber, latestModel } from './model-store.js';
import {
  activeSnapshot,
  type ModelSnapshotBase,
  type ModelSpec,
  type TrainResult as ModelTrainResult,
  modelScores,
  presentScore,
  readOrScore,
  type Score,
  scoreColumns,
  scoringScope,
  type TrainOptions,
  trainModel,
} from './model-training.js';
import { opportunityPredictions, type predictionModels } from './predict.schema.js';
import { type CrmSnapshot, loadCrmSnapshot, loadOpportunities, type OppRow } from './predict-data.js';

export const MIN_HISTORY = 60;
const DAY = 86_400_000;
const OWNER_PSEUDO = 5;

export const WIN_FEATURES: FeatureDef[] = [
  { name: 'stage', kind: 'categorical', label: 'Stage' },
  { name: 'age_days', kind: 'numeric', label: 'Age (days)' },
  { name: 'days_in_stage', kind: 'numeric', label: 'Days in stage' },
  { name: 'log_amount', kind: 'numeric', label: 'Amount (log)' },
  { name: 'owner_win_rate', kind: 'numeric', label: "Owner's win rate" },
  { name: 'product_family', kind: 'categorical', label: 'Product family' },
  { name: 'industry', kind: 'categorical', label: 'Industry' },
  { name: 'account_size', kind: 'categorical', label: 'Account size' },
  { name: 'log_employees', kind: 'numeric', label: 'Employees (log)' },
  { name: 'activities_total', kind: 'numeric', label: 'Activities so far' },
  { name: 'activities_30d', kind: 'numeric', label: 'Activities, last 30 days' },
  { name: 'activities_90d', kind: 'numeric', label: 'Activities, last 90 days' },
  { name: 'days_since_activity', kind: 'numeric', label: 'Days since last activity' },
  { name: 'committee_roles', kind: 'numeric', label: 'Buying-committee roles covered' },
];

type OwnerStats = Record<string, { wins: number; n: number }>;

export type { TopFactor } from './model-store.js';

export interface ModelSnapshot extends ModelSnapshotBase {
  owner_stats: OwnerStats;
}

/** Deterministic position in [0,1) from an id, so observation times are stable across retrains. */
function unitHash(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

export function observationTime(o: OppRow, now: Date): number {
  if (o.status === 'open' || !o.closed_at) return now.getTime();
  const c = new Date(o.created_at).getTime();
  const z = new Date(o.closed_at).getTime();
  if (z <= c) return z;
  return c + (0.3 + 0.5 * unitHash(o.id)) * (z - c);
}

function stageAt(snap: CrmSnapshot, o: OppRow, t: number): { stage: string | null; since: number | null } {
  const stages = snap.stagesByPipeline.get(o.pipeline_id) ?? [];
  const isOpen = (k: string | null) => !!k && stages.some((s) => s.key === k && s.kind === 'open');
  if (o.status === 'open') return { stage: o.stage, since: new Date(o.stage_changed_at).getTime() };
  const hist = snap.stageHistory.get(o.id) ?? [];
  let stage: string | null = null;
  let since: number | null = null;
  for (const h of hist) {
    if (h.at <= t) {
      stage = h.new;
      since = h.at;
    } else {
      if (stage === null) stage = h.old; // the stage it left after t was the stage at t
      break;
    }
  }
  return isOpen(stage) ? { stage, since } : { stage: null, since: null };
}

function ownerRate(stats: OwnerStats, prior: number, owner: string | null): number {
  const s = owner ? stats[owner] : undefined;
  const wins = s?.wins ?? 0;
  const n = s?.n ?? 0;
  return (wins + OWNER_PSEUDO * prior) / (n + OWNER_PSEUDO);
}

/** One feature row (strings, as the toolkit's tables hold them) for opportunity o as of time t. */
export function featureRow(snap: CrmSnapshot, o: OppRow, t: number, ownerWinRate: number): string[] {
  const acc = snap.accounts.get(o.account_id);
  const acts = (snap.activitiesByOpp.get(o.id) ?? []).filter((a) => a <= t);
  const last = acts.at(-1);
  const st = stageAt(snap, o, t);
  const roles = new Set(
    (snap.contactsByAccount.get(o.account_id) ?? [])
      .filter((c) => c.role && new Date(c.created_at).getTime() <= t)
      .map((c) => c.role),
  );
  const family = o.product_ids.map((p) => snap.productFamily.get(p)).find((f) => !!f) ?? '';
  const values: Record<string, string> = {
    stage: st.stage ?? '',
    age_days: featureNumber((t - new Date(o.created_at).getTime()) / DAY, 1),
    days_in_stage: st.since === null ? '' : featureNumber(Math.max(0, t - st.since) / DAY, 1),
    log_amount: featureNumber(Math.log1p(Math.max(0, o.amount))),
    owner_win_rate: featureNumber(ownerWinRate),
    product_family: family,
    industry: acc?.industry ?? '',
    account_size: acc?.size ?? '',
    log_employees: acc?.employees ? featureNumber(Math.log1p(acc.employees)) : '',
    activities_total: String(acts.length),
    activities_30d: String(acts.filter((a) => a > t - 30 * DAY).length),
    activities_90d: String(acts.filter((a) => a > t - 90 * DAY).length),
    days_since_activity: last === undefined ? '' : featureNumber((t - last) / DAY, 1),
    committee_roles: String(roles.size),
  };
  return WIN_FEATURES.map((f) => values[f.name]);
}

function ownerStatsOf(closed: OppRow[]): { stats: OwnerStats; prior: number } {
  const stats: OwnerStats = {};
  let wins = 0;
  for (const o of closed) {
    const y = o.status === 'won' ? 1 : 0;
    wins += y;
    if (!o.owner_id) continue;
    const s = (stats[o.owner_id] ??= { wins: 0, n: 0 });
    s.wins += y;
    s.n += 1;
  }
  return { stats, prior: closed.length ? wins / closed.length : 0.5 };
}

/**
 * Training rows. The owner's win rate of a training deal is the one known at its observation
 * time: only that owner's deals that had closed by then count. (Leave-one-out over the whole
 * window leaks: within one owner the value then differs by exactly the row's own label, which a
 * tree separates perfectly and which reverses on new deals.)
 */
function trainingRows(snap: CrmSnapshot, closed: OppRow[], prior: number, now: Date) {
  const byOwner = new Map<string, { at: number; won: number }[]>();
  for (const o of closed) {
    if (!o.owner_id || !o.closed_at) continue;
    const list = byOwner.get(o.owner_id) ?? [];
    list.push({ at: new Date(o.closed_at).getTime(), won: o.status === 'won' ? 1 : 0 });
    byOwner.set(o.owner_id, list);
  }
  // Per owner: close times ascending with running win counts, for a binary search per row.
  const prefix = new Map<string, { at: number[]; wins: number[] }>();
  for (const [owner, list] of byOwner) {
    list.sort((a, b) => a.at - b.at);
    let w = 0;
    prefix.set(owner, {
      at: list.map((x) => x.at),
      wins: list.map((x) => (w += x.won)),
    });
  }
  return closed.map((o) => {
    const t = observationTime(o, now);
    const p = o.owner_id ? prefix.get(o.owner_id) : undefined;
    let n = 0;
    let wins = 0;
    if (p) {
      let lo = 0;
      let hi = p.at.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (p.at[mid] < t) lo = mid + 1;
        else hi = mid;
      }
      n = lo;
      wins = lo > 0 ? p.wins[lo - 1] : 0;
    }
    return featureRow(snap, o, t, (wins + OWNER_PSEUDO * prior) / (n + OWNER_PSEUDO));
  });
}

// ---------- training ----------

export type TrainResult = ModelTrainResult<'stage_fallback'>;

const isClosed = (o: OppRow) => (o.status === 'won' || o.status === 'lost') && !!o.closed_at;
const closedTime = (o: OppRow) => new Date(o.closed_at!).getTime();

/** The win model as a spec of the shared pipeline (model-training.ts). */
const WIN_MODEL: ModelSpec<CrmSnapshot, OppRow, 'stage_fallback'> = {
  kind: 'win_probability',
  features: WIN_FEATURES,
  minHistory: MIN_HISTORY,
  // No refit after calibration: the calibrator was learned on the pre-tail model's tail
  // predictions, and applying it to a refitted (more confident) model left it miscalibrated.
  fitOptions: { refit: false },
  fallbackMethod: 'stage_fallback',
  load: (tx, tenantId) => loadCrmSnapshot(tx, tenantId),
  examples(snap) {
    const items = snap.opportunities
      .filter(isClosed)
      .sort((a, b) => closedTime(a) - closedTime(b) || a.id.localeCompare(b.id));
    return { items, y: items.map((o) => (o.status === 'won' ? 1 : 0)) };
  },
  rows: (snap, closed, _y, now) => ({
    evaluation(cut) {
      // Owner stats and every fitted statistic from the train window only.
      const train = closed.slice(0, cut);
      const tr = ownerStatsOf(train);
      return {
        train: trainingRows(snap, train, tr.prior, now),
        test: closed
          .slice(cut)
          .map((o) =>
            featureRow(snap, o, observationTime(o, now), ownerRate(tr.stats, tr.prior, o.owner_id)),
          ),
      };
    },
    production() {
      const all = ownerStatsOf(closed);
      return {
        rows: trainingRows(snap, closed, all.prior, now),
        extra: { owner_stats: all.stats, prior: all.prior },
      };
    },
  }),
  splitBy: { name: 'closed', at: (o) => o.closed_at },
  notes: {
    history: 'closed opportunities',
    testWindow: 'most recently closed deals',
    oneClass: (wins) => `Closed history has only ${wins === 0 ? 'lost' : 'won'} deals`,
    instead: 'using stage probabilities.',
  },
  historyMetrics: (closed, y) => ({
    closed_history: closed.length,
    closed_won: y.filter((v) => v === 1).length,
  }),
  fallbackModel: () => ({}),
  score: (tx, tenantId, snap, now) => scoreOpportunities(tx, tenantId, undefined, { snap, now }),
};

export function trainWinModel(tx: Tx, tenantId: string, opts: TrainOptions = {}): Promise<TrainResult> {
  return trainModel(tx, tenantId, WIN_MODEL, opts);
}

// ---------- scoring ----------

export function activeModel(tx: Tx, tenantId: string) {
  return latestModel(tx, tenantId, 'win_probability');
}

function stageProbability(snap: CrmSnapshot, o: OppRow): number {
  const stages: Stage[] = snap.stagesByPipeline.get(o.pipeline_id) ?? [];
  const s = stages.find((x) => x.key === o.stage);
  return (s?.probability ?? o.probability ?? 0) / 100;
}

/**
 * Scores open opportunities (all, or the given ids) with the tenant's active model, or by stage
 * when there is none / it is a fallback version; upserts opportunity_predictions. Closed or
 * deleted opportunities lose their prediction row. Idempotent.
 */
export async function scoreOpportunities(
  tx: Tx,
  tenantId: string,
  ids?: string[],
  opts: { snap?: CrmSnapshot; now?: Date } = {},
): Promise<number> {
  const now = opts.now ?? new Date();
  const snap = opts.snap ?? (await loadCrmSnapshot(tx, tenantId, ids));
  const { pool, gone } = scoringScope(snap.opportunities, ids);
  const open = pool.filter((o) => o.status === 'open');
  const closedIds = [...pool.filter((o) => o.status !== 'open').map((o) => o.id), ...gone];
  for (const id of closedIds)
    await tx
      .delete(opportunityPredictions)
      .where(
        and(eq(opportunityPredictions.tenant_id, tenantId), eq(opportunityPredictions.opportunity_id, id)),
      );
  if (open.length === 0) return 0;

  const m = await activeModel(tx, tenantId);
  const snapModel = activeSnapshot<ModelSnapshot>(m);
  let results: Score<'stage_fallback'>[];
  if (m && snapModel) {
    const rows = open.map((o) =>
      featureRow(snap, o, now.getTime(), ownerRate(snapModel.owner_stats, snapModel.prior, o.owner_id)),
    );
    results = modelScores(tx, WIN_MODEL, m, snapModel, rows);
  } else {
    results = open.map((o) => ({
      p: stageProbability(snap, o),
      factors: [
        { feature: 'stage', label: 'Stage (default stage probability)', value: o.stage, contribution: 0 },
      ],
      method: 'stage_fallback' as const,
    }));
  }
  const values = open.map((o, i) => {
    const { p, ...columns } = scoreColumns(m, results[i], now);
    return { tenant_id: tenantId, opportunity_id: o.id, probability: p, ...columns };
  });
  await upsertRows(tx, opportunityPredictions, values, [
    opportunityPredictions.tenant_id,
    opportunityPredictions.opportunity_id,
  ]);
  return open.length;
}

export const FALLBACK_LABEL = 'Stage probability (not enough closed history for a trained model)';

export async function getPrediction(tx: Tx, tenantId: string, opp: OppRow) {
  if (opp.status !== 'open') {
    return {
      opportunity_id: opp.id,
      probability: opp.status === 'won' ? 1 : 0,
      method: 'closed' as const,
      label: `Closed ${opp.status}`,
      model_id: null,
      model_version: null,
      top_factors: [],
      computed_at: opp.closed_at ? new Date(opp.closed_at).toISOString() : null,
    };
  }
  const p = await readOrScore(
    () =>
      tx
        .select()
        .from(opportunityPredictions)
        .where(
          and(
            eq(opportunityPredictions.tenant_id, tenantId),
            eq(opportunityPredictions.opportunity_id, opp.id),
          ),
        ),
    () => scoreOpportunities(tx, tenantId, [opp.id]),
    'Prediction',
  );
  return {
    opportunity_id: opp.id,
    probability: p.probability,
    ...presentScore<'stage_fallback'>(p, FALLBACK_LABEL),
  };
}

/** Current win probability of every open deal (for the forecast), by stage when never scored. */
export async function winProbabilities(tx: Tx, tenantId: string): Promise<Map<string, number>> {
  const rows = await tx
    .select({ id: opportunityPredictions.opportunity_id, p: opportunityPredictions.probability })
    .from(opportunityPredictions)
    .where(eq(opportunityPredictions.tenant_id, tenantId));
  return new Map(rows.map((r) => [r.id, r.p]));
}

export function presentModel(m: typeof predictionModels.$inferSelect, withDetails = false) {
  const { model, ...rest } = m;
  const s = model as Partial<ModelSnapshot>;
  const metrics = m.metrics as Record<string, unknown>;
  return {
    ...rest,
    trained_at: new Date(m.trained_at).toISOString(),
    method:
      m.status === 'fallback' ? (m.kind === 'lead_score' ? 'rules_fallback' : 'stage_fallback') : 'model',
    algorithm: s.chosen ?? null,
    metrics: withDetails ? metrics : { ...metrics, reliability: undefined, validation: undefined },
  };
}

export interface PredictionOut {
  opportunity_id: string;
  probability: number;
  method: string;
  label: string;
  model_id: string | null;
  model_version: number | null;
  top_factors: { feature: string; label: string; value: string | null; contribution: number }[];
  computed_at: string | null;
}

/**
 * The win probability of each opportunity, as GET /opportunities/:id/prediction gives it
 * (getPrediction), for many at once: closed deals answer from their status, open ones from the
 * stored score; deals never scored are scored together once. A bounded number of statements
 * whatever the number of ids. Callers pass ids the actor may read (checked by the opportunity read).
 */
export async function getPredictions(
  tx: Tx,
  tenantId: string,
  ids: readonly string[],
): Promise<Map<string, PredictionOut>> {
  const out = new Map<string, PredictionOut>();
  const wanted = [...new Set(ids.filter((id) => z.uuid().safeParse(id).success))];
  if (wanted.length === 0) return out;
  const opps = await loadOpportunities(tx, tenantId, wanted);
  const open = opps.filter((o) => o.status === 'open').map((o) => o.id);
  for (const o of opps) if (o.status !== 'open') out.set(o.id, await getPrediction(tx, tenantId, o));
  if (open.length === 0) return out;
  const read = () =>
    tx
      .select()
      .from(opportunityPredictions)
      .where(
        and(
          eq(opportunityPredictions.tenant_id, tenantId),
          inArray(opportunityPredictions.opportunity_id, open),
        ),
      );
  let rows = await read();
  if (rows.length < open.length) {
    const have = new Set(rows.map((r) => r.opportunity_id));
    await scoreOpportunities(
      tx,
      tenantId,
      open.filter((id) => !have.has(id)),
    );
    rows = await read();
  }
  for (const r of rows)
    out.set(r.opportunity_id, {
      opportunity_id: r.opportunity_id,
      probability: r.probability,
      ...presentScore<'stage_fallback'>(r, FALLBACK_LABEL),
    });
  return out;
}
