import { and, desc, eq } from 'drizzle-orm';
import type { ActorContext } from '../auth/auth-context.js';
import type { Tx } from '../db/database.js';
import { changeLog } from './audit.schema.js';

export type FieldChanges = Record<string, { old: unknown; new: unknown }>;

export interface ChangeOptions {
  /** How the value was obtained: manual | import | ai_extracted | computed | sync | seed */
  method?: string;
  confidence?: number;
  reason?: string;
  batchId?: string;
}

export function changeLogRow(
  ctx: ActorContext,
  entity: string,
  entityId: string,
  action: 'create' | 'update' | 'delete',
  changes: FieldChanges,
  opts: ChangeOptions = {},
) {
  return {
    tenant_id: ctx.tenantId,
    entity,
    entity_id: entityId,
    action,
    changes,
    actor_type: ctx.actorType,
    actor_id: ctx.actorId,
    actor_name: ctx.actorName,
    source: ctx.source,
    method: opts.method ?? (ctx.source.startsWith('import') ? 'import' : 'manual'),
    confidence: opts.confidence ?? null,
    reason: opts.reason ?? null,
    batch_id: opts.batchId ?? null,
  };
}

export async function recordChange(
  tx: Tx,
  ctx: ActorContext,
  entity: string,
  entityId: string,
  action: 'create' | 'update' | 'delete',
  changes: FieldChanges,
  opts: ChangeOptions = {},
): Promise<void> {
  await tx.insert(changeLog).values(changeLogRow(ctx, entity, entityId, action, changes, opts));
}

export interface ChangeEntry {
  id: number;
  action: string;
  changes: FieldChanges;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  source: string;
  method: string;
  confidence: number | null;
  reason: string | null;
  at: Date;
}

export async function listChanges(
  tx: Tx,
  tenantId: string,
  entity: string,
  entityId: string,
  limit = 500,
): Promise<ChangeEntry[]> {
  return (await tx
    .select()
    .from(changeLog)
    .where(
      and(eq(changeLog.tenant_id, tenantId), eq(changeLog.entity, entity), eq(changeLog.entity_id, entityId)),
    )
    .orderBy(desc(changeLog.at), desc(changeLog.id))
    .limit(limit)) as unknown as ChangeEntry[];
}

export interface FieldLineage {
  field: string;
  value: unknown;
  source: string;
  method: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  confidence: number | null;
  at: string;
  change_id: number;
}

/** For each field of the current record: the latest change that set it (its provenance). */
export async function fieldLineage(
  tx: Tx,
  tenantId: string,
  entity: string,
  record: Record<string, unknown>,
  fields: readonly string[],
): Promise<FieldLineage[]> {
  const changes = await listChanges(tx, tenantId, entity, String(record.id), 5000);
  const out: FieldLineage[] = [];
  for (const field of fields) {
    const entry = changes.find((c) => c.changes && Object.hasOwn(c.changes, field));
    if (!entry) continue;
    out.push({
      field,
      value: record[field],
      source: entry.source,
      method: entry.method,
      actor_type: entry.actor_type,
      actor_id: entry.actor_id,
      actor_name: entry.actor_name,
      confidence: entry.confidence,
      at: new Date(entry.at).toISOString(),
      change_id: Number(entry.id),
    });
  }
  return out;
}
