/**
 * Predict's background work: pg-boss queues with cron schedules, and domain-event handlers.
 *
 *  - predict.retrain-win-probability: weekly (Monday 03:00) for every tenant, or { tenantId } on demand.
 *  - predict.retrain-lead-score: weekly (Monday 03:30) for every tenant, or { tenantId } on demand.
 *  - contacts.created/updated/deleted, activities.created (its contacts) → rescore those contacts'
 *    lead score (idempotent upsert from the current data; a deleted contact loses its row).
 *  - predict.forecast-snapshot: at each month start (and quarter start) for every tenant.
 *  - opportunities.created/updated/deleted, activities.created → rescore that opportunity
 *    (idempotent: the prediction row is upserted from the current data).
 */

import type { EventSubscription, ModuleJob } from '../../platform/modules/module-definition.js';
import { prop } from '../../platform/narrow.js';
import type { Platform } from '../../platform/platform.js';
import { tenants } from '../../platform/tenancy/tenancy.schema.js';
import { type PeriodKind, takeSnapshot } from './forecast.service.js';
import { scoreContacts, trainLeadModel } from './lead-score.service.js';
import { scoreOpportunities, trainWinModel } from './win-probability.service.js';

export const RETRAIN_QUEUE = 'predict.retrain-win-probability';
export const SNAPSHOT_QUEUE = 'predict.forecast-snapshot';
export const RETRAIN_CRON = '0 3 * * 1';
export const RETRAIN_LEAD_QUEUE = 'predict.retrain-lead-score';
export const RETRAIN_LEAD_CRON = '30 3 * * 1';
export const MONTH_SNAPSHOT_CRON = '5 0 1 * *';

async function tenantIds(platform: Platform, only?: string): Promise<string[]> {
  if (only) return [only];
  const rows = await platform.database.systemTx((tx) => tx.select({ id: tenants.id }).from(tenants));
  return rows.map((r) => r.id);
}

export async function retrainAll(platform: Platform, data: { tenantId?: string } = {}) {
  const out: { tenantId: string; version: number; method: string }[] = [];
  for (const id of await tenantIds(platform, data.tenantId)) {
    const r = await platform.database.tenantTx(id, (tx) => trainWinModel(tx, id, { trigger: 'schedule' }));
    out.push({ tenantId: id, version: r.version, method: r.method });
  }
  return out;
}

export async function retrainLeadAll(platform: Platform, data: { tenantId?: string } = {}) {
  const out: { tenantId: string; version: number; method: string }[] = [];
  for (const id of await tenantIds(platform, data.tenantId)) {
    const r = await platform.database.tenantTx(id, (tx) => trainLeadModel(tx, id, { trigger: 'schedule' }));
    out.push({ tenantId: id, version: r.version, method: r.method });
  }
  return out;
}

export async function snapshotAll(platform: Platform, data: { tenantId?: string; now?: string } = {}) {
  const now = data.now ? new Date(data.now) : new Date();
  // Every month start snapshots the month; a quarter start (Jan/Apr/Jul/Oct) the quarter too.
  const kinds: PeriodKind[] = now.getUTCMonth() % 3 === 0 ? ['month', 'quarter'] : ['month'];
  for (const id of await tenantIds(platform, data.tenantId))
    for (const period of kinds)
      await platform.database.tenantTx(id, (tx) => takeSnapshot(tx, id, { period, now }));
}

/** Predict's queues: weekly retrains and the month/quarter-start forecast snapshot. */
export const predictJobs: ModuleJob[] = [
  {
    queue: RETRAIN_QUEUE,
    cron: RETRAIN_CRON,
    description:
      'Retrain the win-probability model of every tenant (or { tenantId }) and rescore open opportunities',
    run: (platform, d: { tenantId?: string }) => retrainAll(platform, d),
  },
  {
    queue: RETRAIN_LEAD_QUEUE,
    cron: RETRAIN_LEAD_CRON,
    description: 'Retrain the lead-score model of every tenant (or { tenantId }) and rescore contacts',
    run: (platform, d: { tenantId?: string }) => retrainLeadAll(platform, d),
  },
  {
    queue: SNAPSHOT_QUEUE,
    cron: MONTH_SNAPSHOT_CRON,
    description: 'Snapshot the forecast of the month (and quarter) that starts, for every tenant',
    run: (platform, d: { tenantId?: string; now?: string }) => snapshotAll(platform, d),
  },
];

async function rescoreOpportunity(platform: Platform, tenantId: string, oppId: string | null | undefined) {
  if (!oppId) return;
  await platform.database.tenantTx(tenantId, (tx) => scoreOpportunities(tx, tenantId, [oppId]));
}

async function rescoreContacts(platform: Platform, tenantId: string, ids: unknown) {
  const list = (Array.isArray(ids) ? ids : [ids]).filter((x): x is string => typeof x === 'string');
  if (list.length === 0) return;
  await platform.database.tenantTx(tenantId, (tx) => scoreContacts(tx, tenantId, list));
}

/** Rescoring on CRM changes: idempotent upserts from the current data (a deleted record loses its row). */
export const predictSubscriptions: EventSubscription[] = [
  {
    on: ['opportunities.created', 'opportunities.updated', 'opportunities.deleted'],
    handler: 'predict.rescore-opportunity',
    run: (platform, ev) => rescoreOpportunity(platform, ev.tenant_id, ev.entity_id),
  },
  {
    on: 'activities.created',
    handler: 'predict.rescore-opportunity',
    run: (platform, ev) =>
      rescoreOpportunity(
        platform,
        ev.tenant_id,
        stringOrNull(prop(prop(ev.payload, 'record'), 'opportunity_id')),
      ),
  },
  {
    on: ['contacts.created', 'contacts.updated', 'contacts.deleted'],
    handler: 'predict.rescore-contact',
    run: (platform, ev) => rescoreContacts(platform, ev.tenant_id, ev.entity_id),
  },
  {
    on: 'activities.created',
    handler: 'predict.rescore-contact',
    run: (platform, ev) =>
      rescoreContacts(platform, ev.tenant_id, prop(prop(ev.payload, 'record'), 'contact_ids')),
  },
  {
    // Consent: a withdrawal or restriction removes the score, a grant or lift brings it back.
    on: ['consents.changed', 'processing_restrictions.changed'],
    handler: 'predict.rescore-contact',
    run: (platform, ev) => rescoreContacts(platform, ev.tenant_id, ev.entity_id),
  },
];

/** An id read from an event payload: the string, or null when there is none. */
function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
