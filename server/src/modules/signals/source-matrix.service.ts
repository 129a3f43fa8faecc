import { sql } from 'drizzle-orm';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import { execRows, type Tx } from '../../platform/db/database.js';
import { crmDirectory } from '../crm/crm-directory.service.js';
import { sourceService } from './signals.service.js';

/**
 * Signal value matrix (SPEC ), computed from the stored data on every request:
 *
 *   coverage   = 10 × (accounts with ≥ 1 signal from the source in the last 90 days) / (all accounts)
 *   timeliness = 10 / (1 + median_delay_hours / 24), delay = received_at − occurred_at (last 90 days);
 *                < 3 h ≈ 8.9, 1 day = 5, 1 week ≈ 1.3
 *   relevance  = clamp(5 × lift, 0, 10), lift = win rate of closed opportunities whose account had a
 *                signal from the source before the close / win rate of all closed opportunities;
 *                no lift measurable (fewer than 5 such opportunities or 10 closed in all) → 5 (neutral)
 *   score      = geometric mean ∛(coverage × timeliness × relevance) — the "×" of the brief: a source
 *                that fails on one axis cannot be rescued by the others.
 *   priority   = effective score > 7.5, effective score = admin override (with reason) when set.
 */
/**
 * The formula for API readers. The web app writes it in its user's language (`sources.formulaText`)
 * and turns the two `relevance_basis` sentences below into words (SourceMatrix.relevanceBasis):
 * change them together.
 */
export const MATRIX_FORMULA =
  'score = cbrt(coverage × timeliness × relevance); coverage = 10 × share of accounts with a signal in 90 d; timeliness = 10 / (1 + median delay h / 24); relevance = clamp(5 × win-rate lift, 0, 10) (5 when < 5 closed opportunities had the signal); priority when score (or admin override) > 7.5';

const round = (x: number) => Math.round(x * 100) / 100;

export async function sourceMatrix(tx: Tx, ctx: ActorContext) {
  const sources = (await sourceService.list(tx, ctx, { limit: 500 })).data;
  const directory = await crmDirectory(tx, ctx);
  const activeAccounts = directory.accounts.size;
  const stats = await execRows<{ source: string; n: number; accounts: number; median_s: number | null }>(
    tx,
    sql`select source, count(*)::int as n, count(distinct account_id)::int as accounts,
          percentile_cont(0.5) within group (order by greatest(0, extract(epoch from received_at - occurred_at)))::float8 as median_s
        from signals where tenant_id = ${ctx.tenantId}::uuid and occurred_at >= now() - interval '90 days'
        group by source`,
  );
  const firsts = await execRows<{ source: string; account_id: string; first: string }>(
    tx,
    sql`select source, account_id, min(occurred_at) as first from signals
        where tenant_id = ${ctx.tenantId}::uuid and account_id is not null group by source, account_id`,
  );
  const firstBy = new Map<string, Map<string, number>>();
  for (const f of firsts) {
    const m = firstBy.get(f.source) ?? new Map<string, number>();
    m.set(f.account_id, new Date(f.first).getTime());
    firstBy.set(f.source, m);
  }
  const closed = [...directory.opportunities.values()].filter(
    (o) => (o.status === 'won' || o.status === 'lost') && o.closed_at,
  );
  const wonAll = closed.filter((o) => o.status === 'won').length;
  const winRateAll = closed.length ? wonAll / closed.length : null;

  const data = sources.map((src) => {
    const s = stats.find((x) => x.source === src.key);
    const coverage = activeAccounts ? Math.min(10, (10 * (s?.accounts ?? 0)) / activeAccounts) : 0;
    const medianH = s?.median_s != null ? s.median_s / 3600 : null;
    const timeliness = medianH === null ? 0 : 10 / (1 + medianH / 24);
    const m = firstBy.get(src.key as string);
    const withSignal = m
      ? closed.filter((o) => (m.get(o.account_id) ?? Infinity) <= new Date(o.closed_at!).getTime())
      : [];
    const winRateWith = withSignal.length
      ? withSignal.filter((o) => o.status === 'won').length / withSignal.length
      : null;
    let relevance = 5;
    let basis = `insufficient data (${withSignal.length} closed opportunities with the signal, ${closed.length} closed in all)`;
    if (withSignal.length >= 5 && closed.length >= 10 && winRateWith !== null && winRateAll !== null) {
      const lift = winRateAll > 0 ? winRateWith / winRateAll : winRateWith > 0 ? 2 : 1;
      relevance = Math.max(0, Math.min(10, 5 * lift));
      basis = `win-rate lift ${round(lift)} over ${withSignal.length} closed opportunities`;
    }
    const computed = Math.cbrt(coverage * timeliness * relevance);
    const effective = (src.override_score as number | null) ?? computed;
    return {
      ...sourceService.def.present!(src),
      signals_90d: s?.n ?? 0,
      accounts_covered: s?.accounts ?? 0,
      active_accounts: activeAccounts,
      coverage: round(coverage),
      median_delay_hours: medianH === null ? null : round(medianH),
      timeliness: round(timeliness),
      relevance: round(relevance),
      relevance_basis: basis,
      win_rate_with: winRateWith === null ? null : round(winRateWith),
      win_rate_all: winRateAll === null ? null : round(winRateAll),
      computed_score: round(computed),
      score: round(effective),
      priority: effective > 7.5,
    };
  });
  data.sort((a, b) => b.score - a.score);
  return { data, formula: MATRIX_FORMULA };
}
