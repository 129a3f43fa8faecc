import { z } from 'zod';
import { type FieldLineage, fieldLineage, listChanges } from '../audit/change-log.js';
import type { Tx } from '../db/database.js';
import { lineageSchema } from './resource-routes.js';

/**
 * How a record, or a part of it, came to be: every insight says its method — a rule and
 * its version, a model and its version, an LLM and its model, or a person (manual), an import, a
 * connected system. The `/:id/lineage` routes of activities, signals, interventions, predictions
 * and quotas answer with their field lineage (the change log) plus these methods.
 */
export const INSIGHT_METHODS = [
  'manual',
  'import',
  'sync',
  'seed',
  'computed',
  'ai_extracted',
  'rule',
  'model',
  'llm',
  'customer',
] as const;
export type InsightMethodKind = (typeof INSIGHT_METHODS)[number];

export const insightMethodSchema = z.object({
  applies_to: z.string().describe("'record' or the field the method produced (talk_track, score, subject …)"),
  kind: z.enum(INSIGHT_METHODS),
  detail: z
    .string()
    .describe("In words: 'rule tender_notice v3', 'model lead_score v2', 'LLM qwen-max', 'entered by 王芳'"),
  rule_key: z.string().nullable().optional(),
  rule_version: z.number().nullable().optional(),
  model_kind: z.string().nullable().optional(),
  model_version: z.number().nullable().optional(),
  model_id: z.string().nullable().optional(),
  llm_model: z.string().nullable().optional(),
  source: z.string().nullable().describe('ui | api | import:csv | portal | signal:<source> | …'),
  actor_name: z.string().nullable(),
  at: z.string().nullable(),
});
export type InsightMethod = z.infer<typeof insightMethodSchema>;

export const recordLineageSchema = lineageSchema.extend({
  methods: z.array(insightMethodSchema).describe('How the record and its derived parts were produced'),
});
export type RecordLineage = { data: FieldLineage[]; methods: InsightMethod[] };

/** The method kind of a change-log row (its `method` column, with the actor type as a hint). */
export function kindOfChange(method: string, actorType?: string): InsightMethodKind {
  if (method.startsWith('llm')) return 'llm';
  if (method.startsWith('model')) return 'model';
  if (method.startsWith('rule')) return 'rule';
  if (actorType === 'customer') return 'customer';
  return (INSIGHT_METHODS as readonly string[]).includes(method) ? (method as InsightMethodKind) : 'computed';
}

const words: Record<InsightMethodKind, string> = {
  manual: 'entered by',
  import: 'imported by',
  sync: 'synced by',
  seed: 'demo data by',
  computed: 'computed by',
  ai_extracted: 'extracted by AI for',
  rule: 'by rule, for',
  model: 'by model, for',
  llm: 'by LLM, for',
  customer: 'changed by the customer through the portal:',
};

/**
 * A record's field lineage and the method of its creation from the change log (when it was
 * written through a ResourceService), plus the methods the caller knows of its derived parts.
 */
export async function recordLineage(
  tx: Tx,
  tenantId: string,
  entity: string,
  record: Record<string, unknown>,
  fields: readonly string[],
  derived: InsightMethod[] = [],
): Promise<RecordLineage> {
  const data = await fieldLineage(tx, tenantId, entity, record, fields);
  const changes = await listChanges(tx, tenantId, entity, String(record.id), 5000);
  const created = changes.findLast((c) => c.action === 'create');
  const methods: InsightMethod[] = [];
  if (created) {
    const kind = kindOfChange(created.method, created.actor_type);
    methods.push({
      applies_to: 'record',
      kind,
      detail: `${words[kind]} ${created.actor_name ?? created.actor_type}`.trim(),
      source: created.source,
      actor_name: created.actor_name,
      at: new Date(created.at).toISOString(),
    });
  }
  return { data, methods: [...methods, ...derived] };
}
