import { and, eq, inArray } from 'drizzle-orm';
import type { DomainEvent } from '../../platform/events/event-bus.js';
import type { EventSubscription } from '../../platform/modules/module-definition.js';
import { prop } from '../../platform/narrow.js';
import type { Platform } from '../../platform/platform.js';
import { recordMove, takeMovesToUndo, wasMoved } from '../../platform/records/record-moves.js';
import { mergeEventIds } from '../crm/crm-merge.events.js';
import { scoreContacts } from './lead-score.service.js';
import { contactScores, opportunityPredictions } from './predict.schema.js';
import { scoreOpportunities } from './win-probability.service.js';

/**
 * Merges (crm's `*.merged` / `*.unmerged`): predictions are keyed by opportunity and contact, not by
 * account, so nothing is re-pointed; the moved opportunities (account merge) or the survivor
 * contact (contact merge) are rescored from the merged data, and again on undo (with the merged
 * contact back). The ledger counts the predictions recomputed.
 */
const MODULE = 'predict';

const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export async function rescoreOnMerge(platform: Platform, ev: DomainEvent): Promise<void> {
  const m = mergeEventIds(ev);
  if (!m) return;
  const done = await platform.database.tenantTx(ev.tenant_id, (tx) =>
    wasMoved(tx, ev.tenant_id, m.mergeId, MODULE, 'predictions'),
  );
  if (done) return;
  const contacts = ev.name.startsWith('contacts.') ? [m.survivor] : [];
  const opps = strings(prop(prop(ev.payload, 'moved'), 'opportunities'));
  await platform.database.tenantTx(ev.tenant_id, async (tx) => {
    if (opps.length) await scoreOpportunities(tx, ev.tenant_id, opps);
    if (contacts.length) await scoreContacts(tx, ev.tenant_id, contacts);
    const predictions = opps.length
      ? await tx
          .select({ id: opportunityPredictions.id })
          .from(opportunityPredictions)
          .where(
            and(
              eq(opportunityPredictions.tenant_id, ev.tenant_id),
              inArray(opportunityPredictions.opportunity_id, opps),
            ),
          )
      : [];
    const scores = contacts.length
      ? await tx
          .select({ id: contactScores.id })
          .from(contactScores)
          .where(and(eq(contactScores.tenant_id, ev.tenant_id), inArray(contactScores.contact_id, contacts)))
      : [];
    await recordMove(tx, ev.tenant_id, {
      batchId: m.mergeId,
      module: MODULE,
      what: 'predictions',
      fromId: m.merged,
      toId: m.survivor,
      rowIds: [...predictions, ...scores].map((r) => r.id),
    });
  });
}

export async function rescoreOnUnmerge(platform: Platform, ev: DomainEvent): Promise<void> {
  const m = mergeEventIds(ev);
  if (!m) return;
  const opps = strings(prop(prop(ev.payload, 'moved'), 'opportunities'));
  const contacts = ev.name.startsWith('contacts.') ? [m.survivor, m.merged] : [];
  await platform.database.tenantTx(ev.tenant_id, async (tx) => {
    await takeMovesToUndo(tx, ev.tenant_id, m.mergeId, MODULE, {
      whats: ['predictions'],
      fromId: m.merged,
      toId: m.survivor,
    });
    if (opps.length) await scoreOpportunities(tx, ev.tenant_id, opps);
    if (contacts.length) await scoreContacts(tx, ev.tenant_id, contacts);
  });
}

export const predictMergeSubscriptions: EventSubscription[] = [
  { on: ['accounts.merged', 'contacts.merged'], handler: 'predict.rescore-on-merge', run: rescoreOnMerge },
  {
    on: ['accounts.unmerged', 'contacts.unmerged'],
    handler: 'predict.rescore-on-unmerge',
    run: rescoreOnUnmerge,
  },
];
