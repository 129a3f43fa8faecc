import type { Opportunity, Stage } from './types';

/** Open amount and count per stage, in pipeline order. */
export function pipelineByStage(
  opps: readonly Pick<Opportunity, 'stage' | 'amount'>[],
  stages: readonly Stage[],
) {
  const m = new Map<string, { amount: number; count: number }>();
  for (const o of opps) {
    const e = m.get(o.stage) ?? { amount: 0, count: 0 };
    e.amount += Number(o.amount) || 0;
    e.count += 1;
    m.set(o.stage, e);
  }
  return stages
    .filter((s) => s.kind === 'open')
    .map((s) => ({ stage: s, ...(m.get(s.key) ?? { amount: 0, count: 0 }) }));
}

/** Won and lost amounts per calendar month (YYYY-MM) of closing, last `months` months up to `now`. */
export function wonLostByMonth(
  opps: readonly Pick<Opportunity, 'status' | 'amount' | 'closed_at' | 'expected_close_date'>[],
  now: Date,
  months = 12,
) {
  const keys: string[] = [];
  for (let i = months - 1; i >= 0; i--) {
    const d = new Date(now.getFullYear(), now.getMonth() - i, 1);
    keys.push(`${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`);
  }
  const won = new Map(keys.map((k) => [k, 0]));
  const lost = new Map(keys.map((k) => [k, 0]));
  for (const o of opps) {
    if (o.status === 'open') continue;
    const at = (o.closed_at ?? o.expected_close_date ?? '').slice(0, 7);
    const target = o.status === 'won' ? won : lost;
    if (target.has(at)) target.set(at, target.get(at)! + (Number(o.amount) || 0));
  }
  return keys.map((k) => ({ month: k, won: won.get(k)!, lost: lost.get(k)! }));
}

export const MANAGER_ROLES = new Set(['manager', 'regional_manager', 'admin', 'coach']);
