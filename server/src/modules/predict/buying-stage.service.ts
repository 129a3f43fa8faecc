/**
 * Buying-stage inference (SPEC R-2.4) from web/product behaviour, as explicit rules with their
 * evidence (a pure function: no I/O, unit-tested), plus the adapter that reads an account's
 * behaviour signals through the signals module's service.
 *
 * Rules (window: the last WINDOW_DAYS days before `now`), strongest first:
 *  - value_tradeoff: a competitor-comparison page viewed > 240 s, followed in the same session
 *    (same session/visitor id, or within 30 min when there is none) by a view of our product page.
 *  - commercial_evaluation: ≥ 2 pricing views, or ≥ 1 pricing view together with ≥ 3 API-docs views.
 *  - technical_evaluation: ≥ 3 API-docs views and 0 pricing views.
 *  - exploring: some product / other page views, none of the above.
 *  - unknown: no behaviour in the window.
 */
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import { signalService } from '../signals/signals.service.js';

export type PageType = 'api_docs' | 'pricing' | 'competitor_comparison' | 'product' | 'other';
export type BuyingStage =
  | 'value_tradeoff'
  | 'commercial_evaluation'
  | 'technical_evaluation'
  | 'exploring'
  | 'unknown';

export interface BehaviourEvent {
  page_type: PageType;
  at: string | Date;
  dwell_seconds?: number | null;
  session_id?: string | null;
  url?: string | null;
}

export interface Evidence {
  rule: BuyingStage;
  fired: boolean;
  /** English sentence (API readers, logs). */
  detail: string;
  /**
   * The numbers of `detail`, so a client writes the sentence in its user's language from the rule
   * and these (the web app does: `predict.evidenceDetail.<rule>`): never shows the English text.
   */
  params: Record<string, number | string>;
}

export interface BuyingStageResult {
  stage: BuyingStage;
  label: string;
  window_days: number;
  events_considered: number;
  counts: Record<PageType, number>;
  evidence: Evidence[];
}

export const WINDOW_DAYS = 14;
export const COMPARISON_DWELL_SECONDS = 240;
const SESSION_GAP_MS = 30 * 60_000;

const LABELS: Record<BuyingStage, string> = {
  value_tradeoff: 'Value trade-off (comparing us with a competitor)',
  commercial_evaluation: 'Commercial evaluation (pricing)',
  technical_evaluation: 'Technical evaluation',
  exploring: 'Exploring',
  unknown: 'Unknown (no recent behaviour)',
};

export function inferBuyingStage(
  events: readonly BehaviourEvent[],
  now: Date = new Date(),
): BuyingStageResult {
  const end = now.getTime();
  const start = end - WINDOW_DAYS * 86_400_000;
  const ev = events
    .map((e) => ({ ...e, t: new Date(e.at).getTime() }))
    .filter((e) => !Number.isNaN(e.t) && e.t >= start && e.t <= end)
    .sort((a, b) => a.t - b.t);
  const counts: Record<PageType, number> = {
    api_docs: 0,
    pricing: 0,
    competitor_comparison: 0,
    product: 0,
    other: 0,
  };
  for (const e of ev) counts[e.page_type] = (counts[e.page_type] ?? 0) + 1;

  // value trade-off: long comparison view, then our product page in the same session
  let tradeoff: string | null = null;
  let tradeoffParams: Record<string, number | string> = {};
  for (let i = 0; i < ev.length && !tradeoff; i++) {
    const c = ev[i];
    if (c.page_type !== 'competitor_comparison' || (c.dwell_seconds ?? 0) <= COMPARISON_DWELL_SECONDS)
      continue;
    for (let j = i + 1; j < ev.length; j++) {
      const n = ev[j];
      const sameSession =
        c.session_id && n.session_id ? c.session_id === n.session_id : n.t - c.t <= SESSION_GAP_MS;
      if (n.page_type === 'product' && sameSession) {
        tradeoffParams = {
          dwell_seconds: Math.round(c.dwell_seconds ?? 0),
          minutes_later: Math.round((n.t - c.t) / 60_000),
          ...(c.url ? { url: c.url } : {}),
        };
        tradeoff = `${Math.round(c.dwell_seconds ?? 0)} s on a competitor comparison page${c.url ? ` (${c.url})` : ''}, then back to our product page ${Math.round((n.t - c.t) / 60_000)} min later in the same session`;
        break;
      }
    }
  }
  const longComparisons = ev.filter(
    (e) => e.page_type === 'competitor_comparison' && (e.dwell_seconds ?? 0) > COMPARISON_DWELL_SECONDS,
  ).length;
  const commercial = counts.pricing >= 2 || (counts.pricing >= 1 && counts.api_docs >= 3);
  const technical = counts.api_docs >= 3 && counts.pricing === 0;
  const evidence: Evidence[] = [
    {
      rule: 'value_tradeoff',
      fired: !!tradeoff,
      detail:
        tradeoff ??
        `${longComparisons} competitor-comparison view(s) over ${COMPARISON_DWELL_SECONDS} s with no return to our product page in the same session`,
      params: tradeoff
        ? { ...tradeoffParams, threshold_seconds: COMPARISON_DWELL_SECONDS }
        : { long_comparisons: longComparisons, threshold_seconds: COMPARISON_DWELL_SECONDS },
    },
    {
      rule: 'commercial_evaluation',
      fired: commercial,
      detail: `${counts.pricing} pricing view(s), ${counts.api_docs} API-docs view(s) in ${WINDOW_DAYS} days (needs ≥ 2 pricing, or ≥ 1 pricing with ≥ 3 API docs)`,
      params: { pricing: counts.pricing, api_docs: counts.api_docs, days: WINDOW_DAYS },
    },
    {
      rule: 'technical_evaluation',
      fired: technical,
      detail: `${counts.api_docs} API-docs view(s) and ${counts.pricing} pricing view(s) in ${WINDOW_DAYS} days (needs ≥ 3 API docs and 0 pricing)`,
      params: { pricing: counts.pricing, api_docs: counts.api_docs, days: WINDOW_DAYS },
    },
    {
      rule: 'exploring',
      fired: ev.length > 0,
      detail: `${ev.length} page view(s) in ${WINDOW_DAYS} days`,
      params: { views: ev.length, days: WINDOW_DAYS },
    },
  ];
  const stage: BuyingStage = tradeoff
    ? 'value_tradeoff'
    : commercial
      ? 'commercial_evaluation'
      : technical
        ? 'technical_evaluation'
        : ev.length
          ? 'exploring'
          : 'unknown';
  return {
    stage,
    label: LABELS[stage],
    window_days: WINDOW_DAYS,
    events_considered: ev.length,
    counts,
    evidence,
  };
}

/** Page type of a behaviour signal: intent_page_view's page_category, else guessed from the URL path. */
export function pageTypeOf(payload: Record<string, unknown>): PageType {
  const cat = String(payload.page_category ?? payload.page_type ?? '');
  if (cat === 'api_docs' || cat === 'pricing' || cat === 'competitor_comparison' || cat === 'product')
    return cat;
  const url = String(payload.url ?? '').toLowerCase();
  let path = url;
  try {
    path = new URL(url, 'https://x.invalid').pathname;
  } catch {
    /* keep raw */
  }
  if (/(^|\/)(api|docs|developers?|reference)(\/|$)/.test(path)) return 'api_docs';
  if (/(^|\/)(pricing|price|plans|报价|价格)(\/|$)/.test(path)) return 'pricing';
  if (/(^|\/)(compare|comparison|vs|alternatives?)(\/|$|-)|-vs-/.test(path)) return 'competitor_comparison';
  if (/(^|\/)(products?|features?|solutions?|platform)(\/|$)/.test(path)) return 'product';
  return 'other';
}

/** Reads the account's website_visit / intent_page_view signals through the signals service. */
export async function accountBehaviour(
  tx: Tx,
  ctx: ActorContext,
  accountId: string,
  now: Date,
): Promise<BehaviourEvent[]> {
  const from = new Date(now.getTime() - WINDOW_DAYS * 86_400_000).toISOString();
  const out: BehaviourEvent[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await signalService.list(tx, ctx, {
      account_id: accountId,
      type: 'website_visit,intent_page_view',
      from,
      sort: 'occurred_at',
      limit: 500,
      cursor,
    });
    for (const s of res.data) {
      const payload = (s.payload ?? {}) as Record<string, unknown>;
      out.push({
        page_type: pageTypeOf(payload),
        at: s.occurred_at as Date,
        dwell_seconds: typeof payload.dwell_seconds === 'number' ? payload.dwell_seconds : null,
        session_id: (payload.session_id ?? payload.visitor_id ?? null) as string | null,
        url: (payload.url as string) ?? null,
      });
    }
    if (!res.next_cursor) break;
    cursor = res.next_cursor;
  }
  return out;
}
