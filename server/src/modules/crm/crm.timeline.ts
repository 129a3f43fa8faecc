import { and, desc, eq, sql } from 'drizzle-orm';
import { listChanges } from '../../platform/audit/change-log.js';
import type { ModuleTimeline } from '../../platform/modules/module-definition.js';
import { activities } from './crm.schema.js';
import { activityService } from './crm.service.js';

/** Timeline contributions of the CRM: activities on the record, and every audited change. */
export const crmTimelines: ModuleTimeline[] = [
  {
    name: 'crm.activities',
    async provide(tx, ctx, subject, limit) {
      const column =
        subject.entity === 'accounts'
          ? activities.account_id
          : subject.entity === 'opportunities'
            ? activities.opportunity_id
            : null;
      const where =
        column !== null
          ? eq(column, subject.id)
          : subject.entity === 'contacts'
            ? sql`${activities.contact_ids} @> array[${subject.id}]::uuid[]`
            : undefined;
      if (!where) return [];
      // Activities the reader may not see (private activities of others) stay off the timeline.
      const visible = await activityService.readable(tx, ctx);
      const rows = await tx
        .select()
        .from(activities)
        .where(and(eq(activities.tenant_id, ctx.tenantId), where, visible))
        .orderBy(desc(activities.occurred_at))
        .limit(limit);
      return rows.map((a) => ({
        kind: 'activity',
        id: a.id,
        at: a.occurred_at.toISOString(),
        title: a.subject,
        summary: a.body ? a.body.slice(0, 500) : null,
        data: { type: a.type, status: a.status, duration_minutes: a.duration_minutes, owner_id: a.owner_id },
      }));
    },
  },
  {
    name: 'audit.changes',
    async provide(tx, ctx, subject, limit) {
      const changes = await listChanges(tx, ctx.tenantId, subject.entity, subject.id, limit);
      return changes.map((c) => ({
        kind: 'change',
        id: String(c.id),
        at: new Date(c.at).toISOString(),
        title: c.action,
        summary: Object.keys(c.changes ?? {}).join(', '),
        actor_name: c.actor_name,
        source: c.source,
        data: { changes: c.changes, method: c.method, reason: c.reason },
      }));
    },
  },
];
