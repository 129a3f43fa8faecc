import type { ActorContext } from '../../platform/auth/auth-context.js';
import { cachesOf } from '../../platform/caches.js';
import type { Tx } from '../../platform/db/database.js';
import { activityService } from './crm.service.js';

/**
 * Facts the CRM derives from its records for other modules (the interventions' circuit breaker
 * reads a rep's touch rate here instead of walking activities itself).
 */

/** Activity types that count as an effective touch. */
export const EFFECTIVE_TOUCH_TYPES = ['call', 'meeting', 'email', 'visit'];

/** The 20 working days (Mon–Fri, UTC) before `now`'s day: [from, to). */
export function workingDaysWindow(now: Date, days = 20): { from: Date; to: Date } {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const from = new Date(to);
  let n = 0;
  while (n < days) {
    from.setUTCDate(from.getUTCDate() - 1);
    const dow = from.getUTCDay();
    if (dow !== 0 && dow !== 6) n++;
  }
  return { from, to };
}

/** Per tenant, rep and window end (day): the window ends before today, so it moves once a day. */
const TOUCHES_CACHE = 'crm.touches';
const TOUCHES_MAX = 10_000;

/**
 * A rep's average daily effective touches: completed (status done) calls, meetings, emails and
 * visits they own, over the last 20 working days, ÷ 20 — read through the CRM's activity service,
 * cached on the platform's caches per tenant, rep and day.
 */
export async function averageDailyTouches(
  tx: Tx,
  ctx: ActorContext,
  ownerId: string,
  now: Date,
): Promise<number> {
  const { from, to } = workingDaysWindow(now);
  const cache = cachesOf(tx).map<string, number>(TOUCHES_CACHE, { max: TOUCHES_MAX });
  const key = `${ctx.tenantId}:${ownerId}:${to.toISOString()}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let total = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await activityService.list(tx, ctx, {
      owner_id: ownerId,
      status: 'done',
      type: EFFECTIVE_TOUCH_TYPES.join(','),
      from: from.toISOString(),
      to: new Date(to.getTime() - 1).toISOString(),
      limit: 500,
      cursor,
    });
    // only working days count
    total += page.data.filter((a) => {
      const d = new Date(a.occurred_at as string | Date).getUTCDay();
      return d !== 0 && d !== 6;
    }).length;
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  const avg = total / 20;
  cache.set(key, avg);
  return avg;
}
