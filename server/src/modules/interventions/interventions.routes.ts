import { z } from 'zod';
import { type ActorContext, can } from '../../platform/auth/auth-context.js';
import type { TypedApp } from '../../platform/http/app.js';
import { badRequest, forbidden } from '../../platform/http/problem.js';
import {
  type InsightMethod,
  recordLineage,
  recordLineageSchema,
} from '../../platform/records/insight-lineage.js';
import { errorResponses, idParams } from '../../platform/records/resource-routes.js';
import {
  acceptIntervention,
  breakerStatus,
  createRule,
  dismissIntervention,
  getRule,
  interventionService,
  listRules,
  recordOutcome,
  ruleDefinitionSchema,
  SEVERITIES,
  signOff,
  signOffsOf,
  teamBrief,
  updateRule,
  weeklyBrief,
} from './interventions.service.js';

const tags = ['Interventions'];
const anyObj = z.record(z.string(), z.unknown());
const interventionOut = z.object({
  id: z.string(),
  account_id: z.string(),
  opportunity_id: z.string().nullable(),
  rule_id: z.string(),
  rule_key: z.string(),
  rule_version: z.number(),
  status: z.enum(['open', 'accepted', 'dismissed']),
  severity: z.enum(SEVERITIES),
  title: z.string(),
  risk: anyObj,
  talk_track: z
    .string()
    .describe(
      'shown to the rep: the rule template, or its LLM rewrite when resources.talk_track.source is llm',
    ),
  resources: anyObj.describe(
    '{ cases[], specialist, budget, talk_track? } — talk_track (only when an LLM endpoint is configured): ' +
      '{ source: llm, template_text, model, rewritten_at } or { source: template, template_text, model, llm_error, attempted_at }',
  ),
  owner_id: z.string().nullable(),
  due_at: z.string(),
  evidence: anyObj.describe('{ signal_ids, rule_id, rule_key, rule_version, features }'),
  signal_ids: z.array(z.string()),
  occurrences: z.number(),
  delivery: z.enum(['realtime', 'brief']),
  delivery_reason: z.string().nullable(),
  sign_off_status: z.enum(['not_required', 'pending', 'approved', 'rejected']),
  dismiss_reason: z.string().nullable(),
  outcome: z.string().nullable(),
  outcome_note: z.string().nullable(),
  first_fired_at: z.string(),
  last_fired_at: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
const pageOut = z.object({ data: z.array(interventionOut), next_cursor: z.string().nullable() });
const opt = z.string().optional();
const breakerOut = z.object({
  average_daily_touches: z.number(),
  threshold: z.number(),
  suggested_today: z.number(),
  tripped: z.boolean(),
  factor: z.number(),
});

/** owner_id query: "me" (default), "any" (managers: everyone's), or a user id (managers only). */
function ownerFilter(ctx: ActorContext, owner: string | undefined): string | undefined {
  const o = owner ?? 'me';
  if (o === 'me') return ctx.actorId ?? undefined;
  if (!can(ctx, 'interventions:sign_off') && o !== ctx.actorId)
    throw forbidden('Only managers may see other people’s interventions');
  return o === 'any' ? undefined : o;
}

/** The interventions module's HTTP routes: the inbox, acting on bundles, rules, sign-off. */
export function interventionsRoutes(app: TypedApp): void {
  app.get(
    '/interventions',
    {
      config: { permission: 'interventions:read' },
      schema: {
        tags,
        summary: 'Inbox: intervention bundles (default: mine, real-time ones first by creation)',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).optional(),
          cursor: opt,
          sort: opt.describe('created_at | due_at | last_fired_at, prefix - for descending'),
          owner_id: opt.describe('me (default) | any | <user id> (managers)'),
          status: opt.describe('open,accepted,dismissed'),
          delivery: z.enum(['realtime', 'brief']).optional(),
          severity: opt,
          account_id: opt,
          rule_key: opt,
          sign_off_status: opt,
          from: opt,
          to: opt,
        }),
        response: { 200: pageOut.extend({ circuit_breaker: breakerOut.nullable() }), ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const { owner_id, ...filters } = req.query;
        const owner = ownerFilter(ctx, owner_id);
        const page = await interventionService.list(
          tx,
          ctx,
          owner ? { ...filters, owner_id: owner } : filters,
        );
        const me =
          ctx.actorType === 'user' && ctx.actorId
            ? await breakerStatus(tx, ctx, ctx.actorId, new Date())
            : null;
        return { ...page, circuit_breaker: me };
      }),
  );

  app.get(
    '/interventions/sign-off-queue',
    {
      config: { permission: 'interventions:sign_off' },
      schema: {
        tags,
        summary: 'Manager queue: accepted strategies waiting for sign-off',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).optional(), cursor: opt }),
        response: { 200: pageOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, (tx, ctx) =>
        interventionService.list(tx, ctx, {
          ...req.query,
          sign_off_status: 'pending',
          sort: 'created_at',
        }),
      ),
  );

  app.get(
    '/interventions/:id',
    {
      config: { permission: 'interventions:read' },
      schema: {
        tags,
        summary: 'One bundle with its evidence and sign-offs',
        params: idParams,
        response: { 200: interventionOut.extend({ sign_offs: z.array(anyObj) }), ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const row = await interventionService.get(tx, ctx, req.params.id);
        if (
          !can(ctx, 'interventions:sign_off') &&
          row.owner_id &&
          row.owner_id !== ctx.actorId &&
          ctx.role === 'rep'
        )
          throw forbidden('This intervention is addressed to someone else');
        return { ...row, sign_offs: await signOffsOf(tx, ctx, row.id as string) };
      }),
  );

  app.get(
    '/interventions/:id/lineage',
    {
      config: { permission: 'interventions:read' },
      schema: {
        tags,
        summary:
          'How a bundle was produced: the rule and its version, the LLM and model of a rewritten talk track, and every field change',
        params: idParams,
        response: { 200: recordLineageSchema, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const row = await interventionService.get(tx, ctx, req.params.id);
        if (
          !can(ctx, 'interventions:sign_off') &&
          row.owner_id &&
          row.owner_id !== ctx.actorId &&
          ctx.role === 'rep'
        )
          throw forbidden('This intervention is addressed to someone else');
        const created = new Date(String(row.created_at)).toISOString();
        const methods: InsightMethod[] = [
          {
            applies_to: 'record',
            kind: 'rule',
            detail: `rule ${String(row.rule_key)} v${Number(row.rule_version)}`,
            rule_key: String(row.rule_key),
            rule_version: Number(row.rule_version),
            source: 'interventions',
            actor_name: null,
            at: created,
          },
        ];
        const origin = ((row.resources ?? {}) as { talk_track?: Record<string, unknown> }).talk_track;
        const model = typeof origin?.model === 'string' ? origin.model : null;
        methods.push(
          origin?.source === 'llm'
            ? {
                applies_to: 'talk_track',
                kind: 'llm',
                detail: `LLM ${model}`,
                llm_model: model,
                source: 'talk-track-rewrite',
                actor_name: null,
                at: typeof origin.rewritten_at === 'string' ? origin.rewritten_at : null,
              }
            : {
                applies_to: 'talk_track',
                kind: 'rule',
                detail: `template of rule ${String(row.rule_key)} v${Number(row.rule_version)}`,
                rule_key: String(row.rule_key),
                rule_version: Number(row.rule_version),
                source: 'interventions',
                actor_name: null,
                at: created,
              },
        );
        return recordLineage(tx, ctx.tenantId, 'interventions', row, interventionService.def.fields, methods);
      }),
  );

  app.post(
    '/interventions/:id/accept',
    {
      config: { permission: 'interventions:act' },
      schema: {
        tags,
        summary: 'Accept (goes to the manager sign-off queue)',
        params: idParams,
        body: z.object({ note: z.string().max(2000).optional() }).optional(),
        response: { 200: interventionOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, (tx, ctx) => acceptIntervention(tx, ctx, req.params.id, req.body?.note)),
  );

  app.post(
    '/interventions/:id/dismiss',
    {
      config: { permission: 'interventions:act' },
      schema: {
        tags,
        summary: 'Dismiss with a reason',
        params: idParams,
        body: z.object({ reason: z.string().trim().min(3, 'a reason is required').max(2000) }),
        response: { 200: interventionOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, (tx, ctx) => dismissIntervention(tx, ctx, req.params.id, req.body.reason)),
  );

  app.post(
    '/interventions/:id/outcome',
    {
      config: { permission: 'interventions:act' },
      schema: {
        tags,
        summary: 'Record the outcome (R-1.8)',
        params: idParams,
        body: z.object({
          outcome: z.enum(['won', 'lost', 'helped', 'no_effect', 'other']),
          note: z.string().max(2000).optional(),
        }),
        response: { 200: interventionOut, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, (tx, ctx) =>
        recordOutcome(tx, ctx, req.params.id, req.body.outcome, req.body.note),
      ),
  );

  app.post(
    '/interventions/:id/sign-off',
    {
      config: { permission: 'interventions:sign_off' },
      schema: {
        tags,
        summary: 'Manager sign-off with a written decision basis (kept and audited)',
        params: idParams,
        body: z.object({
          decision: z.enum(['approved', 'rejected']),
          basis: z.string().trim().min(10, 'write the basis of the decision (≥ 10 characters)').max(5000),
        }),
        response: { 200: z.object({ intervention: interventionOut, sign_off: anyObj }), ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, (tx, ctx) => signOff(tx, ctx, req.params.id, req.body.decision, req.body.basis)),
  );

  app.get(
    '/briefs',
    {
      config: { permission: 'interventions:read' },
      schema: {
        tags,
        summary: 'Weekly strategy brief: interventions the circuit breaker held back this week, by account',
        querystring: z.object({
          owner_id: opt.describe(
            'me (default), team (managers: everyone reporting to me) or a user id (managers)',
          ),
          date: z.iso.date().optional().describe('any day of the week (default today)'),
        }),
        response: { 200: anyObj, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const q = req.query;
        const when = q.date ? new Date(`${q.date}T12:00:00Z`) : new Date();
        if (q.owner_id === 'team') {
          if (!can(ctx, 'interventions:sign_off')) throw forbidden('Only managers see the team’s brief');
          return teamBrief(tx, ctx, when);
        }
        const owner = ownerFilter(ctx, q.owner_id);
        if (!owner)
          throw badRequest('A brief is per person', [{ field: 'owner_id', reason: 'me or a user id' }]);
        return weeklyBrief(tx, ctx, owner, when);
      }),
  );

  // ---------- rules ----------
  const ruleOut = anyObj;
  app.get(
    '/rules',
    {
      config: { permission: 'interventions:read' },
      schema: {
        tags: ['Rules'],
        summary: 'Rules with their current definition and version history',
        response: { 200: z.object({ data: z.array(ruleOut) }), ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, async (tx, ctx) => ({ data: await listRules(tx, ctx) })),
  );
  app.get(
    '/rules/:id',
    {
      config: { permission: 'interventions:read' },
      schema: {
        tags: ['Rules'],
        summary: 'A rule with every version',
        params: idParams,
        response: { 200: ruleOut, ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => getRule(tx, ctx, req.params.id)),
  );
  app.post(
    '/rules',
    {
      config: { permission: 'signals:manage' },
      schema: {
        tags: ['Rules'],
        summary: 'Create a rule (JsonLogic condition over fused features)',
        body: z.object({
          key: z.string().regex(/^[a-z][a-z0-9_]{1,62}$/),
          name: z.string().min(1).max(200),
          definition: ruleDefinitionSchema,
        }),
        response: { 201: ruleOut, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await app.withTenant(req, (tx, ctx) => createRule(tx, ctx, req.body))),
  );
  app.put(
    '/rules/:id',
    {
      config: { permission: 'signals:manage' },
      schema: {
        tags: ['Rules'],
        summary: 'Change a rule: a new definition becomes a new version',
        params: idParams,
        body: z.object({
          name: z.string().min(1).max(200).optional(),
          active: z.boolean().optional(),
          definition: ruleDefinitionSchema.optional(),
          change_reason: z.string().max(500).optional(),
        }),
        response: { 200: ruleOut, ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => updateRule(tx, ctx, req.params.id, req.body)),
  );
}
