/**
 * Revenue forecast per month or quarter, per rep / team / region.
 *
 *   expected(group, period) = won to date (deals already won in the period)
 *                           + Σ open amount × p_win × P(close in period)
 *                           + run-rate (deals not yet created)
 *
 * - p_win: the stored win probability (model or stage fallback, see win-probability.service.ts);
 *   an open deal never scored uses its stage probability.
 * - P(close in period): the close-timing distribution learned from the tenant's won deals: the
 *   empirical slip (closed_at − expected_close_date, days). With fewer than MIN_SLIP_SAMPLES won
 *   deals a documented prior is used (slip uniform on 0…30 days). A date that would fall in the
 *   past is moved to today (overdue deals close soon or not at all, not yesterday).
 * - run-rate: mean won revenue, per group, of deals created AND closed inside the same period,
 *   over the last RUN_RATE_PERIODS complete periods; scaled by the share of the period left.
 * - P10–P90: Monte Carlo (seeded). Note: with few, large, unlikely deals the distribution is
 *   skewed and the mean (`expected`) can lie above P90 — that is reported as is, not clipped.
 * - P10–P90: Monte Carlo (seeded): each open deal wins with p_win and, if won, lands in the period
 *   its sampled slip puts it in; won-to-date and run-rate are added as constants.
 * - commit: Σ amount of open deals expected to close in the period whose stage probability is
 *   ≥ 80 %, or whose custom field `commit` is true (the rep's own call), plus won to date.
 * - quota: from the quota store (quota.service.ts): the group's own quota for the period, else
 *   derived — a quarter = Σ its month quotas, a month = its quarter's quota / 3, a team / region
 *   = Σ its reps' quotas, the total = Σ every rep's quota; null when nothing applies. Groups that
 *   have a quota but no deals are listed too (a rep with a target and an empty pipeline matters).
 *   attainment = won to date / quota (null without a quota).
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.js';
import type { Stage } from '../crm/crm.service.js';
import { mape, wape } from './ml/metrics.js';
import { createRng } from './ml/random.js';
import { forecastSnapshots } from './predict.schema.js';
import { type CrmSnapshot, loadNames, loadOpportunities, loadStages, type OppRow } from './predict-data.js';
import { loadQuotaResolver, type QuotaResolver } from './quota.service.js';
import { activeModel, winProbabilities } from './win-probability.service.js';

const DAY = 86_400_000;
export const MIN_SLIP_SAMPLES = 20;
const RUN_RATE_PERIODS = { month: 6, quarter: 4 } as const;
const SIMULATIONS = 2000;
const COMMIT_STAGE_PROBABILITY = 80;

export type PeriodKind = 'month' | 'quarter';
export type GroupBy = 'rep' | 'team' | 'region';

export interface Period {
  key: string;
  start: number; // ms, inclusive (UTC)
  end: number; // ms, exclusive
}

export function periodOf(kind: PeriodKind, t: number): Period {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const m = kind === 'month' ? d.getUTCMonth() : Math.floor(d.getUTCMonth() / 3) * 3;
  const len = kind === 'month' ? 1 : 3;
  const start = Date.UTC(y, m, 1);
  const end = Date.UTC(y, m + len, 1);
  const key = kind === 'month' ? `${y}-${String(m + 1).padStart(2, '0')}` : `${y}-Q${m / 3 + 1}`;
  return { key, start, end };
}

export function nextPeriod(kind: PeriodKind, p: Period): Period {
  return periodOf(kind, p.end);
}

const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

export interface ForecastRow {
  period: string;
  period_start: string;
  period_end: string;
  group_key: string;
  group_label: string;
  expected: number;
  p10: number;
  p90: number;
  commit: number;
  quota: number | null;
  /** won_to_date / quota (1 = quota reached); null without a quota. */
  attainment: number | null;
  won_to_date: number;
  open_expected: number;
  run_rate: number;
  open_deals: number;
  /** Mean of the Monte Carlo draws: equals `expected` up to simulation error (a consistency check). */
  simulated_mean: number;
}

export interface Forecast {
  period_kind: PeriodKind;
  group_by: GroupBy;
  as_of: string;
  model_version: number | null;
  method: 'model' | 'stage_fallback' | 'none';
  close_timing: { source: 'history' | 'prior'; samples: number; median_slip_days: number };
  periods: {
    period: string;
    period_start: string;
    period_end: string;
    total: ForecastRow;
    groups: ForecastRow[];
  }[];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function groupKey(o: OppRow, by: GroupBy): string {
  const k = by === 'rep' ? o.owner_id : by === 'team' ? o.team_id : o.region_id;
  return k ?? 'unassigned';
}

function dateMs(d: string): number {
  return Date.parse(`${d}T00:00:00Z`);
}

type ForecastOptions = {
  period: PeriodKind;
  groupBy: GroupBy;
  from?: string;
  periods?: number;
  now?: Date;
  seed?: number;
  /** Record-level sharing: only these opportunities count (undefined: all of the tenant). */
  visibleIds?: Set<string>;
};

/** The forecast's periods: `n` consecutive ones from the month `from` (YYYY-MM), else from now. */
function forecastPeriods(kind: PeriodKind, n: number, firstStart: number): Period[] {
  const periods: Period[] = [periodOf(kind, firstStart)];
  while (periods.length < n) periods.push(nextPeriod(kind, periods.at(-1)!));
  return periods;
}

/** Start of the UTC day of `now`. */
function dayStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** What a forecast is computed from, loaded in one go (sequential on purpose: one transaction = one connection). */
async function loadForecastInputs(tx: Tx, tenantId: string, opts: ForecastOptions) {
  const all = await loadOpportunities(tx, tenantId);
  const visible = opts.visibleIds;
  const opps = visible ? all.filter((o) => visible.has(o.id)) : all;
  const stages = await loadStages(tx, tenantId);
  const names = await loadNames(tx, tenantId);
  const probs = await winProbabilities(tx, tenantId);
  const model = await activeModel(tx, tenantId);
  return { all, opps, stages, names, probs, model };
}

interface SlipModel {
  /** Slip samples in days (closed_at − expected_close_date of won deals, or the prior 0…30). */
  slips: number[];
  source: 'history' | 'prior';
}

/** Close-timing distribution from the tenant's whole won history (a statistic, no deal is shown). */
function slipModel(all: OppRow[]): SlipModel {
  const slips = all
    .filter((o) => o.status === 'won' && o.closed_at)
    .map((o) => Math.round((new Date(o.closed_at!).getTime() - dateMs(o.expected_close_date)) / DAY));
  if (slips.length < MIN_SLIP_SAMPLES)
    return { slips: Array.from({ length: 31 }, (_, i) => i), source: 'prior' };
  return { slips, source: 'history' };
}

/**
 * The groups a forecast lists: every group with a deal, and groups with a quota but no deals (a
 * quota left behind by a deleted user / team / region is not: it would show as a bare id).
 */
function forecastGroups(
  opps: OppRow[],
  groupBy: GroupBy,
  names: CrmSnapshot['names'],
  quotaBook: QuotaResolver,
  periods: Period[],
) {
  const keys = new Set<string>(opps.map((o) => groupKey(o, groupBy)));
  const groupNames = groupBy === 'rep' ? names.users : groupBy === 'team' ? names.teams : names.regions;
  for (const p of periods)
    for (const k of quotaBook.keysWithQuota(groupBy, p.key)) if (groupNames.has(k)) keys.add(k);
  const list = [...keys].sort();
  return {
    list,
    index: new Map(list.map((k, i) => [k, i])),
    label: (k: string) => (k === 'unassigned' ? 'Unassigned' : (groupNames.get(k) ?? k)),
  };
}

/** The per-deal view a forecast needs: its group, its period, its win and close-timing chances. */
interface DealContext {
  now: number;
  today: number;
  periods: Period[];
  slips: number[];
  groupOf: (o: OppRow) => number;
  periodIndex: (t: number) => number;
  /** When a deal closes with this slip (never before today). */
  landing: (o: OppRow, slip: number) => number;
  stageProb: (o: OppRow) => number;
  pWin: (o: OppRow) => number;
}

/** Per-period, per-group figures (Float64Array per period, one cell per group). */
type Cells = Float64Array[];

/** Won to date, open expected, commit and open-deal counts per period and group. */
function dealFigures(ctx: DealContext, won: OppRow[], open: OppRow[], groups: number) {
  const P = ctx.periods.length;
  const cell = (): Cells => Array.from({ length: P }, () => new Float64Array(groups));
  const wonToDate = cell();
  const openExpected = cell();
  const commit = cell();
  const openDeals = Array.from({ length: P }, () => new Int32Array(groups));
  for (const o of won) {
    const pi = ctx.periodIndex(new Date(o.closed_at!).getTime());
    if (pi >= 0 && new Date(o.closed_at!).getTime() <= ctx.now) wonToDate[pi][ctx.groupOf(o)] += o.amount;
  }
  // P(close in period) per open deal from the slip distribution.
  const closeProbs = open.map((o) => {
    const v = new Float64Array(P);
    for (const s of ctx.slips) {
      const pi = ctx.periodIndex(ctx.landing(o, s));
      if (pi >= 0) v[pi] += 1 / ctx.slips.length;
    }
    return v;
  });
  open.forEach((o, i) => {
    const g = ctx.groupOf(o);
    const p = ctx.pWin(o);
    for (let k = 0; k < P; k++) openExpected[k][g] += o.amount * p * closeProbs[i][k];
    const ec = ctx.periodIndex(Math.max(ctx.today, dateMs(o.expected_close_date)));
    if (ec >= 0) {
      openDeals[ec][g] += 1;
      if (ctx.stageProb(o) >= COMMIT_STAGE_PROBABILITY || o.custom?.commit === true)
        commit[ec][g] += o.amount;
    }
  });
  return { wonToDate, openExpected, commit, openDeals };
}

/**
 * Run-rate per period and group: won deals created and closed in the same period, over the last
 * RUN_RATE_PERIODS complete periods, scaled by the share of each forecast period still ahead.
 */
function runRates(ctx: DealContext, kind: PeriodKind, won: OppRow[], groups: number): Cells {
  const history: Period[] = [];
  let hp = periodOf(kind, ctx.now);
  for (let i = 0; i < RUN_RATE_PERIODS[kind]; i++) {
    hp = periodOf(kind, hp.start - 1);
    history.push(hp);
  }
  const rr = new Float64Array(groups);
  for (const o of won) {
    const c = new Date(o.created_at).getTime();
    const z = new Date(o.closed_at!).getTime();
    const h = history.find((p) => c >= p.start && c < p.end && z >= p.start && z < p.end);
    if (h) rr[ctx.groupOf(o)] += o.amount / history.length;
  }
  return ctx.periods.map((p) => {
    const left = Math.min(1, Math.max(0, (p.end - Math.max(p.start, ctx.now)) / (p.end - p.start)));
    const v = new Float64Array(groups);
    for (let g = 0; g < groups; g++) v[g] = rr[g] * left;
    return v;
  });
}

/**
 * Monte Carlo draws per period and group (index `groups` = the total): each open deal wins with
 * p_win and, if won, lands in the period its sampled slip puts it in; won to date and run-rate
 * are added as constants.
 */
function simulate(
  ctx: DealContext,
  open: OppRow[],
  base: { wonToDate: Cells; runRate: Cells },
  groups: number,
  seed: number,
): Float64Array[][] {
  const P = ctx.periods.length;
  const G = groups;
  const rng = createRng(seed);
  const sims = Array.from({ length: P }, () =>
    Array.from({ length: G + 1 }, () => new Float64Array(SIMULATIONS)),
  );
  const constant = Array.from({ length: P }, (_, k) => {
    const b = new Float64Array(G + 1);
    for (let g = 0; g < G; g++) {
      b[g] = base.wonToDate[k][g] + base.runRate[k][g];
      b[G] += b[g];
    }
    return b;
  });
  for (let s = 0; s < SIMULATIONS; s++) {
    for (let k = 0; k < P; k++) for (let g = 0; g <= G; g++) sims[k][g][s] = constant[k][g];
    for (const o of open) {
      if (rng() >= ctx.pWin(o)) continue;
      const slip = ctx.slips[Math.floor(rng() * ctx.slips.length)];
      const k = ctx.periodIndex(ctx.landing(o, slip));
      if (k < 0) continue;
      const g = ctx.groupOf(o);
      sims[k][g][s] += o.amount;
      sims[k][G][s] += o.amount;
    }
  }
  return sims;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** One row of the forecast: period k, group g (g = groups: the total). */
function forecastRow(
  f: ReturnType<typeof dealFigures> & { runRate: Cells; sims: Float64Array[][] },
  p: Period,
  k: number,
  g: number,
  groups: number,
  group: { key: string; label: string; quota: number | null },
): ForecastRow {
  const total = g === groups;
  const sorted = Array.from(f.sims[k][g]).sort((a, b) => a - b);
  const sum = (a: Cells) => (total ? a[k].reduce((x, y) => x + y, 0) : a[k][g]);
  const w = sum(f.wonToDate);
  const oe = sum(f.openExpected);
  const r = sum(f.runRate);
  const { quota } = group;
  return {
    period: p.key,
    period_start: iso(p.start),
    period_end: iso(p.end - DAY),
    group_key: group.key,
    group_label: group.label,
    expected: round(w + oe + r),
    p10: round(quantile(sorted, 0.1)),
    p90: round(quantile(sorted, 0.9)),
    commit: round(w + sum(f.commit)),
    quota,
    attainment: quota ? Math.round((w / quota) * 10_000) / 10_000 : null,
    won_to_date: round(w),
    open_expected: round(oe),
    run_rate: round(r),
    open_deals: total ? f.openDeals[k].reduce((x, y) => x + y, 0) : f.openDeals[k][g],
    simulated_mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

export async function computeForecast(tx: Tx, tenantId: string, opts: ForecastOptions): Promise<Forecast> {
  const now = (opts.now ?? new Date()).getTime();
  const kind = opts.period;
  const { all, opps, stages, names, probs, model } = await loadForecastInputs(tx, tenantId, opts);
  const periods = forecastPeriods(
    kind,
    Math.min(12, Math.max(1, opts.periods ?? 3)),
    opts.from ? dateMs(`${opts.from}-01`) : now,
  );
  const today = dayStart(now);
  const slip = slipModel(all);
  const won = opps.filter((o) => o.status === 'won' && o.closed_at);
  const open = opps.filter((o) => o.status === 'open');

  const quotaBook = await loadQuotaResolver(
    tx,
    tenantId,
    periods.map((p) => p.key),
    opps,
  );
  const groups = forecastGroups(opps, opts.groupBy, names, quotaBook, periods);
  const G = groups.list.length;
  const stageProb = (o: OppRow) => {
    const s = (stages.get(o.pipeline_id) ?? ([] as Stage[])).find((x) => x.key === o.stage);
    return s?.probability ?? o.probability ?? 0;
  };
  const ctx: DealContext = {
    now,
    today,
    periods,
    slips: slip.slips,
    groupOf: (o) => groups.index.get(groupKey(o, opts.groupBy))!,
    periodIndex: (t) => periods.findIndex((p) => t >= p.start && t < p.end),
    landing: (o, s) => Math.max(today, dateMs(o.expected_close_date) + s * DAY),
    stageProb,
    pWin: (o) => probs.get(o.id) ?? stageProb(o) / 100,
  };

  const figures = dealFigures(ctx, won, open, G);
  const runRate = runRates(ctx, kind, won, G);
  const sims = simulate(ctx, open, { wonToDate: figures.wonToDate, runRate }, G, opts.seed ?? 7);
  const f = { ...figures, runRate, sims };
  const out = periods.map((p, k) => ({
    period: p.key,
    period_start: iso(p.start),
    period_end: iso(p.end - DAY),
    total: forecastRow(f, p, k, G, G, {
      key: 'total',
      label: 'Total',
      quota: quotaBook.quotaFor('total', 'all', p.key),
    }),
    groups: groups.list.map((key, g) =>
      forecastRow(f, p, k, g, G, {
        key,
        label: groups.label(key),
        quota: key === 'unassigned' ? null : quotaBook.quotaFor(opts.groupBy, key, p.key),
      }),
    ),
  }));
  return {
    period_kind: kind,
    group_by: opts.groupBy,
    as_of: new Date(now).toISOString(),
    model_version: model?.status === 'active' ? model.version : null,
    method: model?.status === 'active' ? 'model' : open.length ? 'stage_fallback' : 'none',
    close_timing: {
      source: slip.source,
      samples: slip.source === 'history' ? slip.slips.length : 0,
      median_slip_days: quantile(
        [...slip.slips].sort((a, b) => a - b),
        0.5,
      ),
    },
    periods: out,
  };
}

/** Stores the forecast of the period containing `now` for the total and every grouping. */
export async function takeSnapshot(
  tx: Tx,
  tenantId: string,
  opts: { period: PeriodKind; now?: Date },
): Promise<{ period: string; rows: number; total: ForecastRow }> {
  const rows: (typeof forecastSnapshots.$inferInsert)[] = [];
  let total: ForecastRow | null = null;
  let version: number | null = null;
  for (const by of ['rep', 'team', 'region'] as GroupBy[]) {
    const f = await computeForecast(tx, tenantId, {
      period: opts.period,
      groupBy: by,
      periods: 1,
      now: opts.now,
    });
    const p = f.periods[0];
    version = f.model_version;
    const mk = (r: ForecastRow, groupBy: string) => ({
      tenant_id: tenantId,
      period: p.period,
      period_kind: opts.period,
      period_start: p.period_start,
      period_end: p.period_end,
      group_by: groupBy,
      group_key: r.group_key,
      group_label: r.group_label,
      expected: r.expected,
      p10: r.p10,
      p90: r.p90,
      commit: r.commit,
      quota: r.quota,
      model_version: version,
    });
    if (!total) {
      total = p.total;
      rows.push(mk(p.total, 'total'));
    }
    for (const g of p.groups) rows.push(mk(g, by));
  }
  await tx.insert(forecastSnapshots).values(rows);
  return { period: total!.period, rows: rows.length, total: total! };
}

export interface AccuracyRow {
  period: string;
  period_start: string;
  period_end: string;
  snapshot_at: string;
  expected: number;
  p10: number;
  p90: number;
  actual: number;
  error: number;
  ape: number | null;
  within_p10_p90: boolean;
  complete: boolean;
}

/**
 * Forecast vs actual on the tenant's own data: for each period with a total snapshot, the
 * earliest snapshot taken (the one at period start) against the revenue actually won in the
 * period. MAPE/WAPE are over complete (ended) periods only.
 */
export async function forecastAccuracy(
  tx: Tx,
  tenantId: string,
  opts: { period: PeriodKind; now?: Date },
): Promise<{
  period_kind: PeriodKind;
  mape: number | null;
  wape: number | null;
  periods_evaluated: number;
  data: AccuracyRow[];
}> {
  const now = (opts.now ?? new Date()).getTime();
  const snaps = await tx
    .select()
    .from(forecastSnapshots)
    .where(
      and(
        eq(forecastSnapshots.tenant_id, tenantId),
        eq(forecastSnapshots.period_kind, opts.period),
        eq(forecastSnapshots.group_by, 'total'),
      ),
    )
    .orderBy(asc(forecastSnapshots.period_start), asc(forecastSnapshots.created_at));
  const first = new Map<string, (typeof snaps)[number]>();
  for (const s of snaps) if (!first.has(s.period)) first.set(s.period, s);
  const won = (await loadOpportunities(tx, tenantId)).filter((o) => o.status === 'won' && o.closed_at);
  const data: AccuracyRow[] = [...first.values()].map((s) => {
    const start = dateMs(s.period_start);
    const end = dateMs(s.period_end) + DAY;
    const actual = won
      .filter((o) => {
        const t = new Date(o.closed_at!).getTime();
        return t >= start && t < end;
      })
      .reduce((a, o) => a + o.amount, 0);
    const error = s.expected - actual;
    return {
      period: s.period,
      period_start: s.period_start,
      period_end: s.period_end,
      snapshot_at: new Date(s.created_at).toISOString(),
      expected: s.expected,
      p10: s.p10,
      p90: s.p90,
      actual,
      error,
      ape: actual ? (100 * Math.abs(error)) / actual : null,
      within_p10_p90: actual >= s.p10 && actual <= s.p90,
      complete: end <= now,
    };
  });
  const done = data.filter((d) => d.complete);
  const a = done.map((d) => d.actual);
  const f = done.map((d) => d.expected);
  const m = done.length ? mape(a, f) : Number.NaN;
  const w = done.length ? wape(a, f) : Number.NaN;
  return {
    period_kind: opts.period,
    mape: Number.isNaN(m) ? null : m,
    wape: Number.isNaN(w) ? null : w,
    periods_evaluated: done.length,
    data,
  };
}
