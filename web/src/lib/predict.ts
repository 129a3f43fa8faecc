/** Win probability, forecast and model types + pure helpers (formatting, mapping, chart options). */
import { useQuery } from '@tanstack/react-query';
import { useAuth } from '../auth/auth';
import { request } from './api';
import type { ApiBody, ApiResponse, ApiRow, Known } from './api-types';
import { formatMoney, formatNumber, type Lang } from './format';
import type { Problem } from './problem';
import { queryKeys } from './query-keys';

// Read from the generated API types; only the parts the server declares as open records
// (model metrics, accuracy rows) are spelled out here, as the fields this app reads.
export type Prediction = ApiResponse<'/opportunities/{id}/prediction'>;
export type PredictionMethod = Prediction['method'];
export type Factor = Prediction['top_factors'][number];
export type PredictionRow = ApiRow<'/predict/predictions'>;
export type LeadScore = ApiResponse<'/contacts/{id}/lead-score'>;
export type LeadScoreMethod = LeadScore['method'];
export type LeadScoreRow = ApiRow<'/predict/lead-scores'>;
export type ModelKind = 'win_probability' | 'lead_score';
export const MODEL_KINDS: readonly ModelKind[] = ['win_probability', 'lead_score'];
/** Train endpoint of each model kind. */
export function trainPath(kind: ModelKind): '/predict/lead-score/train' | '/predict/win-probability/train' {
  return kind === 'lead_score' ? '/predict/lead-score/train' : '/predict/win-probability/train';
}
export type Forecast = ApiResponse<'/forecast'>;
export type ForecastPeriod = Forecast['periods'][number];
export type ForecastRow = ForecastPeriod['total'];
/** One period of GET /forecast/accuracy (the API declares the rows as open records). */
export interface AccuracyRow {
  period: string;
  period_start: string;
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
export type Accuracy = Omit<ApiResponse<'/forecast/accuracy'>, 'data'> & { data: AccuracyRow[] };
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number | null;
  observedRate: number | null;
}
/** A model's metrics (the API declares them as an open record; these are the ones shown). */
export interface ModelMetrics {
  auc?: number | null;
  brier?: number | null;
  logloss?: number | null;
  ece?: number | null;
  baseline?: { prior?: number; prior_brier?: number; prior_logloss?: number; logistic_auc?: number };
  reliability?: ReliabilityBin[];
  top_features?: { column: string; importance: number }[];
  model?: string;
  calibration?: string;
  beats_baseline?: boolean;
  /** Why the version is not used, as data (server: model-training.ts). */
  note_reason?: { code: string; count?: number; need?: number; logloss?: number; base_logloss?: number };
}
export type PredictModel = Omit<Known<ApiResponse<'/predict/models/{id}'>>, 'metrics'> & {
  metrics: ModelMetrics;
  trigger?: string;
};
export type TrainResult =
  | ApiResponse<'/predict/win-probability/train', 'post'>
  | ApiResponse<'/predict/lead-score/train', 'post'>;
export type BuyingStage = ApiResponse<'/accounts/{id}/buying-stage'>;

/** "63 %" from 0..1 (the API's unit); — for null. */
export function formatProbability(p: number | null | undefined, lang: Lang): string {
  if (p === null || p === undefined || Number.isNaN(p)) return '—';
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(p);
}

export function probabilityColor(p: number): string {
  if (p >= 0.7) return 'green';
  if (p >= 0.4) return 'yellow';
  if (p >= 0.15) return 'orange';
  return 'red';
}

/** Positive factors (raise) and negative ones (lower), strongest first; zero-contribution ones are context. */
export function splitFactors(factors: Factor[]): { raises: Factor[]; lowers: Factor[]; neutral: Factor[] } {
  const by = (a: Factor, b: Factor) => Math.abs(b.contribution) - Math.abs(a.contribution);
  return {
    raises: factors.filter((f) => f.contribution > 0).sort(by),
    lowers: factors.filter((f) => f.contribution < 0).sort(by),
    neutral: factors.filter((f) => f.contribution === 0),
  };
}

export function predictionMap(rows: PredictionRow[]): Map<string, PredictionRow> {
  return new Map(rows.map((r) => [r.opportunity_id, r]));
}

/** Every open opportunity's probability in one call, as a map by opportunity id. */
export function usePredictionMap(enabled = true) {
  const { can } = useAuth();
  return useQuery({
    queryKey: queryKeys.predict.predictions,
    queryFn: () => request('get', '/predict/predictions').then((r) => predictionMap(r.data)),
    enabled: enabled && can('predict:read'),
    staleTime: 60_000,
  });
}

export function leadScoreMap(rows: LeadScoreRow[]): Map<string, LeadScoreRow> {
  return new Map(rows.map((r) => [r.contact_id, r]));
}

/** Every scored contact's lead score in one call, as a map by contact id. */
export function useLeadScoreMap(enabled = true) {
  const { can } = useAuth();
  return useQuery({
    queryKey: queryKeys.predict.leadScores,
    queryFn: () => request('get', '/predict/lead-scores').then((r) => leadScoreMap(r.data)),
    enabled: enabled && can('predict:read'),
    staleTime: 60_000,
  });
}

/** "—" for a missing quota (and any other missing amount). */
export function moneyOrDash(v: number | null | undefined, lang: Lang, compact = false): string {
  return v === null || v === undefined ? '—' : formatMoney(v, 'CNY', lang, compact);
}

export function metric(v: number | null | undefined, lang: Lang, digits = 3): string {
  return formatNumber(v ?? null, lang, digits);
}

/** Rows for the forecast chart: groups without any amount are left out. */
export function chartRows(rows: ForecastRow[]): ForecastRow[] {
  return rows.filter((r) => r.expected || r.p90 || r.commit || r.won_to_date || r.quota);
}

export interface ForecastChartLabels {
  range: string;
  expected: string;
  commit: string;
  won: string;
  quota: string;
}

/** Bars: P10–P90 range (stacked on an invisible P10 base), commit, won to date; expected and quota as markers. */
export function forecastChartOption(rows: ForecastRow[], labels: ForecastChartLabels, lang: Lang) {
  const fmt = (v: number) => formatMoney(v, 'CNY', lang, true);
  const hasQuota = rows.some((r) => r.quota !== null);
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (items: { dataIndex: number }[]) => {
        const r = rows[items[0]?.dataIndex ?? 0];
        if (!r) return '';
        return [
          `<b>${escapeHtml(r.group_label)}</b>`,
          `${labels.range}: ${fmt(r.p10)} – ${fmt(r.p90)}`,
          `${labels.expected}: ${fmt(r.expected)}`,
          `${labels.commit}: ${fmt(r.commit)}`,
          `${labels.won}: ${fmt(r.won_to_date)}`,
          `${labels.quota}: ${r.quota === null ? '—' : fmt(r.quota)}`,
        ].join('<br/>');
      },
    },
    legend: {
      top: 0,
      // One scrollable line: five entries wrap on a phone and the second line covered the axis.
      type: 'scroll',
      data: [labels.range, labels.expected, labels.commit, labels.won, ...(hasQuota ? [labels.quota] : [])],
    },
    grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
    xAxis: {
      type: 'category',
      data: rows.map((r) => r.group_label),
      axisLabel: { interval: 0, hideOverlap: true },
    },
    yAxis: { type: 'value', axisLabel: { formatter: fmt } },
    series: [
      {
        name: 'p10-base',
        type: 'bar',
        stack: 'range',
        itemStyle: { color: 'transparent' },
        emphasis: { disabled: true },
        tooltip: { show: false },
        data: rows.map((r) => r.p10),
        barMaxWidth: 28,
      },
      {
        name: labels.range,
        type: 'bar',
        stack: 'range',
        itemStyle: { color: 'rgba(76,110,245,0.35)', borderColor: '#4c6ef5' },
        data: rows.map((r) => Math.max(0, r.p90 - r.p10)),
        barMaxWidth: 28,
      },
      {
        name: labels.commit,
        type: 'bar',
        itemStyle: { color: '#fab005' },
        data: rows.map((r) => r.commit),
        barMaxWidth: 16,
      },
      {
        name: labels.won,
        type: 'bar',
        itemStyle: { color: '#40c057' },
        data: rows.map((r) => r.won_to_date),
        barMaxWidth: 16,
      },
      {
        name: labels.expected,
        type: 'scatter',
        symbol: 'diamond',
        symbolSize: 12,
        itemStyle: { color: '#364fc7' },
        data: rows.map((r) => r.expected),
      },
      ...(hasQuota
        ? [
            {
              name: labels.quota,
              type: 'scatter',
              symbol: 'rect',
              symbolSize: [22, 3],
              itemStyle: { color: '#e03131' },
              data: rows.map((r) => r.quota),
            },
          ]
        : []),
    ],
  };
}

/** Reliability diagram: mean predicted vs observed rate per bin, with the diagonal. */
export function reliabilityOption(
  bins: ReliabilityBin[],
  labels: { predicted: string; observed: string; perfect: string },
) {
  const pts = bins
    .filter((b) => b.count > 0 && b.meanPredicted !== null && b.observedRate !== null)
    .map((b) => [round(b.meanPredicted as number), round(b.observedRate as number), b.count]);
  return {
    tooltip: { trigger: 'item' },
    legend: { top: 0, data: [labels.observed, labels.perfect] },
    grid: { left: 8, right: 16, bottom: 28, top: 36, containLabel: true },
    xAxis: { type: 'value', min: 0, max: 1, name: labels.predicted, nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'value', min: 0, max: 1, name: labels.observed },
    series: [
      {
        name: labels.perfect,
        type: 'line',
        data: [
          [0, 0],
          [1, 1],
        ],
        symbol: 'none',
        lineStyle: { type: 'dashed', color: '#868e96' },
      },
      {
        name: labels.observed,
        type: 'line',
        data: pts,
        symbolSize: (v: number[]) => Math.min(24, 6 + Math.sqrt(v[2] ?? 1) * 2),
        itemStyle: { color: '#4c6ef5' },
      },
    ],
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** "2026-Q4" / "2026-11" period keys for a date (local calendar). */
export function periodKey(d: Date, kind: 'month' | 'quarter'): string {
  const y = d.getFullYear();
  if (kind === 'quarter') return `${y}-Q${Math.floor(d.getMonth() / 3) + 1}`;
  return `${y}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

// ---------- quotas ----------

export type Quota = ApiRow<'/quotas'>;

/** One item of PUT /quotas. */
export type QuotaItem = ApiBody<'/quotas', 'put'>[number] & { scope: 'rep'; scope_key: string };

/** The quarter a period belongs to: "2026-11" → "2026-Q4"; a quarter is its own. */
export function quarterOf(period: string): string {
  if (period.includes('-Q')) return period;
  const [y, m] = period.split('-');
  return `${y}-Q${Math.floor((Number(m) - 1) / 3) + 1}`;
}

/** "2026-Q4" → ["2026-10", "2026-11", "2026-12"] */
export function quarterMonths(quarter: string): string[] {
  const [y, q] = quarter.split('-Q');
  const first = (Number(q) - 1) * 3 + 1;
  return [0, 1, 2].map((i) => `${y}-${String(first + i).padStart(2, '0')}`);
}

/** The quarter `n` quarters after (or before, n < 0) the given one. */
export function shiftQuarter(quarter: string, n: number): string {
  const [y, q] = quarter.split('-Q');
  const index = Number(y) * 4 + Number(q) - 1 + n;
  return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
}

/** A cell of the quota editor: one rep in one month. */
export const quotaCellKey = (repId: string, month: string) => `${repId}|${month}`;

/** What a quota editor cell holds: a number, or '' when empty (Mantine NumberInput's value). */
export type QuotaCellValue = number | string;
export type QuotaGrid = Record<string, QuotaCellValue>;

/** The stored month quotas of the reps as editor cells (cells without a stored row are ''). */
export function quotaGrid(quotas: Quota[], repIds: string[], months: string[]): QuotaGrid {
  const grid: QuotaGrid = {};
  for (const rep of repIds) for (const m of months) grid[quotaCellKey(rep, m)] = '';
  for (const q of quotas)
    if (q.scope === 'rep' && q.period_kind === 'month' && quotaCellKey(q.scope_key, q.period) in grid)
      grid[quotaCellKey(q.scope_key, q.period)] = q.amount;
  return grid;
}

const cellNumber = (v: QuotaCellValue | undefined): number | null =>
  v === '' || v === undefined || v === null || !Number.isFinite(Number(v)) ? null : Number(v);

/**
 * What saving the editor sends: the cells whose value changed as PUT items (with the cell each
 * item index belongs to, to place the server's field errors), and the stored rows of cells that
 * were emptied, to delete.
 */
export function quotaChanges(
  initial: QuotaGrid,
  current: QuotaGrid,
  stored: Quota[],
): { items: QuotaItem[]; cells: string[]; deletes: string[] } {
  const items: QuotaItem[] = [];
  const cells: string[] = [];
  const deletes: string[] = [];
  const storedByCell = new Map(
    stored
      .filter((q) => q.scope === 'rep' && q.period_kind === 'month')
      .map((q) => [quotaCellKey(q.scope_key, q.period), q]),
  );
  for (const [cell, value] of Object.entries(current)) {
    const before = cellNumber(initial[cell]);
    const after = cellNumber(value);
    if (before === after) continue;
    if (after === null) {
      const row = storedByCell.get(cell);
      if (row) deletes.push(row.id);
      continue;
    }
    const [rep, month] = cell.split('|');
    items.push({ period_kind: 'month', period: month, scope: 'rep', scope_key: rep, amount: after });
    cells.push(cell);
  }
  return { items, cells, deletes };
}

/** Σ of the filled cells of some keys (a rep's quarter or a month's team total); null if none is filled. */
export function sumCells(grid: QuotaGrid, keys: string[]): number | null {
  const values = keys.map((k) => cellNumber(grid[k])).filter((v): v is number => v !== null);
  return values.length ? values.reduce((a, b) => a + b, 0) : null;
}

/**
 * Places problem+json field errors of a bulk PUT (`3.amount`: item 3) at the editor cell the item
 * came from; errors that name no item are returned as general messages.
 */
export function quotaCellErrors(
  problem: Problem | undefined,
  cells: string[],
): { cells: Record<string, string>; general: string[] } {
  const out: Record<string, string> = {};
  const general: string[] = [];
  for (const e of problem?.errors ?? []) {
    const index = /^(?:body[./])?\[?(\d+)\]?(?:[./]|$)/.exec(e.field ?? '')?.[1];
    const cell = index === undefined ? undefined : cells[Number(index)];
    if (cell) out[cell] = out[cell] ? `${out[cell]}; ${e.reason}` : e.reason;
    else general.push(e.field ? `${e.field}: ${e.reason}` : e.reason);
  }
  if (!problem?.errors?.length && problem?.detail) general.push(problem.detail);
  return { cells: out, general };
}

/** "85 %" of quota reached; — without a quota. */
export function formatAttainment(attainment: number | null | undefined, lang: Lang): string {
  return formatProbability(attainment, lang);
}
