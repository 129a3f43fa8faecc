/**
 * The CRM's read model for analytics: the one place outside the CRM services that knows the CRM's
 * tables. The services are paginated CRUD (≤ 500 rows a page, with a filter per call); training and
 * scoring need every opportunity, activity and contact of a tenant at once, so these are plain,
 * tenant-filtered, read-only SELECTs (and the platform's change_log for the history of CRM
 * records), inside the caller's tenant transaction (RLS applies), returning plain typed rows.
 * Nothing here writes. Predict (predict-data.ts) assembles its snapshots from these.
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
} from './crm.schema.js';
import type { Stage } from './crm.service.js';

export type { Stage };

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---------- opportunities and their settings ----------

export interface OpportunityRow {
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

/** Every opportunity of the tenant (or the given ones), in creation order (then id). */
export async function opportunityRows(tx: Tx, tenantId: string, ids?: string[]): Promise<OpportunityRow[]> {
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

/** Each pipeline's stages. */
export async function pipelineStages(tx: Tx, tenantId: string): Promise<Map<string, Stage[]>> {
  const rows = await tx
    .select({ id: pipelines.id, stages: pipelines.stages })
    .from(pipelines)
    .where(eq(pipelines.tenant_id, tenantId));
  return new Map(rows.map((r) => [r.id, r.stages as Stage[]]));
}

export interface DirectoryNames {
  users: Map<string, string>;
  teams: Map<string, string>;
  regions: Map<string, string>;
}

/** Names of the tenant's users (owners), teams and regions by id. */
export async function directoryNames(tx: Tx, tenantId: string): Promise<DirectoryNames> {
  // Sequential: a node-postgres transaction is one client, which must not run queries concurrently.
  const u = await tx
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(eq(users.tenant_id, tenantId));
  const t = await tx
    .select({ id: teams.id, name: teams.name })
    .from(teams)
    .where(eq(teams.tenant_id, tenantId));
  const r = await regionNames(tx, tenantId);
  return {
    users: new Map(u.map((x) => [x.id, x.name])),
    teams: new Map(t.map((x) => [x.id, x.name])),
    regions: r,
  };
}

/** Names of the tenant's regions by id. */
export async function regionNames(tx: Tx, tenantId: string): Promise<Map<string, string>> {
  const r = await tx
    .select({ id: regions.id, name: regions.name })
    .from(regions)
    .where(eq(regions.tenant_id, tenantId));
  return new Map(r.map((x) => [x.id, x.name]));
}

/** Each product's family. */
export async function productFamilies(tx: Tx, tenantId: string): Promise<Map<string, string | null>> {
  const prods = await tx
    .select({ id: products.id, family: products.family })
    .from(products)
    .where(eq(products.tenant_id, tenantId));
  return new Map(prods.map((p) => [p.id, p.family]));
}

/** change_log.changes->'stage': the stage before and after (JSON text on some drivers). */
type StageChange = { old?: string | null; new?: string | null };

export interface StageChangeRow {
  opportunity_id: string;
  at: Date;
  old: string | null;
  new: string | null;
}

/** Stage changes of the given opportunities, from the change log (unordered). */
export async function stageChanges(
  tx: Tx,
  tenantId: string,
  opportunityIds: string[],
): Promise<StageChangeRow[]> {
  if (!opportunityIds.length) return [];
  const hist = await tx
    .select({
      entity_id: changeLog.entity_id,
      at: changeLog.at,
      stage: sql<StageChange | string | null>`${changeLog.changes}->'stage'`,
    })
    .from(changeLog)
    .where(
      and(
        eq(changeLog.tenant_id, tenantId),
        eq(changeLog.entity, 'opportunities'),
        sql`${changeLog.changes} ? 'stage'`,
        inArray(changeLog.entity_id, opportunityIds),
      ),
    );
  return hist.map((h) => {
    const s: StageChange | null = typeof h.stage === 'string' ? JSON.parse(h.stage) : h.stage;
    return { opportunity_id: h.entity_id, at: h.at, old: s?.old ?? null, new: s?.new ?? null };
  });
}

/** Created/closed time and status of the opportunities of the given accounts. */
export async function opportunitiesOfAccounts(
  tx: Tx,
  tenantId: string,
  accountIds: string[],
): Promise<{ account_id: string; created_at: Date; closed_at: Date | null; status: string }[]> {
  if (!accountIds.length) return [];
  return tx
    .select({
      account_id: opportunities.account_id,
      created_at: opportunities.created_at,
      closed_at: opportunities.closed_at,
      status: opportunities.status,
    })
    .from(opportunities)
    .where(and(eq(opportunities.tenant_id, tenantId), inArray(opportunities.account_id, accountIds)));
}

// ---------- accounts ----------

export interface AccountProfileRow {
  id: string;
  industry: string | null;
  size: string | null;
  employees: number | null;
  region_id: string | null;
}

/** Industry, size, employees and region of the given accounts. */
export async function accountProfiles(
  tx: Tx,
  tenantId: string,
  accountIds: string[],
): Promise<AccountProfileRow[]> {
  if (!accountIds.length) return [];
  return tx
    .select({
      id: accounts.id,
      industry: accounts.industry,
      size: accounts.size,
      employees: accounts.employees,
      region_id: accounts.region_id,
    })
    .from(accounts)
    .where(and(eq(accounts.tenant_id, tenantId), inArray(accounts.id, accountIds)));
}

export interface AccountLeadRow extends AccountProfileRow {
  domains: string[];
  website: string | null;
  created_at: Date;
}

/** The profile plus web presence and age of the given accounts (the lead score's account facts). */
export async function accountLeadRows(
  tx: Tx,
  tenantId: string,
  accountIds: string[],
): Promise<AccountLeadRow[]> {
  if (!accountIds.length) return [];
  const acc = await tx
    .select({
      id: accounts.id,
      industry: accounts.industry,
      size: accounts.size,
      employees: accounts.employees,
      region_id: accounts.region_id,
      domains: accounts.domains,
      website: accounts.website,
      created_at: accounts.created_at,
    })
    .from(accounts)
    .where(and(eq(accounts.tenant_id, tenantId), inArray(accounts.id, accountIds)));
  return acc.map((a) => ({
    ...a,
    domains: (a.domains ?? []) as string[],
    created_at: new Date(a.created_at),
  }));
}

// ---------- contacts ----------

/** Committee role and creation time of the contacts of the given accounts. */
export async function committeeMembers(
  tx: Tx,
  tenantId: string,
  accountIds: string[],
): Promise<{ account_id: string | null; role: string | null; created_at: Date }[]> {
  if (!accountIds.length) return [];
  return tx
    .select({
      account_id: contacts.account_id,
      role: contacts.committee_role,
      created_at: contacts.created_at,
    })
    .from(contacts)
    .where(and(eq(contacts.tenant_id, tenantId), inArray(contacts.account_id, accountIds)));
}

export interface ContactRow {
  id: string;
  account_id: string | null;
  title: string | null;
  department: string | null;
  committee_role: string | null;
  influence: number | null;
  stance: string | null;
  emails: string[];
  phones: string[];
  custom: Record<string, unknown>;
  created_at: Date;
}

/** Every contact of the tenant (or the given ones), in creation order (then id). */
export async function contactRows(tx: Tx, tenantId: string, contactIds?: string[]): Promise<ContactRow[]> {
  const cons = await tx
    .select({
      id: contacts.id,
      account_id: contacts.account_id,
      title: contacts.title,
      department: contacts.department,
      committee_role: contacts.committee_role,
      influence: contacts.influence,
      stance: contacts.stance,
      emails: contacts.emails,
      phones: contacts.phones,
      custom: contacts.custom,
      created_at: contacts.created_at,
    })
    .from(contacts)
    .where(
      contactIds
        ? and(eq(contacts.tenant_id, tenantId), inArray(contacts.id, contactIds))
        : eq(contacts.tenant_id, tenantId),
    )
    .orderBy(contacts.created_at, contacts.id);
  return cons.map((c) => ({
    ...c,
    emails: (c.emails ?? []) as string[],
    phones: (c.phones ?? []) as string[],
    custom: (c.custom ?? {}) as Record<string, unknown>,
  }));
}

/**
 * Profile updates of contacts from the change log: of the given contacts, or of every contact of
 * the tenant when `contactIds` is undefined (unordered).
 */
export async function contactChanges(
  tx: Tx,
  tenantId: string,
  contactIds?: string[],
): Promise<{ contact_id: string; at: Date; changes: Record<string, { old: unknown; new: unknown }> }[]> {
  const hist = await tx
    .select({ entity_id: changeLog.entity_id, at: changeLog.at, changes: changeLog.changes })
    .from(changeLog)
    .where(
      and(
        eq(changeLog.tenant_id, tenantId),
        eq(changeLog.entity, 'contacts'),
        eq(changeLog.action, 'update'),
        contactIds ? inArray(changeLog.entity_id, contactIds) : undefined,
      ),
    );
  return hist.map((h) => ({
    contact_id: h.entity_id,
    at: h.at,
    changes: (typeof h.changes === 'string' ? JSON.parse(h.changes) : h.changes) as Record<
      string,
      { old: unknown; new: unknown }
    >,
  }));
}

// ---------- activities ----------

/** Times of the activities (not cancelled) on the given opportunities (unordered). */
export async function opportunityActivityTimes(
  tx: Tx,
  tenantId: string,
  opportunityIds: string[],
): Promise<{ opportunity_id: string | null; occurred_at: Date }[]> {
  if (!opportunityIds.length) return [];
  return tx
    .select({ opportunity_id: activities.opportunity_id, occurred_at: activities.occurred_at })
    .from(activities)
    .where(
      and(
        eq(activities.tenant_id, tenantId),
        inArray(activities.opportunity_id, opportunityIds),
        sql`${activities.status} <> 'cancelled'`,
      ),
    );
}

/**
 * Activities (not cancelled) that involve contacts: those naming any of `contactIds`, or every
 * activity naming a contact when `contactIds` is undefined (unordered).
 */
export async function contactActivities(
  tx: Tx,
  tenantId: string,
  contactIds?: string[],
): Promise<{ contact_ids: string[]; type: string; at: Date }[]> {
  const rows = await tx
    .select({ contact_ids: activities.contact_ids, type: activities.type, at: activities.occurred_at })
    .from(activities)
    .where(
      and(
        eq(activities.tenant_id, tenantId),
        sql`${activities.status} <> 'cancelled'`,
        contactIds
          ? sql`${activities.contact_ids} && ${sql.raw(`'{${contactIds.filter((id) => UUID.test(id)).join(',')}}'::uuid[]`)}`
          : sql`cardinality(${activities.contact_ids}) > 0`,
      ),
    );
  return rows.map((a) => ({ ...a, contact_ids: (a.contact_ids ?? []) as string[] }));
}
