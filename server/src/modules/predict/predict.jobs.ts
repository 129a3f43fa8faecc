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

export function registerPredictJobs(platform: Platform): void {
  platform.jobs.register<{ tenantId?: string }>(
    RETRAIN_QUEUE,
    async (d) => void (await retrainAll(platform, d ?? {})),
    {
      cron: RETRAIN_CRON,
    },
  );
  platform.jobs.register<{ tenantId?: string }>(
    RETRAIN_LEAD_QUEUE,
    async (d) => void (await retrainLeadAll(platform, d ?? {})),
    { cron: RETRAIN_LEAD_CRON },
  );
  platform.jobs.register<{ tenantId?: string; now?: string }>(
    SNAPSHOT_QUEUE,
    (d) => snapshotAll(platform, d ?? {}),
    {
      cron: MONTH_SNAPSHOT_CRON,
    },
  );

  const rescore = async (tenantId: string, oppId: string | null | undefined) => {
    if (!oppId) return;
    await platform.database.tenantTx(tenantId, (tx) => scoreOpportunities(tx, tenantId, [oppId]));
  };
  for (const name of ['opportunities.created', 'opportunities.updated', 'opportunities.deleted'])
    platform.bus.on(name, 'predict.rescore-opportunity', (ev) => rescore(ev.tenant_id, ev.entity_id));
  platform.bus.on('activities.created', 'predict.rescore-opportunity', (ev) =>
    rescore(ev.tenant_id, stringOrNull(prop(prop(ev.payload, 'record'), 'opportunity_id'))),
  );

  const rescoreContacts = async (tenantId: string, ids: unknown) => {
    const list = (Array.isArray(ids) ? ids : [ids]).filter((x): x is string => typeof x === 'string');
    if (list.length === 0) return;
    await platform.database.tenantTx(tenantId, (tx) => scoreContacts(tx, tenantId, list));
  };
  for (const name of ['contacts.created', 'contacts.updated', 'contacts.deleted'])
    platform.bus.on(name, 'predict.rescore-contact', (ev) => rescoreContacts(ev.tenant_id, ev.entity_id));
  platform.bus.on('activities.created', 'predict.rescore-contact', (ev) =>
    rescoreContacts(ev.tenant_id, prop(prop(ev.payload, 'record'), 'contact_ids')),
  );
}

/** An id read from an event payload: the string, or null when there is none. */
function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
