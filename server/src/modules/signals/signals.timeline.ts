import { and, desc, eq } from 'drizzle-orm';
import type { ModuleTimeline } from '../../platform/modules/module-definition.js';
import { signals } from './signals.schema.js';
import { signalService } from './signals.service.js';

/** Signals about the record, newest first (only those the reader may see). */
export const signalTimeline: ModuleTimeline = {
  name: 'signals',
  async provide(tx, ctx, subject, limit) {
    const col =
      subject.entity === 'accounts'
        ? signals.account_id
        : subject.entity === 'contacts'
          ? signals.contact_id
          : subject.entity === 'opportunities'
            ? signals.opportunity_id
            : null;
    if (!col) return [];
    // A signal that also names a record the reader may not see stays off the timeline.
    const visible = await signalService.readable(tx, ctx);
    const rows = await tx
      .select()
      .from(signals)
      .where(and(eq(signals.tenant_id, ctx.tenantId), eq(col, subject.id), visible))
      .orderBy(desc(signals.occurred_at))
      .limit(limit);
    return rows.map((s) => ({
      kind: 'signal',
      id: s.id,
      at: s.occurred_at.toISOString(),
      title: s.type,
      summary: summarize(s.payload as Record<string, unknown>),
      source: s.source,
      data: {
        type: s.type,
        payload: s.payload,
        strength: s.strength,
        received_at: s.received_at.toISOString(),
        match_method: s.match_method,
      },
    }));
  },
};

function summarize(p: Record<string, unknown>): string {
  return Object.entries(p)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .slice(0, 4)
    .map(([k, v]) => `${k}: ${String(v).slice(0, 80)}`)
    .join(' · ');
}
