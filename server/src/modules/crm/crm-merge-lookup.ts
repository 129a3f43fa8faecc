import { and, desc, eq } from 'drizzle-orm';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import { crmMerges } from './crm.schema.js';

export type MergeEntity = 'account' | 'contact';

/** The merge (still in force) that took record `id` away: its id and the record it went into. */
export async function mergeThatTook(
  tx: Tx,
  ctx: ActorContext,
  entity: MergeEntity,
  id: string,
): Promise<{ id: string; survivor_id: string } | null> {
  const [row] = await tx
    .select({ id: crmMerges.id, survivor_id: crmMerges.survivor_id })
    .from(crmMerges)
    .where(
      and(
        eq(crmMerges.tenant_id, ctx.tenantId),
        eq(crmMerges.entity, entity),
        eq(crmMerges.merged_id, id),
        eq(crmMerges.status, 'merged'),
      ),
    )
    .orderBy(desc(crmMerges.created_at))
    .limit(1);
  return row ?? null;
}

/** The record a merged-away record now lives in (following later merges of the survivor). */
export async function mergedInto(
  tx: Tx,
  ctx: ActorContext,
  entity: MergeEntity,
  id: string,
): Promise<string | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  let current = id;
  let found: string | null = null;
  for (let hop = 0; hop < 10; hop++) {
    const row = await mergeThatTook(tx, ctx, entity, current);
    if (!row) break;
    found = row.survivor_id;
    current = row.survivor_id;
  }
  return found;
}

/** The accounts/contacts services' 404 extension: where a merged-away record lives now. */
export const mergedIntoExtension =
  (entity: MergeEntity) =>
  async (tx: Tx, ctx: ActorContext, id: string): Promise<Record<string, unknown> | null> => {
    const survivor = await mergedInto(tx, ctx, entity, id);
    return survivor ? { merged_into: survivor } : null;
  };
