import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import type { ResourceService } from '../../platform/records/resource.js';
import { presentScore } from '../predict/model-training.js';
import { opportunityPredictions } from '../predict/predict.schema.js';
import { loadOpportunities } from '../predict/predict-data.js';
import { FALLBACK_LABEL, getPrediction, scoreOpportunities } from '../predict/win-probability.service.js';

/**
 * Batched reads the DataLoaders of a GraphQL request use. Both are STAND-INS for functions that
 * belong to their owners (see the report of the graphql work, docs/api.md "Batched loading"):
 * - findManyVia → `ResourceService.findMany(tx, ctx, ids)` in platform/records/resource.ts;
 * - predictionsFor → `getPredictions(tx, tenantId, opps)` in predict/win-probability.service.ts.
 * Once those exist, these two functions become one-line calls to them.
 */

const uuid = z.uuid();

/**
 * The records of `ids` the actor may read, in one statement: the same tenant condition and
 * record-level sharing predicate as `service.find` (ResourceService.readable), the same public
 * columns (derived ones dropped) and the same present(). Unknown or hidden ids are simply absent.
 */
export async function findManyVia(
  service: ResourceService,
  tx: Tx,
  ctx: ActorContext,
  ids: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  const wanted = [...new Set(ids.filter((id) => uuid.safeParse(id).success))];
  const out = new Map<string, Record<string, unknown>>();
  if (wanted.length === 0) return out;
  const { table, derived, present } = service.def;
  const rows = (await tx
    .select()
    .from(table)
    .where(
      and(eq(table.tenant_id, ctx.tenantId), inArray(table.id, wanted), await service.readable(tx, ctx)),
    )) as Record<string, unknown>[];
  for (const row of rows) {
    for (const c of derived?.columns ?? []) delete row[c];
    out.set(String(row.id), present ? present(row) : row);
  }
  return out;
}

export interface PredictionOut {
  opportunity_id: string;
  probability: number;
  method: string;
  label: string;
  model_id: string | null;
  model_version: number | null;
  top_factors: { feature: string; label: string; value: string | null; contribution: number }[];
  computed_at: string | null;
}

/**
 * The win probability of each opportunity, as GET /opportunities/:id/prediction gives it
 * (getPrediction), for many at once: closed deals answer from their status, open ones from the
 * stored score; deals never scored are scored together once. A bounded number of statements
 * whatever the number of ids. Callers pass ids the actor may read (checked by the opportunity read).
 */
export async function predictionsFor(
  tx: Tx,
  tenantId: string,
  ids: readonly string[],
): Promise<Map<string, PredictionOut>> {
  const out = new Map<string, PredictionOut>();
  const wanted = [...new Set(ids.filter((id) => uuid.safeParse(id).success))];
  if (wanted.length === 0) return out;
  const opps = await loadOpportunities(tx, tenantId, wanted);
  const open = opps.filter((o) => o.status === 'open').map((o) => o.id);
  for (const o of opps) if (o.status !== 'open') out.set(o.id, await getPrediction(tx, tenantId, o));
  if (open.length === 0) return out;
  const read = () =>
    tx
      .select()
      .from(opportunityPredictions)
      .where(
        and(
          eq(opportunityPredictions.tenant_id, tenantId),
          inArray(opportunityPredictions.opportunity_id, open),
        ),
      );
  let rows = await read();
  if (rows.length < open.length) {
    const have = new Set(rows.map((r) => r.opportunity_id));
    await scoreOpportunities(
      tx,
      tenantId,
      open.filter((id) => !have.has(id)),
    );
    rows = await read();
  }
  for (const r of rows)
    out.set(r.opportunity_id, {
      opportunity_id: r.opportunity_id,
      probability: r.probability,
      ...presentScore<'stage_fallback'>(r, FALLBACK_LABEL),
    });
  return out;
}
