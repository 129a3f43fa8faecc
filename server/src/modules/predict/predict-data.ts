/**
 * Read-only snapshot of the CRM data the predict module learns from.
 *
 * House rule: a module calls another module's services instead of reading its tables. The CRM
 * services are paginated CRUD (≤ 500 rows a page, with a filter per call); training needs every
 * opportunity, activity and contact of a tenant at once, joined in memory. So this file is the
 * one documented exception: plain, tenant-filtered SELECTs on the CRM tables (and the platform's
 * change_log for stage history), inside the caller's tenant transaction (RLS applies), never a
 * write. Nothing else in predict touches CRM tables.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { changeLog } from '../../platform/audit/audit.schema.js';
import { users } from '../../platform/auth/auth.schema.js';
import type { Tx } from '../../platform/db/database.js';
import {
  accounts,
  activities,
  contacts,
  opportunities,
  pipelines,
  products,
  regions,
  teams,
} from '../crm/crm.schema.js';
import type { Stage } from '../crm/crm.service.js';

export interface OppRow {
  id: string;
  name: string;
  account_id: string;
  pipeline_id: string;
  stage: string;
  status: string;
  amount: number;
  expected_close_date: string;
  probability: number;
  owner_id: string | null;
  team_id: string | null;
  region_id: string | null;
  product_ids: string[];
  closed_at: Date | null;
  stage_changed_at: Date;
  created_at: Date;
  custom: Record<string, unknown>;
}

export interface CrmSnapshot {
  opportunities: OppRow[];
  accounts: Map<
    string,
    { industry: string | null; size: string | null; employees: number | null; region_id: string | null }
  >;
  /** committee roles of an account's contacts with the contact's created_at */
  contactsByAccount: Map<string, { role: string | null; created_at: Date }[]>;
  /** activity times (ms) per opportunity, ascending; cancelled ones excluded */
  activitiesByOpp: Map<string, number[]>;
  productFamily: Map<string, string | null>;
  stagesByPipeline: Map<string, Stage[]>;
  /** stage changes per opportunity, ascending: { at, old, new } */
  stageHistory: Map<string, { at: number; old: string | null; new: string | null }[]>;
  names: { users: Map<string, string>; teams: Map<string, string>; regions: Map<string, string> };
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

export async function loadOpportunities(tx: Tx, tenantId: string, ids?: string[]): Promise<OppRow[]> {
  const where = ids
    ? and(eq(opportunities.tenant_id, tenantId), inArray(opportunities.id, ids))
    : eq(opportunities.tenant_id, tenantId);
  const rows = await tx
    .select({
      id: opportunities.id,
      name: opportunities.name,
      account_id: opportunities.account_id,
      pipeline_id: opportunities.pipeline_id,
      stage: opportunities.stage,
      status: opportunities.status,
      amount: opportunities.amount,
      expected_close_date: opportunities.expected_close_date,
      probability: opportunities.probability,
      owner_id: opportunities.owner_id,
      team_id: opportunities.team_id,
      region_id: opportunities.region_id,
      product_ids: opportunities.product_ids,
      closed_at: opportunities.closed_at,
      stage_changed_at: opportunities.stage_changed_at,
      created_at: opportunities.created_at,
      custom: opportunities.custom,
    })
    .from(opportunities)
    .where(where)
    .orderBy(opportunities.created_at, opportunities.id); // stable order: seeded simulations repeat
  return rows.map((r) => ({
    ...r,
    amount: num(r.amount),
    product_ids: (r.product_ids ?? []) as string[],
    custom: (r.custom ?? {}) as Record<string, unknown>,
  }));
}

export async function loadStages(tx: Tx, tenantId: string): Promise<Map<string, Stage[]>> {
  const rows = await tx
    .select({ id: pipelines.id, stages: pipelines.stages })
    .from(pipelines)
    .where(eq(pipelines.tenant_id, tenantId));
  return new Map(rows.map((r) => [r.id, r.stages as Stage[]]));
}

export async function loadNames(tx: Tx, tenantId: string): Promise<CrmSnapshot['names']> {
  // Sequential: a node-postgres transaction is one client, which must not run queries concurrently.
  const u = await tx
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(eq(users.tenant_id, tenantId));
  const t = await tx
    .select({ id: teams.id, name: teams.name })
    .from(teams)
    .where(eq(teams.tenant_id, tenantId));
  const r = await tx
    .select({ id: regions.id, name: regions.name })
    .from(regions)
    .where(eq(regions.tenant_id, tenantId));
  return {
    users: new Map(u.map((x) => [x.id, x.name])),
    teams: new Map(t.map((x) => [x.id, x.name])),
    regions: new Map(r.map((x) => [x.id, x.name])),
  };
}

export async function loadCrmSnapshot(tx: Tx, tenantId: string, oppIds?: string[]): Promise<CrmSnapshot> {
  const opps = await loadOpportunities(tx, tenantId, oppIds);
  const accountIds = [...new Set(opps.map((o) => o.account_id))];
  const ids = opps.map((o) => o.id);
  const acc = accountIds.length
    ? await tx
        .select({
          id: accounts.id,
          industry: accounts.industry,
          size: accounts.size,
          employees: accounts.employees,
          region_id: accounts.region_id,
        })
        .from(accounts)
        .where(and(eq(accounts.tenant_id, tenantId), inArray(accounts.id, accountIds)))
    : [];
  const cons = accountIds.length
    ? await tx
        .select({
          account_id: contacts.account_id,
          role: contacts.committee_role,
          created_at: contacts.created_at,
        })
        .from(contacts)
        .where(and(eq(contacts.tenant_id, tenantId), inArray(contacts.account_id, accountIds)))
    : [];
  const acts = ids.length
    ? await tx
        .select({ opportunity_id: activities.opportunity_id, occurred_at: activities.occurred_at })
        .from(activities)
        .where(
          and(
            eq(activities.tenant_id, tenantId),
            inArray(activities.opportunity_id, ids),
            sql`${activities.status} <> 'cancelled'`,
          ),
        )
    : [];
  const prods = await tx
    .select({ id: products.id, family: products.family })
    .from(products)
    .where(eq(products.tenant_id, tenantId));
  const hist = ids.length
    ? await tx
        .select({
          entity_id: changeLog.entity_id,
          at: changeLog.at,
          stage: sql<any>`${changeLog.changes}->'stage'`,
        })
        .from(changeLog)
        .where(
          and(
            eq(changeLog.tenant_id, tenantId),
            eq(changeLog.entity, 'opportunities'),
            sql`${changeLog.changes} ? 'stage'`,
            inArray(changeLog.entity_id, ids),
          ),
        )
    : [];

  const contactsByAccount = new Map<string, { role: string | null; created_at: Date }[]>();
  for (const c of cons) {
    if (!c.account_id) continue;
    const list = contactsByAccount.get(c.account_id) ?? [];
    list.push({ role: c.role, created_at: c.created_at });
    contactsByAccount.set(c.account_id, list);
  }
  const activitiesByOpp = new Map<string, number[]>();
  for (const a of acts) {
    if (!a.opportunity_id) continue;
    const list = activitiesByOpp.get(a.opportunity_id) ?? [];
    list.push(new Date(a.occurred_at).getTime());
    activitiesByOpp.set(a.opportunity_id, list);
  }
  for (const list of activitiesByOpp.values()) list.sort((a, b) => a - b);
  const stageHistory = new Map<string, { at: number; old: string | null; new: string | null }[]>();
  for (const h of hist) {
    const s = typeof h.stage === 'string' ? JSON.parse(h.stage) : h.stage;
    const list = stageHistory.get(h.entity_id) ?? [];
    list.push({ at: new Date(h.at).getTime(), old: s?.old ?? null, new: s?.new ?? null });
    stageHistory.set(h.entity_id, list);
  }
  for (const list of stageHistory.values()) list.sort((a, b) => a.at - b.at);

  return {
    opportunities: opps,
    accounts: new Map(acc.map((a) => [a.id, a])),
    contactsByAccount,
    activitiesByOpp,
    productFamily: new Map(prods.map((p) => [p.id, p.family])),
    stagesByPipeline: await loadStages(tx, tenantId),
    stageHistory,
    names: await loadNames(tx, tenantId),
  };
}
