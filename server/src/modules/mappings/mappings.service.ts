import { and, desc, eq, max, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Database, Tx } from '../../platform/db/database.js';
import { jsonBytes } from '../../platform/http/edge-guard.js';
import type { Locale } from '../../platform/http/locale.js';
import { conflict, notFound, ProblemError, unprocessable } from '../../platform/http/problem.js';
import { type ResourceDef, ResourceService } from '../../platform/records/resource.js';
import { crmServices } from '../crm/crm.service.js';
import { type IngestResult, ingestSignals, typeSchemas } from '../signals/signals.service.js';
import {
  type EvaluateResult,
  evaluateMapping,
  isCrmTarget,
  type MappingError,
  type MappingSpec,
  messageError,
  type Target,
  writeErrors,
} from './mapping-engine.js';
import { mappingDefinitions, mappingRuns, mappingSourceSamples, mappingVersions } from './mappings.schema.js';

export type DefinitionRow = typeof mappingDefinitions.$inferSelect;
export type VersionRow = typeof mappingVersions.$inferSelect;
export type RunRow = typeof mappingRuns.$inferSelect;

/** The editable part of a definition: the sample it is built on, the field expressions, the trigger. */
export interface Draft {
  sample: unknown;
  fields: Record<string, string>;
  trigger: Record<string, unknown> | null;
}

export const draftSchema = z.object({
  sample: z.unknown().optional(),
  fields: z.record(z.string().min(1).max(200), z.string().max(4000)).default({}),
  trigger: z.record(z.string(), z.unknown()).nullable().default(null),
});

const EXCERPT = 2000;
/** Larger payloads (big signal batches) are not kept as a sample. */
const MAX_SAMPLE_BYTES = 256 * 1024;
const excerpt = (v: unknown) => {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
  return s.length > EXCERPT ? `${s.slice(0, EXCERPT)}…` : s;
};

function draftOf(row: { draft: unknown }): Draft {
  const d = (row.draft ?? {}) as Partial<Draft>;
  return { sample: d.sample ?? null, fields: d.fields ?? {}, trigger: d.trigger ?? null };
}

export const definitionService = new ResourceService({
  entity: 'mapping_definitions',
  label: 'Mapping',
  table: mappingDefinitions,
  fields: ['name', 'description', 'target', 'source_id', 'active_version'],
  sortable: { created_at: mappingDefinitions.created_at, name: mappingDefinitions.name },
  defaultSort: '-created_at',
  filters: {
    target: { column: mappingDefinitions.target, op: 'eq' },
    source_id: { column: mappingDefinitions.source_id, op: 'eq', schema: z.uuid() },
  },
  search: (q) => sql`${mappingDefinitions.name} ilike ${`%${q}%`}`,
  async prepare(tx, ctx, values, existing) {
    const sourceId = values.source_id;
    if (typeof sourceId === 'string' && sourceId !== existing?.source_id) {
      const [taken] = await tx
        .select({ id: mappingDefinitions.id })
        .from(mappingDefinitions)
        .where(
          and(eq(mappingDefinitions.tenant_id, ctx.tenantId), eq(mappingDefinitions.source_id, sourceId)),
        );
      if (taken)
        throw conflict('This source already uses another mapping', [
          { field: 'source_id', reason: 'one mapping per source' },
        ]);
    }
    return values;
  },
} satisfies ResourceDef);

/** A definition as the API shows it: the draft beside the columns, and whether it is active. */
export function presentDefinition(row: Record<string, unknown>) {
  return {
    id: String(row.id),
    name: String(row.name),
    description: (row.description as string | null) ?? null,
    target: row.target as Target,
    source_id: (row.source_id as string | null) ?? null,
    active_version: (row.active_version as number | null) ?? null,
    status: row.active_version ? ('active' as const) : ('draft' as const),
    draft: draftOf(row as { draft: unknown }),
    draft_updated_at: String(row.draft_updated_at),
    created_at: String(row.created_at),
    updated_at: String(row.updated_at),
  };
}

export async function getDefinition(tx: Tx, ctx: ActorContext, id: string): Promise<DefinitionRow> {
  if (!z.uuid().safeParse(id).success) throw notFound('Mapping');
  const [row] = await tx
    .select()
    .from(mappingDefinitions)
    .where(and(eq(mappingDefinitions.tenant_id, ctx.tenantId), eq(mappingDefinitions.id, id)));
  if (!row) throw notFound('Mapping');
  return row;
}

export interface DefinitionInput {
  name: string;
  description?: string | null;
  target: Target;
  source_id?: string | null;
  draft?: Partial<Draft>;
}

export async function createDefinition(tx: Tx, ctx: ActorContext, input: DefinitionInput) {
  const draft: Draft = {
    sample: input.draft?.sample ?? null,
    fields: input.draft?.fields ?? {},
    trigger: input.draft?.trigger ?? null,
  };
  const row = await definitionService.create(
    tx,
    ctx,
    {
      name: input.name,
      description: input.description ?? null,
      target: input.target,
      source_id: input.source_id ?? null,
      draft,
      created_by: ctx.actorId,
    },
    { method: 'manual' },
  );
  return presentDefinition(row);
}

export async function updateDefinition(
  tx: Tx,
  ctx: ActorContext,
  id: string,
  patch: { name?: string; description?: string | null; target?: Target; source_id?: string | null },
) {
  await getDefinition(tx, ctx, id);
  return presentDefinition(await definitionService.update(tx, ctx, id, patch, { method: 'manual' }));
}

export async function saveDraft(tx: Tx, ctx: ActorContext, id: string, draft: Draft) {
  await getDefinition(tx, ctx, id);
  const [row] = await tx
    .update(mappingDefinitions)
    .set({ draft, draft_updated_at: new Date(), updated_at: new Date() })
    .where(and(eq(mappingDefinitions.tenant_id, ctx.tenantId), eq(mappingDefinitions.id, id)))
    .returning();
  return presentDefinition(row);
}

/**
 * Freezes the draft as the next version and makes it the active one (n8n's publish), or, with
 * `version`, makes an earlier frozen version active again. A draft whose mapping does not work on
 * its own sample is refused (422, errors at the fields). Older versions are kept.
 */
export async function activate(tx: Tx, ctx: ActorContext, id: string, version?: number) {
  const def = await getDefinition(tx, ctx, id);
  await tx.execute(sql`select id from mapping_definitions where id = ${id} for update`);
  let number = version;
  if (number !== undefined) {
    await getVersion(tx, ctx, id, number);
  } else {
    const draft = draftOf(def);
    if (Object.values(draft.fields).every((f) => !f.trim()))
      throw unprocessable('The draft maps no field', [{ field: 'fields', reason: 'map at least one field' }]);
    if (draft.sample !== null && draft.sample !== undefined) {
      const check = await evaluate(tx, ctx, { target: def.target as Target, ...draft }, draft.sample);
      if (check.errors.length)
        throw unprocessable(
          'The draft has errors on its sample',
          check.errors.map((e) => ({ field: e.field, reason: e.reason, reasons: e.reasons })),
        );
    }
    const [{ n }] = await tx
      .select({ n: max(mappingVersions.version) })
      .from(mappingVersions)
      .where(and(eq(mappingVersions.tenant_id, ctx.tenantId), eq(mappingVersions.definition_id, id)));
    number = (n ?? 0) + 1;
    await tx.insert(mappingVersions).values({
      tenant_id: ctx.tenantId,
      definition_id: id,
      version: number,
      target: def.target,
      fields: draft.fields,
      trigger: draft.trigger,
      sample: draft.sample ?? null,
      created_by: ctx.actorId,
    });
  }
  const row = await definitionService.update(tx, ctx, id, { active_version: number }, { method: 'manual' });
  return presentDefinition(row);
}

/** Stops using the mapping (its versions stay; webhooks of its source go to the plain ingest again). */
export async function deactivate(tx: Tx, ctx: ActorContext, id: string) {
  await getDefinition(tx, ctx, id);
  return presentDefinition(
    await definitionService.update(tx, ctx, id, { active_version: null }, { method: 'manual' }),
  );
}

const presentVersion = (v: VersionRow, active: number | null) => ({
  version: v.version,
  active: v.version === active,
  target: v.target as Target,
  fields: (v.fields ?? {}) as Record<string, string>,
  trigger: (v.trigger ?? null) as Record<string, unknown> | null,
  sample: v.sample ?? null,
  created_by: v.created_by,
  created_at: String(v.created_at),
});

export async function listVersions(tx: Tx, ctx: ActorContext, id: string) {
  const def = await getDefinition(tx, ctx, id);
  const rows = await tx
    .select()
    .from(mappingVersions)
    .where(and(eq(mappingVersions.tenant_id, ctx.tenantId), eq(mappingVersions.definition_id, id)))
    .orderBy(desc(mappingVersions.version));
  return rows.map((v) => presentVersion(v, def.active_version));
}

export async function getVersion(tx: Tx, ctx: ActorContext, id: string, version: number) {
  const [row] = await tx
    .select()
    .from(mappingVersions)
    .where(
      and(
        eq(mappingVersions.tenant_id, ctx.tenantId),
        eq(mappingVersions.definition_id, id),
        eq(mappingVersions.version, version),
      ),
    );
  if (!row) throw notFound('Mapping version');
  return row;
}

// ---------- evaluation ----------

/** Evaluates a mapping on a payload with the tenant's signal types (custom types' payload schemas too). */
export async function evaluate(
  tx: Tx,
  ctx: ActorContext,
  spec: MappingSpec,
  payload: unknown,
  defaultSource = 'mapping',
): Promise<EvaluateResult> {
  const schemas = spec.target === 'signal' ? await typeSchemas(tx, ctx) : undefined;
  return evaluateMapping(spec, payload, {
    payloadSchema: schemas ? (type) => schemas.get(type) : undefined,
    defaultSource,
  });
}

/** What a run wrote (or would have written): the ingest's answer, or the created record's id. */
export interface WriteResult {
  ingest?: IngestResult;
  record_id?: string | null;
  duplicate_of_run?: string;
}

class Rollback extends Error {
  constructor() {
    super('dry run');
  }
}

interface WriteOptions {
  method: string;
  forceSource?: string;
  eventIdPrefix?: string;
  provenance: Record<string, unknown>;
}

/** The real write path for the record: the signal ingest, or the CRM record's service (audit, lineage, events). */
async function write(
  tx: Tx,
  ctx: ActorContext,
  target: Target,
  record: Record<string, unknown>,
  opts: WriteOptions,
): Promise<{ result: WriteResult; errors: MappingError[] }> {
  if (target === 'signal') {
    const ingest = await ingestSignals(tx, ctx, [record], {
      method: opts.method,
      forceSource: opts.forceSource,
      eventIdPrefix: opts.eventIdPrefix,
      extraProvenance: opts.provenance,
    });
    const item = ingest.results[0];
    const errors =
      item?.status === 'rejected' ? writeErrors([{ field: '(record)', reason: item.reason ?? '' }]) : [];
    return { result: { ingest }, errors };
  }
  if (!isCrmTarget(target)) return { result: {}, errors: [] };
  await tx.execute(sql`savepoint mapping_write`);
  try {
    const row = await crmServices[target].create(tx, ctx, record, { method: opts.method });
    return { result: { record_id: String(row.id) }, errors: [] };
  } catch (err) {
    if (!(err instanceof ProblemError) || err.status >= 500) throw err;
    await tx.execute(sql`rollback to savepoint mapping_write`);
    const errors = err.errors.length
      ? writeErrors(err.errors)
      : [messageError('(record)', err.detail ?? err.title)];
    return { result: { record_id: null }, errors };
  }
}

export interface RunOutcome {
  run_id: string;
  status: 'ok' | 'skipped' | 'failed';
  dry_run: boolean;
  version: number | null;
  record: Record<string, unknown> | null;
  result: WriteResult | null;
  errors: MappingError[];
  trigger_passed: boolean | null;
}

async function recordRun(
  tx: Tx,
  ctx: ActorContext,
  def: DefinitionRow,
  run: Omit<RunOutcome, 'run_id' | 'trigger_passed'> & {
    trigger: 'test' | 'webhook';
    payload: unknown;
    source_id?: string | null;
  },
): Promise<string> {
  const [row] = await tx
    .insert(mappingRuns)
    .values({
      tenant_id: ctx.tenantId,
      definition_id: def.id,
      version: run.version,
      trigger: run.trigger,
      status: run.status,
      dry_run: run.dry_run,
      source_id: run.source_id ?? null,
      input_excerpt: excerpt(run.payload),
      output: run.record,
      result: run.result,
      errors: run.errors,
    })
    .returning({ id: mappingRuns.id });
  return row.id;
}

/** The frozen version (or the draft when `version` is 'draft'), as a spec. */
async function specOf(
  tx: Tx,
  ctx: ActorContext,
  def: DefinitionRow,
  which: 'active' | 'draft',
): Promise<{ spec: MappingSpec; version: number | null }> {
  if (which === 'active') {
    if (!def.active_version)
      throw unprocessable('The mapping has no active version', [
        { field: 'version', reason: 'activate the draft first, or test the draft' },
      ]);
    const v = await getVersion(tx, ctx, def.id, def.active_version);
    return {
      spec: {
        target: v.target as Target,
        fields: (v.fields ?? {}) as Record<string, string>,
        trigger: v.trigger ?? null,
      },
      version: v.version,
    };
  }
  const d = draftOf(def);
  return { spec: { target: def.target as Target, fields: d.fields, trigger: d.trigger }, version: null };
}

/**
 * Runs the draft or the active version on a payload through the real write path in a transaction
 * that is rolled back (a dry run: nothing stored, no event leaves), then records the run.
 */
export async function testRun(
  database: Database,
  ctx: ActorContext,
  id: string,
  input: { payload: unknown; version: 'active' | 'draft' },
): Promise<RunOutcome> {
  const { def, spec, version } = await database.tenantTx(ctx.tenantId, async (tx) => {
    const def = await getDefinition(tx, ctx, id);
    return { def, ...(await specOf(tx, ctx, def, input.version)) };
  });
  let outcome: Omit<RunOutcome, 'run_id'> | undefined;
  try {
    await database.tenantTx(ctx.tenantId, async (tx) => {
      outcome = await mapAndWrite(tx, ctx, spec, version, input.payload, {
        method: 'mapping-test',
        provenance: { mapping_id: id, mapping_version: version, dry_run: true },
      });
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  if (!outcome) throw new Error('test run produced no outcome');
  const run = { ...outcome, dry_run: true, result: outcome.result && dryResult(outcome.result) };
  const runId = await database.tenantTx(ctx.tenantId, (tx) =>
    recordRun(tx, ctx, def, { ...run, trigger: 'test', payload: input.payload }),
  );
  return { run_id: runId, ...run };
}

/** Ids of a rolled-back write are not real: a dry run reports none. */
function dryResult(r: WriteResult): WriteResult {
  return {
    ...r,
    ingest: r.ingest && { ...r.ingest, results: r.ingest.results.map((x) => ({ ...x, id: null })) },
    record_id: r.record_id === undefined ? undefined : null,
  };
}

/** trigger → map → check → write; the status says where it stopped. */
async function mapAndWrite(
  tx: Tx,
  ctx: ActorContext,
  spec: MappingSpec,
  version: number | null,
  payload: unknown,
  opts: WriteOptions,
): Promise<Omit<RunOutcome, 'run_id'>> {
  const mapped = await evaluate(tx, ctx, spec, payload, opts.forceSource ?? 'mapping');
  const base = { dry_run: false, version, record: mapped.record, trigger_passed: mapped.trigger.passes };
  if (mapped.trigger.error)
    return { ...base, status: 'failed', result: null, errors: [mapped.trigger.error] };
  if (mapped.trigger.passes === false) return { ...base, status: 'skipped', result: null, errors: [] };
  if (mapped.errors.length) return { ...base, status: 'failed', result: null, errors: mapped.errors };
  const written = await write(tx, ctx, spec.target, mapped.record, opts);
  return {
    ...base,
    status: written.errors.length ? 'failed' : 'ok',
    result: written.result,
    errors: written.errors,
  };
}

export async function listRuns(tx: Tx, ctx: ActorContext, id: string, limit = 50) {
  await getDefinition(tx, ctx, id);
  const rows = await tx
    .select()
    .from(mappingRuns)
    .where(and(eq(mappingRuns.tenant_id, ctx.tenantId), eq(mappingRuns.definition_id, id)))
    .orderBy(desc(mappingRuns.at), desc(mappingRuns.id))
    .limit(limit);
  return rows.map((r) => ({
    id: r.id,
    at: String(r.at),
    trigger: r.trigger as 'test' | 'webhook',
    status: r.status as 'ok' | 'skipped' | 'failed',
    dry_run: r.dry_run,
    version: r.version,
    source_id: r.source_id,
    input_excerpt: r.input_excerpt,
    output: r.output ?? null,
    result: r.result ?? null,
    errors: (r.errors ?? []) as MappingError[],
  }));
}

/** Localised errors for a response: `reason` in the caller's language. */
export function localised(errors: MappingError[], locale: Locale): MappingError[] {
  return errors.map((e) => ({ ...e, reason: e.reasons[locale] ?? e.reason }));
}

// ---------- inbound webhook sources ----------

/** The latest payload a source received (null when none yet). */
export async function capturedSample(tx: Tx, ctx: ActorContext, sourceId: string) {
  if (!z.uuid().safeParse(sourceId).success) return null;
  const [row] = await tx
    .select()
    .from(mappingSourceSamples)
    .where(
      and(eq(mappingSourceSamples.tenant_id, ctx.tenantId), eq(mappingSourceSamples.source_id, sourceId)),
    );
  return row ? { payload: row.payload, received_at: String(row.received_at) } : null;
}

export interface InboundSource {
  id: string;
  key: string;
  tenant_id: string;
}

/**
 * The signals module's inbound webhook hands every verified payload here (signals.routes.ts).
 * Keeps it as the source's captured sample; when a mapping with an active version names the
 * source, runs it (trigger → map → the ingest, or a CRM create) and records the run — the answer
 * is then in the ingest's shape. Returns null when no active mapping names the source: the payload
 * is then ingested as our own signal shape, as before.
 */
export async function mapInboundWebhook(
  database: Database,
  ctx: ActorContext,
  source: InboundSource,
  payload: unknown,
  webhookId: string,
): Promise<
  (IngestResult & { mapping: { id: string; run_id: string; status: RunOutcome['status'] } }) | null
> {
  const found = await database.tenantTx(source.tenant_id, async (tx) => {
    if (jsonBytes(payload) <= MAX_SAMPLE_BYTES)
      await tx
        .insert(mappingSourceSamples)
        .values({ tenant_id: source.tenant_id, source_id: source.id, payload, received_at: new Date() })
        .onConflictDoUpdate({
          target: [mappingSourceSamples.tenant_id, mappingSourceSamples.source_id],
          set: { payload, received_at: new Date() },
        });
    const [def] = await tx
      .select()
      .from(mappingDefinitions)
      .where(
        and(eq(mappingDefinitions.tenant_id, source.tenant_id), eq(mappingDefinitions.source_id, source.id)),
      );
    if (!def?.active_version) return null;
    const earlier = isCrmTarget(def.target) ? await earlierRun(tx, def, webhookId) : undefined;
    return { def, earlier, ...(await specOf(tx, ctx, def, 'active')) };
  });
  if (!found) return null;
  const { def, spec, version, earlier } = found;
  const provenance = {
    source_id: source.id,
    mapping_id: def.id,
    mapping_version: version,
    webhook_id: webhookId,
  };
  if (earlier) {
    // A redelivery of a webhook already written as a record: nothing new (signals dedupe by the webhook id).
    const ingest = {
      accepted: 0,
      duplicates: 1,
      rejected: 0,
      results: [{ index: 0, id: earlier.recordId, status: 'duplicate' as const, matched: false }],
    };
    return { ...ingest, mapping: { id: def.id, run_id: earlier.runId, status: 'ok' } };
  }
  let outcome: Omit<RunOutcome, 'run_id'>;
  let runId: string;
  try {
    ({ outcome, runId } = await database.tenantTx(source.tenant_id, async (tx) => {
      const o = await mapAndWrite(tx, ctx, spec, version, payload, {
        method: 'webhook',
        forceSource: source.key,
        eventIdPrefix: webhookId,
        provenance,
      });
      const result = o.result && { ...o.result, webhook_id: webhookId };
      const id = await recordRun(tx, ctx, def, {
        ...o,
        result,
        trigger: 'webhook',
        payload,
        source_id: source.id,
      });
      return { outcome: o, runId: id };
    }));
  } catch (err) {
    // The write failed past its own checks: keep the failure in the run history, then answer with it.
    const errors = [messageError('(record)', 'The record could not be stored')];
    await database.tenantTx(source.tenant_id, (tx) =>
      recordRun(tx, ctx, def, {
        status: 'failed',
        dry_run: false,
        version,
        record: null,
        result: null,
        errors,
        trigger: 'webhook',
        payload,
        source_id: source.id,
      }),
    );
    throw err;
  }
  const mapping = { id: def.id, run_id: runId, status: outcome.status };
  if (outcome.result?.ingest) return { ...outcome.result.ingest, mapping };
  const ok = outcome.status === 'ok';
  const reason =
    outcome.status === 'skipped'
      ? 'skipped: the trigger condition is not met'
      : outcome.errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
  return {
    accepted: ok ? 1 : 0,
    duplicates: 0,
    rejected: ok ? 0 : 1,
    results: [
      {
        index: 0,
        id: outcome.result?.record_id ?? null,
        status: ok ? 'accepted' : 'rejected',
        matched: false,
        ...(ok ? {} : { reason }),
      },
    ],
    mapping,
  };
}

async function earlierRun(tx: Tx, def: DefinitionRow, webhookId: string) {
  const [row] = await tx
    .select({ id: mappingRuns.id, result: mappingRuns.result })
    .from(mappingRuns)
    .where(
      and(
        eq(mappingRuns.tenant_id, def.tenant_id),
        eq(mappingRuns.definition_id, def.id),
        eq(mappingRuns.status, 'ok'),
        sql`${mappingRuns.result}->>'webhook_id' = ${webhookId}`,
      ),
    )
    .limit(1);
  if (!row) return undefined;
  const rid = (row.result as { record_id?: string } | null)?.record_id ?? null;
  return { runId: row.id, recordId: rid };
}
