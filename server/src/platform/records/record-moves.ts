import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { recordMoves } from './record-moves.schema.js';

/**
 * The moves ledger (record-moves.schema.ts): a module that re-points its rows from one record to
 * another as part of a batch (a merge) writes what it moved once, and moves exactly those rows
 * back when the batch is undone. Handlers run at least once: `wasMoved` / the unique key make a
 * repeated delivery a no-op.
 */
export interface RecordMove {
  batchId: string;
  module: string;
  what: string;
  fromId: string;
  toId: string;
  rowIds: string[];
}

/** Whether `module` already wrote its `what` move of the batch. */
export async function wasMoved(tx: Tx, tenantId: string, batchId: string, module: string, what: string) {
  const rows = await tx
    .select({ id: recordMoves.id })
    .from(recordMoves)
    .where(
      and(
        eq(recordMoves.tenant_id, tenantId),
        eq(recordMoves.batch_id, batchId),
        eq(recordMoves.module, module),
        eq(recordMoves.what, what),
      ),
    );
  return rows.length > 0;
}

/**
 * Writes a move (once: a second write of the same batch/module/what is ignored). False when the
 * move was already written, or the batch was undone first (a tombstone, see takeMovesToUndo): the
 * caller's transaction should then be rolled back, its rows moved by a delivery that lost the race.
 */
export async function recordMove(tx: Tx, tenantId: string, move: RecordMove): Promise<boolean> {
  const rows = await tx
    .insert(recordMoves)
    .values({
      tenant_id: tenantId,
      batch_id: move.batchId,
      module: move.module,
      what: move.what,
      from_id: move.fromId,
      to_id: move.toId,
      row_ids: move.rowIds,
    })
    .onConflictDoNothing()
    .returning({ id: recordMoves.id });
  return rows.length > 0;
}

/** Thrown by a move handler whose move lost to an undo (or an earlier delivery): rolls it back. */
export class MoveSuperseded extends Error {
  constructor(batchId: string, module: string) {
    super(`moves of ${module} in batch ${batchId} were already written or undone; rolled back`);
  }
}

/**
 * The moves of `module` in the batch not yet undone; marks them undone (the caller moves the rows
 * back). With `tombstone`, each of its `whats` that has no move yet gets an empty, undone one: the
 * undo arrived before the move (at-least-once delivery, retries, several relays), and a late move
 * delivery then finds it (`wasMoved`) and does nothing.
 */
export async function takeMovesToUndo(
  tx: Tx,
  tenantId: string,
  batchId: string,
  module: string,
  tombstone?: { whats: string[]; fromId: string; toId: string },
) {
  if (tombstone?.whats.length)
    await tx
      .insert(recordMoves)
      .values(
        tombstone.whats.map((what) => ({
          tenant_id: tenantId,
          batch_id: batchId,
          module,
          what,
          from_id: tombstone.fromId,
          to_id: tombstone.toId,
          row_ids: [],
          undone_at: new Date(),
        })),
      )
      .onConflictDoNothing();
  return tx
    .update(recordMoves)
    .set({ undone_at: new Date() })
    .where(
      and(
        eq(recordMoves.tenant_id, tenantId),
        eq(recordMoves.batch_id, batchId),
        eq(recordMoves.module, module),
        isNull(recordMoves.undone_at),
      ),
    )
    .returning();
}

/** Rows moved per batch and kind: batch id → { what: count }. */
export async function moveCounts(
  tx: Tx,
  tenantId: string,
  batchIds: string[],
): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  if (batchIds.length === 0) return out;
  const rows = await tx
    .select({
      batch_id: recordMoves.batch_id,
      what: recordMoves.what,
      n: sql<number>`sum(cardinality(${recordMoves.row_ids}))::int`,
    })
    .from(recordMoves)
    .where(and(eq(recordMoves.tenant_id, tenantId), inArray(recordMoves.batch_id, batchIds)))
    .groupBy(recordMoves.batch_id, recordMoves.what);
  for (const r of rows) {
    const m = out.get(r.batch_id) ?? {};
    m[r.what] = (m[r.what] ?? 0) + Number(r.n);
    out.set(r.batch_id, m);
  }
  return out;
}
