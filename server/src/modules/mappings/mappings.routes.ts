import { z } from 'zod';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import type { TypedApp } from '../../platform/http/app.js';
import { negotiateLocale } from '../../platform/http/locale.js';
import { ProblemError, unauthorized, unprocessable } from '../../platform/http/problem.js';
import { errorResponses, idParams } from '../../platform/records/resource-routes.js';
import { sourceService } from '../signals/signals.service.js';
import { TARGETS, type Target, targetFields } from './mapping-engine.js';
import {
  activate,
  capturedSample,
  createDefinition,
  deactivate,
  definitionService,
  draftSchema,
  evaluate,
  getDefinition,
  getVersion,
  listRuns,
  listVersions,
  localised,
  presentDefinition,
  saveDraft,
  testRun,
  updateDefinition,
} from './mappings.service.js';

const tags = ['Mappings'];
const permission = 'mappings:manage' as const;

const TARGET_LABELS: Record<Target, { en: string; 'zh-CN': string }> = {
  signal: { en: 'Signal', 'zh-CN': '信号' },
  accounts: { en: 'Account', 'zh-CN': '客户' },
  contacts: { en: 'Contact', 'zh-CN': '联系人' },
  opportunities: { en: 'Opportunity', 'zh-CN': '商机' },
  activities: { en: 'Activity', 'zh-CN': '活动' },
};

const localeText = z.object({ en: z.string(), 'zh-CN': z.string() });
const target = z
  .enum(TARGETS)
  .describe('signal, or a CRM record: accounts | contacts | opportunities | activities');
const fieldsMap = z
  .record(z.string().min(1).max(200), z.string().max(4000))
  .describe('target field → jsonata expression on the payload (signals: subject fields flat, payload.<key>)');
const trigger = z
  .record(z.string(), z.unknown())
  .nullable()
  .describe('JsonLogic on the payload; null = every payload');
const draftOut = z.object({
  sample: z.unknown(),
  fields: z.record(z.string(), z.string()),
  trigger: z.unknown(),
});
const definitionOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  target,
  source_id: z.string().nullable().describe('The inbound webhook source (signal source id) it maps'),
  active_version: z.number().nullable(),
  status: z.enum(['draft', 'active']),
  draft: draftOut,
  draft_updated_at: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
const mappingError = z.object({
  field: z.string().describe('The target field (or trigger, (subject), (record))'),
  kind: z.enum(['syntax', 'evaluation', 'invalid', 'required', 'unknown_field', 'trigger']),
  reason: z.string().describe("In the caller's language (Accept-Language)"),
  reasons: localeText,
});
const versionOut = z.object({
  version: z.number(),
  active: z.boolean(),
  target,
  fields: z.record(z.string(), z.string()),
  trigger: z.unknown(),
  sample: z.unknown(),
  created_by: z.string().nullable(),
  created_at: z.string(),
});
const runOut = z.object({
  run_id: z.string(),
  status: z.enum(['ok', 'skipped', 'failed']),
  dry_run: z.boolean(),
  version: z.number().nullable().describe('null: the draft'),
  record: z.record(z.string(), z.unknown()).nullable(),
  result: z.unknown(),
  errors: z.array(mappingError),
  trigger_passed: z.boolean().nullable(),
});
const versionParams = z.object({ id: z.string(), version: z.coerce.number().int().min(1) });

/** The mappings module's HTTP routes (`mappings:manage`). */
export function mappingsRoutes(app: TypedApp): void {
  const localeOf = (h: string | string[] | undefined) => negotiateLocale(h);

  app.get(
    '/mappings/targets',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'What a mapping can produce and the fields of each target (from their owners)',
        response: {
          200: z.object({
            data: z.array(
              z.object({
                target,
                label: localeText,
                fields: z.array(
                  z.object({
                    key: z.string(),
                    label: localeText,
                    required: z.boolean(),
                    group: z.string().optional(),
                    open: z.boolean().optional(),
                  }),
                ),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async () => ({
      data: TARGETS.map((t) => ({ target: t, label: TARGET_LABELS[t], fields: targetFields(t) })),
    }),
  );

  app.get(
    '/mappings',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'List mapping definitions',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).optional(),
          cursor: z.string().optional(),
          q: z.string().max(200).optional(),
          target: z.enum(TARGETS).optional(),
          source_id: z.string().optional(),
        }),
        response: {
          200: z.object({ data: z.array(definitionOut), next_cursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const page = await definitionService.list(tx, ctx, req.query);
        return { data: page.data.map(presentDefinition), next_cursor: page.next_cursor };
      }),
  );

  const checkSource = async (tx: Tx, ctx: ActorContext, sourceId: string | null | undefined) => {
    if (!sourceId) return;
    try {
      await sourceService.get(tx, ctx, sourceId);
    } catch (err) {
      if (err instanceof ProblemError && err.status === 404)
        throw unprocessable('No such source', [{ field: 'source_id', reason: 'No such source' }]);
      throw err;
    }
  };

  app.post(
    '/mappings',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Create a mapping definition (its draft may come along)',
        body: z.object({
          name: z.string().trim().min(1).max(200),
          description: z.string().max(2000).nullable().optional(),
          target,
          source_id: z.uuid().nullable().optional(),
          draft: draftSchema.partial().optional(),
        }),
        response: { 201: definitionOut, ...errorResponses },
      },
    },
    async (req, reply) => {
      const out = await app.withTenant(req, async (tx, ctx) => {
        await checkSource(tx, ctx, req.body.source_id);
        return createDefinition(tx, ctx, req.body);
      });
      return reply.status(201).send(out);
    },
  );

  app.get(
    '/mappings/:id',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'One mapping definition',
        params: idParams,
        response: { 200: definitionOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => presentDefinition(await getDefinition(tx, ctx, req.params.id))),
  );

  app.patch(
    '/mappings/:id',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Rename, retarget or bind to a source (source_id null unbinds)',
        params: idParams,
        body: z.object({
          name: z.string().trim().min(1).max(200).optional(),
          description: z.string().max(2000).nullable().optional(),
          target: target.optional(),
          source_id: z.uuid().nullable().optional(),
        }),
        response: { 200: definitionOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        await checkSource(tx, ctx, req.body.source_id);
        return updateDefinition(tx, ctx, req.params.id, req.body);
      }),
  );

  app.delete(
    '/mappings/:id',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Delete a mapping with its versions and run history',
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await app.withTenant(req, async (tx, ctx) => {
        await getDefinition(tx, ctx, req.params.id);
        await definitionService.remove(tx, ctx, req.params.id);
      });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/mappings/:id/draft',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'The draft (sample, field expressions, trigger)',
        params: idParams,
        response: { 200: draftOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(
        req,
        async (tx, ctx) => presentDefinition(await getDefinition(tx, ctx, req.params.id)).draft,
      ),
  );

  app.put(
    '/mappings/:id/draft',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Save the draft (the active version is not touched until activate)',
        params: idParams,
        body: z.object({
          sample: z.unknown().optional(),
          fields: fieldsMap.default({}),
          trigger: trigger.default(null),
        }),
        response: { 200: definitionOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, (tx, ctx) =>
        saveDraft(tx, ctx, req.params.id, {
          sample: req.body.sample ?? null,
          fields: req.body.fields,
          trigger: req.body.trigger,
        }),
      ),
  );

  app.post(
    '/mappings/preview',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Evaluate a mapping on a sample: the mapped record, each field value, errors at the field',
        description:
          "Give target + fields (+ trigger), or definition_id to use its draft (fields/trigger/target in the body override it). The sample defaults to the draft's. Nothing is written.",
        body: z.object({
          definition_id: z.uuid().optional(),
          target: target.optional(),
          fields: fieldsMap.optional(),
          trigger: trigger.optional(),
          sample: z.unknown().optional(),
        }),
        response: {
          200: z.object({
            target,
            record: z.record(z.string(), z.unknown()),
            values: z.record(z.string(), z.unknown()),
            errors: z.array(mappingError),
            trigger: z.object({ passes: z.boolean().nullable(), error: mappingError.nullable() }),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const locale = localeOf(req.headers['accept-language']);
      const body = req.body;
      return app.withTenant(req, async (tx, ctx) => {
        const def = body.definition_id
          ? presentDefinition(await getDefinition(tx, ctx, body.definition_id))
          : null;
        const t = body.target ?? def?.target;
        if (!t)
          throw unprocessable('Give a target or a definition_id', [{ field: 'target', reason: 'required' }]);
        const spec = {
          target: t,
          fields: body.fields ?? def?.draft.fields ?? {},
          trigger: body.trigger !== undefined ? body.trigger : (def?.draft.trigger ?? null),
        };
        const sample = body.sample !== undefined ? body.sample : (def?.draft.sample ?? null);
        const r = await evaluate(tx, ctx, spec, sample);
        return {
          target: t,
          record: r.record,
          values: r.values,
          errors: localised(r.errors, locale),
          trigger: {
            passes: r.trigger.passes,
            error: r.trigger.error && localised([r.trigger.error], locale)[0],
          },
        };
      });
    },
  );

  app.post(
    '/mappings/:id/activate',
    {
      config: { permission },
      schema: {
        tags,
        summary:
          'Freeze the draft as the next version and make it active; with version, re-activate an earlier one',
        params: idParams,
        body: z.object({ version: z.number().int().min(1).optional() }).default({}),
        response: { 200: definitionOut, ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => activate(tx, ctx, req.params.id, req.body.version)),
  );

  app.post(
    '/mappings/:id/deactivate',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'No active version any more (versions are kept; its source goes back to the plain ingest)',
        params: idParams,
        response: { 200: definitionOut, ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => deactivate(tx, ctx, req.params.id)),
  );

  app.get(
    '/mappings/:id/versions',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Frozen versions, newest first',
        params: idParams,
        response: { 200: z.object({ data: z.array(versionOut) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await app.withTenant(req, (tx, ctx) => listVersions(tx, ctx, req.params.id)) }),
  );

  app.get(
    '/mappings/:id/versions/:version',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'One frozen version',
        params: versionParams,
        response: { 200: versionOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const def = await getDefinition(tx, ctx, req.params.id);
        const v = await getVersion(tx, ctx, def.id, req.params.version);
        return (await listVersions(tx, ctx, def.id)).find((x) => x.version === v.version) ?? null;
      }),
  );

  app.post(
    '/mappings/:id/test-run',
    {
      config: { permission },
      schema: {
        tags,
        summary:
          'Dry run on a payload through the real write path (rolled back); recorded in the run history',
        description:
          'Signals go through the ingest (validation, type payload schema, dedupe, entity resolution), CRM records through their service (validation, references, custom fields); the transaction is rolled back, so nothing is stored and no event is sent. The payload defaults to the draft sample; the version to the active one (the draft when none is active).',
        params: idParams,
        body: z
          .object({ payload: z.unknown().optional(), version: z.enum(['active', 'draft']).optional() })
          .default({}),
        response: { 200: runOut, ...errorResponses },
      },
    },
    async (req) => {
      const ctx = req.actor;
      if (!ctx) throw unauthorized();
      const locale = localeOf(req.headers['accept-language']);
      const def = await app.withTenant(req, (tx, c) => getDefinition(tx, c, req.params.id));
      const draft = presentDefinition(def).draft;
      const out = await testRun(app.platform.database, ctx, def.id, {
        payload: req.body.payload !== undefined ? req.body.payload : draft.sample,
        version: req.body.version ?? (def.active_version ? 'active' : 'draft'),
      });
      return { ...out, errors: localised(out.errors, locale) };
    },
  );

  app.get(
    '/mappings/:id/runs',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Run history, newest first: time, trigger (test | webhook), input excerpt, result, errors',
        params: idParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: {
          200: z.object({
            data: z.array(
              z.object({
                id: z.string(),
                at: z.string(),
                trigger: z.enum(['test', 'webhook']),
                status: z.enum(['ok', 'skipped', 'failed']),
                dry_run: z.boolean(),
                version: z.number().nullable(),
                source_id: z.string().nullable(),
                input_excerpt: z.string(),
                output: z.unknown(),
                result: z.unknown(),
                errors: z.array(mappingError),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const locale = localeOf(req.headers['accept-language']);
      const runs = await app.withTenant(req, (tx, ctx) => listRuns(tx, ctx, req.params.id, req.query.limit));
      return { data: runs.map((r) => ({ ...r, errors: localised(r.errors, locale) })) };
    },
  );

  app.get(
    '/mappings/sources/:id/sample',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'The latest payload an inbound webhook source received (for "use captured sample")',
        params: idParams,
        response: {
          200: z.object({ payload: z.unknown(), received_at: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        await sourceService.get(tx, ctx, req.params.id);
        return (await capturedSample(tx, ctx, req.params.id)) ?? { payload: null, received_at: null };
      }),
  );
}
