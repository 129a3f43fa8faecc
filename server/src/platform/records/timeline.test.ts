import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../auth/auth-context.js';
import type { Tx } from '../db/database.js';
import { type TimelineItem, TimelineRegistry } from './timeline.js';

const tx = {} as Tx;
const ctx = {} as ActorContext;
const subject = { entity: 'accounts', id: 'a' };

/** A provider with `n` items of `kind`, one a minute back from 2026-01-01 (two share each minute). */
function provider(kind: string, n: number) {
  const items: TimelineItem[] = Array.from({ length: n }, (_, i) => ({
    kind,
    id: `${kind}-${String(i).padStart(3, '0')}`,
    at: new Date(Date.UTC(2026, 0, 1) - Math.floor(i / 2) * 60_000).toISOString(),
    title: kind,
  }));
  return async (_tx: Tx, _ctx: ActorContext, _s: unknown, limit: number) => items.slice(0, limit);
}

describe('timeline pages', () => {
  it('walks every item once, newest first, with a cursor per page and none after the last', async () => {
    const registry = new TimelineRegistry();
    registry.register('activities', provider('activity', 23));
    registry.register('signals', provider('signal', 17));
    const seen: TimelineItem[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await registry.page(tx, ctx, subject, { limit: 7, cursor });
      expect(page.data.length).toBeLessThanOrEqual(7);
      seen.push(...page.data);
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(6);
    expect(seen).toHaveLength(40);
    expect(new Set(seen.map((i) => i.id)).size).toBe(40);
    const ats = seen.map((i) => i.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    expect(await registry.build(tx, ctx, subject, 40)).toEqual(seen);
  });

  it('refuses a cursor it did not make', async () => {
    const registry = new TimelineRegistry();
    await expect(registry.page(tx, ctx, subject, { limit: 5, cursor: 'nope' })).rejects.toMatchObject({
      status: 400,
      detail: 'Invalid cursor',
    });
  });
});
