import { and, eq, inArray } from 'drizzle-orm';
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
import { signals } from './signals.schema.js';

/**
 * Merges of accounts and contacts (crm's `*.merged` / `*.unmerged`): the signals about the merged
 * record move to the survivor, and back on undo — exactly the rows moved (record_moves ledger).
 */
const MODULE = 'signals';

const columnOf = (ev: DomainEvent) =>
  ev.name.startsWith('accounts.') ? signals.account_id : signals.contact_id;

export async function moveSignalsOnMerge(platform: Platform, ev: DomainEvent): Promise<void> {
  const m = mergeEventIds(ev);
  if (!m) return;
  const column = columnOf(ev);
  await platform.database.tenantTx(ev.tenant_id, async (tx) => {
    if (await wasMoved(tx, ev.tenant_id, m.mergeId, MODULE, 'signals')) return;
    const rows = await tx
      .update(signals)
      .set({ [column.name]: m.survivor })
      .where(and(eq(signals.tenant_id, ev.tenant_id), eq(column, m.merged)))
      .returning({ id: signals.id });
    const written = await recordMove(tx, ev.tenant_id, {
      batchId: m.mergeId,
      module: MODULE,
      what: 'signals',
      fromId: m.merged,
      toId: m.survivor,
      rowIds: rows.map((r) => r.id),
    });
    if (!written) throw new MoveSuperseded(m.mergeId, MODULE);
  });
}

export async function moveSignalsBackOnUnmerge(platform: Platform, ev: DomainEvent): Promise<void> {
  const m = mergeEventIds(ev);
  if (!m) return;
  const column = columnOf(ev);
  await platform.database.tenantTx(ev.tenant_id, async (tx) => {
    for (const move of await takeMovesToUndo(tx, ev.tenant_id, m.mergeId, MODULE, {
      whats: ['signals'],
      fromId: m.merged,
      toId: m.survivor,
    })) {
      if (move.row_ids.length === 0) continue;
      await tx
        .update(signals)
        .set({ [column.name]: move.from_id })
        .where(
          and(eq(signals.tenant_id, ev.tenant_id), inArray(signals.id, move.row_ids), eq(column, move.to_id)),
        );
    }
  });
}

export const signalsMergeSubscriptions: EventSubscription[] = [
  { on: ['accounts.merged', 'contacts.merged'], handler: 'signals.move-on-merge', run: moveSignalsOnMerge },
  {
    on: ['accounts.unmerged', 'contacts.unmerged'],
    handler: 'signals.move-back-on-unmerge',
    run: moveSignalsBackOnUnmerge,
  },
];
