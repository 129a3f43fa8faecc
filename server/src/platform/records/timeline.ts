import type { ActorContext } from '../auth/auth-context.js';
import type { Tx } from '../db/database.js';

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
    const parts = [];
    for (const p of this.providers) parts.push(await p.fn(tx, ctx, subject, limit));
    return parts
      .flat()
      .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
      .slice(0, limit);
  }
}
