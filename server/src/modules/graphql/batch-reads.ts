import { z } from 'zod';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import type { ResourceService } from '../../platform/records/resource.js';

/**
 * Batched reads the DataLoaders of a GraphQL request use, each owned by its module: records through
 * `ResourceService.findMany`, win probabilities through predict's `getPredictions`.
 */

const _uuid = z.uuid();

/**
 * The records of `ids` the actor may read, in one statement (ResourceService.findMany: the same
 * tenant and sharing condition as `find`), presented as the REST API shows them (no secrets).
 */
export async function findManyVia(
  service: ResourceService,
  tx: Tx,
  ctx: ActorContext,
  ids: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  const rows = await service.findMany(tx, ctx, ids);
  const present = service.def.present;
  if (!present) return rows;
  return new Map([...rows].map(([id, row]) => [id, present(row)]));
}

export { getPredictions as predictionsFor, type PredictionOut } from '../predict/win-probability.service.js';
