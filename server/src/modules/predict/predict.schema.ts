import { sql } from 'drizzle-orm';
import { date, index, integer, jsonb, pgTable, real, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantIdColumn, timestamptzMs } from '../../platform/db/columns.js';

const tenantId = tenantIdColumn;
const ts = timestamptzMs;

/**
 * Models as data: one row per trained version per tenant and kind. `metrics` holds the
 * time-split test metrics ({auc, brier, logloss, ece, reliability[], baseline{…}}); `model`
 * holds what is needed to rebuild the fitted model deterministically (the training snapshot,
 * the chosen settings and the seed — see win-probability.service.ts). A version with
 * status 'fallback' records that history was too thin and stage probabilities are used.
 */
export const predictionModels = pgTable(
  'prediction_models',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    kind: text('kind').notNull(), // win_probability | lead_score
    version: integer('version').notNull(),
    status: text('status').notNull(), // active | fallback | retired
    trained_at: ts('trained_at').notNull().defaultNow(),
    trigger: text('trigger').notNull().default('manual'), // manual | schedule
    train_rows: integer('train_rows').notNull().default(0),
    test_rows: integer('test_rows').notNull().default(0),
    metrics: jsonb('metrics').notNull().default(sql`'{}'::jsonb`),
    features: text('features').array().notNull().default(sql`'{}'::text[]`),
    model: jsonb('model').notNull().default(sql`'{}'::jsonb`),
    note: text('note'),
  },
  (t) => [
    uniqueIndex('prediction_models_version_uq').on(t.tenant_id, t.kind, t.version),
    index('prediction_models_kind_idx').on(t.tenant_id, t.kind, t.trained_at),
  ],
);

/** The current win probability of each open opportunity (one row per opportunity, upserted). */
export const opportunityPredictions = pgTable(
  'opportunity_predictions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    opportunity_id: uuid('opportunity_id').notNull(),
    model_id: uuid('model_id').references(() => predictionModels.id, { onDelete: 'set null' }),
    model_version: integer('model_version'),
    probability: real('probability').notNull(),
    method: text('method').notNull(), // model | stage_fallback
    top_factors: jsonb('top_factors').notNull().default(sql`'[]'::jsonb`),
    computed_at: ts('computed_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('opportunity_predictions_opp_uq').on(t.tenant_id, t.opportunity_id)],
);

/** A stored forecast (taken at period start by cron or on demand), for forecast-vs-actual accuracy. */
export const forecastSnapshots = pgTable(
  'forecast_snapshots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    period: text('period').notNull(), // 2026-12 | 2026-Q4
    period_kind: text('period_kind').notNull(), // month | quarter
    period_start: date('period_start').notNull(),
    period_end: date('period_end').notNull(),
    group_by: text('group_by').notNull(), // total | rep | team | region
    group_key: text('group_key').notNull(),
    group_label: text('group_label'),
    expected: real('expected').notNull(),
    p10: real('p10').notNull(),
    p90: real('p90').notNull(),
    commit: real('commit').notNull(),
    quota: real('quota'),
    model_version: integer('model_version'),
    created_at: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('forecast_snapshots_period_idx').on(t.tenant_id, t.period, t.group_by, t.created_at)],
);

/**
 * The current lead score of each contact (one row per contact, upserted; see lead-score.service.ts).
 * `score` is the calibrated probability that an opportunity is created on the contact's account
 * within the conversion window (method 'model'), or a transparent rule score ('rules_fallback').
 */
export const contactScores = pgTable(
  'contact_scores',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    contact_id: uuid('contact_id').notNull(),
    model_id: uuid('model_id').references(() => predictionModels.id, { onDelete: 'set null' }),
    model_version: integer('model_version'),
    score: real('score').notNull(),
    method: text('method').notNull(), // model | rules_fallback
    top_factors: jsonb('top_factors').notNull().default(sql`'[]'::jsonb`),
    computed_at: ts('computed_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('contact_scores_contact_uq').on(t.tenant_id, t.contact_id)],
);

/**
 * Sales quotas (targets) per period and scope, set by managers/admins, shown beside the
 * forecast and the reps' commit. scope = total | rep | team | region; scope_key is the
 * user/team/region id ('all' for total). A quarter without its own quota is the sum of its
 * months (see quota.service.ts).
 */
export const quotas = pgTable(
  'quotas',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenant_id: tenantId(),
    period: text('period').notNull(), // 2026-12 | 2026-Q4
    period_kind: text('period_kind').notNull(), // month | quarter
    scope: text('scope').notNull(), // total | rep | team | region
    scope_key: text('scope_key').notNull(),
    amount: real('amount').notNull(),
    currency: text('currency').notNull().default('CNY'),
    note: text('note'),
    source: text('source').notNull().default('manual'), // manual | import | api
    created_by: uuid('created_by'),
    created_at: ts('created_at').notNull().defaultNow(),
    updated_at: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('quotas_scope_uq').on(t.tenant_id, t.period, t.scope, t.scope_key),
    index('quotas_period_idx').on(t.tenant_id, t.period_kind, t.period),
  ],
);
