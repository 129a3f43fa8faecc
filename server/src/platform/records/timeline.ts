import type { ActorContext } from '../auth/auth-context.js';
import type { Tx } from '../db/database.js';
import { badRequest } from '../http/problem.js';

/** One item on a record's timeline, whatever module produced it. */
export interface TimelineItem {
  kind: string; // activity | change | signal | intervention | …
  id: string;
  at: string;
  title: string;
  summary?: string | null;
  actor_name?: string | null;
  source?: string | null;
  data?: Record<string, unknown>;
}

export type TimelineProvider = (
  tx: Tx,
  ctx: ActorContext,
  subject: { entity: string; id: string },
  limit: number,
) => Promise<TimelineItem[]>;

/**
 * Modules contribute to timelines without the timeline owner reading their tables:
 * each registers a provider at start-up (activities, changes, signals, interventions …).
 */
export class TimelineRegistry {
  private providers: { name: string; fn: TimelineProvider }[] = [];

  register(name: string, fn: TimelineProvider): void {
    this.providers = this.providers.filter((p) => p.name !== name);
    this.providers.push({ name, fn });
  }

  async build(
    tx: Tx,
    ctx: ActorContext,
    subject: { entity: string; id: string },
    limit: number,
  ): Promise<TimelineItem[]> {
    return (await this.page(tx, ctx, subject, { limit })).data;
  }

  /**
   * One page of the timeline, newest first, and the cursor of the next (null on the last page).
   * Providers return their newest `n` items, so a page at offset `o` asks each for `o + limit + 1`
   * and cuts the merged list: the cursor is that offset. Pages reach back MAX_TIMELINE_DEPTH items.
   */
  async page(
    tx: Tx,
    ctx: ActorContext,
    subject: { entity: string; id: string },
    { limit, cursor }: { limit: number; cursor?: string },
  ): Promise<{ data: TimelineItem[]; next_cursor: string | null }> {
    const offset = cursor ? decodeTimelineCursor(cursor) : 0;
    const want = Math.min(offset + limit + 1, MAX_TIMELINE_DEPTH + 1);
    const parts = [];
    for (const p of this.providers) parts.push(await p.fn(tx, ctx, subject, want));
    const merged = parts.flat().sort(newestFirst);
    const data = merged.slice(offset, offset + limit);
    const end = offset + data.length;
    const more = merged.length > end && end < MAX_TIMELINE_DEPTH;
    return { data, next_cursor: more ? encodeTimelineCursor(end) : null };
  }
}

/** How far back "load more" goes (items); older ones are in the record's lists (activities, signals). */
export const MAX_TIMELINE_DEPTH = 5000;

/** Newest first; items at the same time in a fixed order, so pages never repeat or skip one. */
function newestFirst(a: TimelineItem, b: TimelineItem): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  const ka = `${a.kind}:${a.id}`;
  const kb = `${b.kind}:${b.id}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function encodeTimelineCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ timeline: offset })).toString('base64url');
}

function decodeTimelineCursor(cursor: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const offset =
      parsed && typeof parsed === 'object' && 'timeline' in parsed ? Number(parsed.timeline) : Number.NaN;
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_TIMELINE_DEPTH) throw new Error();
    return offset;
  } catch {
    throw badRequest('Invalid cursor', [{ field: 'cursor', reason: 'not a cursor returned by this API' }]);
  }
}
