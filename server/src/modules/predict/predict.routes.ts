import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { TypedApp } from '../../platform/http/app.js';
import { notFound } from '../../platform/http/problem.js';
import { type InsightMethod, recordLineageSchema } from '../../platform/records/insight-lineage.js';
import { errorResponses, idParams } from '../../platform/records/resource-routes.js';
import { allReadableIds, readableIds, readableRef } from '../../platform/sharing/sharing.service.js';
import { accountService, contactService, opportunityService } from '../crm/crm.service.js';
import { accountBehaviour, inferBuyingStage } from './buying-stage.service.js';
import { computeForecast, forecastAccuracy, takeSnapshot } from './forecast.service.js';
import { getLeadScore, listLeadScores, trainLeadModel } from './lead-score.service.js';
import { opportunityPredictions, predictionModels } from './predict.schema.js';
import { loadOpportunities } from './predict-data.js';
import { registerQuotaRoutes } from './quota.routes.js';
import { getPrediction, presentModel, trainWinModel } from './win-probability.service.js';

const tags = ['predict'];

/** How a score was produced, in the lineage's words: model and version, or the rule fallback. */
function scoreMethod(
  kind: 'win_probability' | 'lead_score',
  p: {
    method: string;
    label: string;
    model_id: string | null;
    model_version: number | null;
    computed_at: string | null;
  },
): InsightMethod {
  const base = { applies_to: 'score', source: 'predict', actor_name: null, at: p.computed_at };
  if (p.method === 'model')
    return {
      ...base,
      kind: 'model',
      detail: `model ${kind} v${p.model_version}`,
      model_kind: kind,
      model_id: p.model_id,
      model_version: p.model_version,
    };
  if (p.method === 'closed') return { ...base, kind: 'computed', detail: p.label };
  return {
    ...base,
    kind: 'rule',
    detail: p.label,
    rule_key: p.method,
    model_kind: kind,
    model_version: p.model_version,
  };
}
const anyObject = z.object({}).passthrough();

const factor = z.object({
  feature: z.string(),
  label: z.string(),
  value: z.string().nullable(),
  contribution: z.number().describe('log-odds; > 0 raises the probability'),
});
const predictionSchema = z.object({
  opportunity_id: z.string(),
  probability: z.number(),
  method: z.enum(['model', 'stage_fallback', 'closed']),
  label: z.string(),
  model_id: z.string().nullable(),
  model_version: z.number().nullable(),
  top_factors: z.array(factor),
  computed_at: z.string().nullable(),
});
const modelSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    version: z.number(),
    status: z.string(),
    method: z.enum(['model', 'stage_fallback', 'rules_fallback']),
    trained_at: z.string(),
    train_rows: z.number(),
    test_rows: z.number(),
    metrics: anyObject.describe('auc, brier, logloss, ece, reliability bins (detail only), baseline, split'),
    features: z.array(z.string()),
    note: z.string().nullable(),
  })
  .passthrough();
const trainResult = z.object({
  model_id: z.string(),
  version: z.number(),
  status: z.enum(['active', 'fallback']),
  method: z.enum(['model', 'stage_fallback']),
  note: z.string().nullable(),
  train_rows: z.number(),
  test_rows: z.number(),
  metrics: anyObject,
  scored: z.number(),
});
const leadScoreSchema = z.object({
  contact_id: z.string(),
  score: z.number().describe('0..1; with method model, the calibrated probability of conversion'),
  method: z.enum(['model', 'rules_fallback']),
  label: z.string(),
  model_id: z.string().nullable(),
  model_version: z.number().nullable(),
  top_factors: z.array(factor),
  computed_at: z.string(),
});
const leadTrainResult = trainResult.extend({ method: z.enum(['model', 'rules_fallback']) });
const periodKind = z.enum(['month', 'quarter']);
const forecastRow = z.object({
  period: z.string(),
  group_key: z.string(),
  group_label: z.string(),
  expected: z.number(),
  p10: z.number(),
  p90: z.number(),
  commit: z.number(),
  quota: z.number().nullable().describe('Own quota of the group, or derived (see quota.service.ts)'),
  attainment: z.number().nullable().describe('won_to_date / quota; null without a quota'),
  won_to_date: z.number(),
  open_expected: z.number(),
  run_rate: z.number(),
  open_deals: z.number(),
  simulated_mean: z.number(),
});
const behaviourEvent = z.object({
  page_type: z.enum(['api_docs', 'pricing', 'competitor_comparison', 'product', 'other']),
  at: z.iso.datetime({ offset: true }),
  dwell_seconds: z.number().min(0).nullable().optional(),
  session_id: z.string().max(200).nullable().optional(),
  url: z.string().max(2000).nullable().optional(),
});
const buyingStageSchema = z.object({
  stage: z.string(),
  label: z.string(),
  window_days: z.number(),
  events_considered: z.number(),
  counts: z.record(z.string(), z.number()),
  evidence: z.array(
    z.object({
      rule: z.string(),
      fired: z.boolean(),
      detail: z.string(),
      params: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
    }),
  ),
});

/** The predict module's HTTP routes: predictions, models, forecast, buying stage, lead scores, quotas. */
export function predictRoutes(app: TypedApp): void {
  registerQuotaRoutes(app);

  app.post(
    '/predict/win-probability/train',
    {
      config: { permission: 'predict:manage' },
      schema: {
        tags,
        summary:
          'Train a new win-probability version on closed history (time split) and rescore every open opportunity',
        response: { 200: trainResult, ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => trainWinModel(tx, ctx.tenantId, { trigger: 'manual' })),
  );

  app.get(
    '/opportunities/:id/prediction',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary: 'Win probability of an opportunity with method, model version and top factors',
        params: idParams,
        response: { 200: predictionSchema, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const { id } = req.params;
        const found = await opportunityService.find(tx, ctx, id);
        if (!found) throw notFound('Opportunity');
        const [opp] = await loadOpportunities(tx, ctx.tenantId, [id]);
        return getPrediction(tx, ctx.tenantId, opp);
      }),
  );

  app.get(
    '/opportunities/:id/prediction/lineage',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary: "How an opportunity's win probability was produced: model and version, or the rule fallback",
        params: idParams,
        response: { 200: recordLineageSchema, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const { id } = req.params;
        if (!(await opportunityService.find(tx, ctx, id))) throw notFound('Opportunity');
        const [opp] = await loadOpportunities(tx, ctx.tenantId, [id]);
        const p = await getPrediction(tx, ctx.tenantId, opp);
        return { data: [], methods: [scoreMethod('win_probability', p)] };
      }),
  );

  app.get(
    '/contacts/:id/lead-score/lineage',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary:
          "How a contact's lead score was produced: model and version, or the rule fallback (409 when the person withdrew profiling)",
        params: idParams,
        response: { 200: recordLineageSchema, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const { id } = req.params;
        if (!(await contactService.find(tx, ctx, id))) throw notFound('Contact');
        const p = await getLeadScore(tx, ctx.tenantId, id);
        return { data: [], methods: [scoreMethod('lead_score', p)] };
      }),
  );

  app.get(
    '/predict/predictions',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary: 'Current win probability of every open opportunity (for lists and board cards)',
        response: {
          200: z.object({
            data: z.array(
              z.object({
                opportunity_id: z.string(),
                probability: z.number(),
                method: z.string(),
                model_version: z.number().nullable(),
                computed_at: z.string(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const rows = await tx
          .select({
            opportunity_id: opportunityPredictions.opportunity_id,
            probability: opportunityPredictions.probability,
            method: opportunityPredictions.method,
            model_version: opportunityPredictions.model_version,
            computed_at: opportunityPredictions.computed_at,
          })
          .from(opportunityPredictions)
          .where(
            and(
              eq(opportunityPredictions.tenant_id, ctx.tenantId),
              await readableRef(tx, ctx, 'opportunities', opportunityPredictions.opportunity_id),
            ),
          );
        return { data: rows.map((r) => ({ ...r, computed_at: new Date(r.computed_at).toISOString() })) };
      }),
  );

  app.post(
    '/predict/lead-score/train',
    {
      config: { permission: 'predict:manage' },
      schema: {
        tags,
        summary:
          'Train a new lead-score version on contacts with a complete 90-day outcome (time split) and rescore every contact',
        response: { 200: leadTrainResult, ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => trainLeadModel(tx, ctx.tenantId, { trigger: 'manual' })),
  );

  app.get(
    '/contacts/:id/lead-score',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary: 'Lead score of a contact with method, model version and top factors',
        params: idParams,
        response: { 200: leadScoreSchema, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const { id } = req.params;
        if (!(await contactService.find(tx, ctx, id))) throw notFound('Contact');
        return getLeadScore(tx, ctx.tenantId, id);
      }),
  );

  app.get(
    '/predict/lead-scores',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary: 'Current lead score of every scored contact (for lists)',
        response: {
          200: z.object({
            data: z.array(
              z.object({
                contact_id: z.string(),
                score: z.number(),
                method: z.string(),
                model_version: z.number().nullable(),
                computed_at: z.string(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const scores = await listLeadScores(tx, ctx.tenantId);
        const visible = await readableIds(
          tx,
          ctx,
          'contacts',
          scores.map((s) => s.contact_id),
        );
        return { data: scores.filter((s) => visible.has(s.contact_id)) };
      }),
  );

  app.get(
    '/predict/models',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary: 'Model versions, newest first, with their test metrics',
        querystring: z.object({ kind: z.enum(['win_probability', 'lead_score']).optional() }),
        response: { 200: z.object({ data: z.array(modelSchema) }), ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const { kind } = req.query;
        const rows = await tx
          .select()
          .from(predictionModels)
          .where(
            and(
              eq(predictionModels.tenant_id, ctx.tenantId),
              kind ? eq(predictionModels.kind, kind) : undefined,
            ),
          )
          .orderBy(desc(predictionModels.trained_at), desc(predictionModels.version))
          .limit(200);
        return { data: rows.map((r) => presentModel(r)) };
      }),
  );

  app.get(
    '/predict/models/:id',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary: 'One model version with full metrics, including calibration (reliability) bins',
        params: idParams,
        response: { 200: modelSchema, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const { id } = req.params;
        if (!z.uuid().safeParse(id).success) throw notFound('Model');
        const [m] = await tx
          .select()
          .from(predictionModels)
          .where(and(eq(predictionModels.tenant_id, ctx.tenantId), eq(predictionModels.id, id)));
        if (!m) throw notFound('Model');
        return presentModel(m, true);
      }),
  );

  app.get(
    '/forecast',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary: 'Revenue forecast per period and group: expected, P10–P90, commit, won to date, quota',
        querystring: z.object({
          period: periodKind.default('month'),
          group_by: z.enum(['rep', 'team', 'region']).default('rep'),
          from: z
            .string()
            .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM')
            .optional()
            .describe('First period (YYYY-MM); default: the current one'),
          periods: z.coerce.number().int().min(1).max(12).default(3),
        }),
        response: {
          200: z
            .object({
              period_kind: periodKind,
              group_by: z.string(),
              as_of: z.string(),
              model_version: z.number().nullable(),
              method: z.string(),
              close_timing: anyObject,
              periods: z.array(
                z.object({
                  period: z.string(),
                  period_start: z.string(),
                  period_end: z.string(),
                  total: forecastRow,
                  groups: z.array(forecastRow),
                }),
              ),
            })
            .passthrough(),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const q = req.query;
        const visibleIds = await allReadableIds(tx, ctx, 'opportunities');
        return computeForecast(tx, ctx.tenantId, {
          visibleIds,
          period: q.period,
          groupBy: q.group_by,
          from: q.from,
          periods: q.periods,
        });
      }),
  );

  app.post(
    '/forecast/snapshots',
    {
      config: { permission: 'predict:manage' },
      schema: {
        tags,
        summary:
          'Store the forecast of the current period (total + every grouping) for later accuracy measurement',
        body: z.object({ period: periodKind.default('month') }).optional(),
        response: {
          201: z.object({ period: z.string(), rows: z.number(), total: forecastRow.passthrough() }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const period = req.body?.period ?? 'month';
      const r = await app.withTenant(req, (tx, ctx) => takeSnapshot(tx, ctx.tenantId, { period }));
      return reply.status(201).send(r);
    },
  );

  app.get(
    '/forecast/accuracy',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary: 'Forecast vs actual: each period’s first snapshot against revenue won, with MAPE / WAPE',
        querystring: z.object({ period: periodKind.default('month') }),
        response: {
          200: z.object({
            period_kind: periodKind,
            mape: z.number().nullable(),
            wape: z.number().nullable(),
            periods_evaluated: z.number(),
            data: z.array(anyObject),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      app.withTenant(req, (tx, ctx) =>
        forecastAccuracy(tx, ctx.tenantId, {
          period: req.query.period,
        }),
      ),
  );

  app.get(
    '/accounts/:id/buying-stage',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary:
          "Buying stage inferred from the account's website / product behaviour signals, with evidence",
        params: idParams,
        response: { 200: buyingStageSchema, ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const { id } = req.params;
        if (!(await accountService.find(tx, ctx, id))) throw notFound('Account');
        const now = new Date();
        return inferBuyingStage(await accountBehaviour(tx, ctx, id, now), now);
      }),
  );

  app.post(
    '/predict/buying-stage',
    {
      config: { permission: 'predict:read' },
      schema: {
        tags,
        summary: 'Buying stage from behaviour events given in the request (nothing stored)',
        body: z.object({
          events: z.array(behaviourEvent).max(10000),
          now: z.iso.datetime({ offset: true }).optional(),
        }),
        response: { 200: buyingStageSchema, ...errorResponses },
      },
    },
    async (req) => {
      const body = req.body;
      return inferBuyingStage(body.events, body.now ? new Date(body.now) : new Date());
    },
  );
}
