import { and, eq, inArray, ne, notInArray, or, sql } from 'drizzle-orm';
import type { DomainEvent } from '../../platform/events/event-bus.js';
import type { EventSubscription } from '../../platform/modules/module-definition.js';
import type { Platform } from '../../platform/platform.js';
import {
  MoveSuperseded,
  recordMove,
  takeMovesToUndo,
  wasMoved,
} from '../../platform/records/record-moves.js';
import { mergeEventIds } from '../crm/crm-merge.events.js';
import { interventions } from './interventions.schema.js';

/**
 * Account merges (crm's `accounts.merged` / `accounts.unmerged`): the merged account's bundles move
 * to the survivor and back on undo (record_moves ledger). An open bundle whose rule already has an
 * open bundle on the survivor cannot move (one open bundle per account and rule): it is closed as
 * dismissed with reason `merged` (so the inbox no longer shows a card for a company that is gone)
 * and reopened on undo.
 */
const MODULE = 'interventions';
/** Ledger kind of the bundles closed by a merge, and their dismiss reason. */
const CLOSED = 'interventions_closed';
const MERGED = 'merged';

export async function moveInterventionsOnMerge(platform: Platform, ev: DomainEvent): Promise<void> {
  const m = mergeEventIds(ev);
  if (!m) return;
  await platform.database.tenantTx(ev.tenant_id, async (tx) => {
    if (await wasMoved(tx, ev.tenant_id, m.mergeId, MODULE, 'interventions')) return;
    const openOnSurvivor = (
      await tx
        .select({ rule_key: interventions.rule_key })
        .from(interventions)
        .where(
          and(
            eq(interventions.tenant_id, ev.tenant_id),
            eq(interventions.account_id, m.survivor),
            eq(interventions.status, 'open'),
          ),
        )
    ).map((r) => r.rule_key);
    const rows = await tx
      .update(interventions)
      .set({ account_id: m.survivor, updated_at: sql`now()` })
      .where(
        and(
          eq(interventions.tenant_id, ev.tenant_id),
          eq(interventions.account_id, m.merged),
          openOnSurvivor.length
            ? or(ne(interventions.status, 'open'), notInArray(interventions.rule_key, openOnSurvivor))
            : undefined,
        ),
      )
      .returning({ id: interventions.id });
    const written = await recordMove(tx, ev.tenant_id, {
      batchId: m.mergeId,
      module: MODULE,
      what: 'interventions',
      fromId: m.merged,
      toId: m.survivor,
      rowIds: rows.map((r) => r.id),
    });
    if (!written) throw new MoveSuperseded(m.mergeId, MODULE);
    if (!openOnSurvivor.length) return;
    const closed = await tx
      .update(interventions)
      .set({ status: 'dismissed', dismiss_reason: MERGED, acted_at: sql`now()`, updated_at: sql`now()` })
      .where(
        and(
          eq(interventions.tenant_id, ev.tenant_id),
          eq(interventions.account_id, m.merged),
          eq(interventions.status, 'open'),
          inArray(interventions.rule_key, openOnSurvivor),
        ),
      )
      .returning({ id: interventions.id });
    if (!closed.length) return;
    await recordMove(tx, ev.tenant_id, {
      batchId: m.mergeId,
      module: MODULE,
      what: CLOSED,
      fromId: m.merged,
      toId: m.survivor,
      rowIds: closed.map((r) => r.id),
    });
  });
}

export async function moveInterventionsBackOnUnmerge(platform: Platform, ev: DomainEvent): Promise<void> {
  const m = mergeEventIds(ev);
  if (!m) return;
  await platform.database.tenantTx(ev.tenant_id, async (tx) => {
    const moves = await takeMovesToUndo(tx, ev.tenant_id, m.mergeId, MODULE, {
      whats: ['interventions', CLOSED],
      fromId: m.merged,
      toId: m.survivor,
    });
    // Moved bundles back first, then the closed ones reopen (one open bundle per account and rule).
    moves.sort((a, b) => Number(a.what === CLOSED) - Number(b.what === CLOSED));
    for (const move of moves) {
      if (move.row_ids.length === 0) continue;
      if (move.what === CLOSED) {
        await tx
          .update(interventions)
          .set({
            status: 'open',
            dismiss_reason: null,
            acted_at: null,
            acted_by: null,
            updated_at: sql`now()`,
          })
          .where(
            and(
              eq(interventions.tenant_id, ev.tenant_id),
              inArray(interventions.id, move.row_ids),
              eq(interventions.status, 'dismissed'),
              eq(interventions.dismiss_reason, MERGED),
            ),
          );
        continue;
      }
      await tx
        .update(interventions)
        .set({ account_id: move.from_id, updated_at: sql`now()` })
        .where(
          and(
            eq(interventions.tenant_id, ev.tenant_id),
            inArray(interventions.id, move.row_ids),
            eq(interventions.account_id, move.to_id),
          ),
        );
    }
  });
}

export const interventionsMergeSubscriptions: EventSubscription[] = [
  { on: 'accounts.merged', handler: 'interventions.move-on-merge', run: moveInterventionsOnMerge },
  {
    on: 'accounts.unmerged',
    handler: 'interventions.move-back-on-unmerge',
    run: moveInterventionsBackOnUnmerge,
  },
];
