/**
 * Read-only snapshot of the CRM data the predict module learns from.
 *
 * House rule: a module calls another module's services instead of reading its tables. The CRM
 * services are paginated CRUD (≤ 500 rows a page, with a filter per call); training needs every
 * opportunity, activity and contact of a tenant at once, joined in memory. So this file is the
 * one documented exception: plain, tenant-filtered SELECTs on the CRM tables (and the platform's
 * change_log for stage history), inside the caller's tenant transaction (RLS applies), never a
 * write. Nothing else in predict touches CRM tables.
 *
 * The lead score (loadLeadSnapshot, below) needs every contact with its account, the account's
 * opportunities, the activities that involve each contact and the signals on each contact and
 * account, as of many different times. It reads the signals table the same way: one plain,
 * tenant-filtered, read-only SELECT of (contact_id, account_id, type, page category, occurred_at),
 * in the caller's tenant transaction. The signals service stays the only writer.
 */
import { and, eq, inArray, or, sql } from 'drizzle-orm';
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
import { signals } from '../signals/signals.schema.js';

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

/** change_log.changes->'stage': the stage before and after (JSON text on some drivers). */
type StageChange = { old?: string | null; new?: string | null };

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
          stage: sql<StageChange | string | null>`${changeLog.changes}->'stage'`,
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
    const s: StageChange | null = typeof h.stage === 'string' ? JSON.parse(h.stage) : h.stage;
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

// ---------- lead score ----------

export interface LeadContactRow {
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

export interface LeadAccountRow {
  industry: string | null;
  size: string | null;
  employees: number | null;
  region_id: string | null;
  domains: string[];
  website: string | null;
  created_at: Date;
}

export interface LeadEvent {
  at: number;
  type: string;
}

export interface LeadSnapshot {
  contacts: LeadContactRow[];
  accounts: Map<string, LeadAccountRow>;
  /** opportunities per account: created / closed times (ms) and status, ascending by created */
  oppsByAccount: Map<string, { created: number; closed: number | null; status: string }[]>;
  /** activities involving each contact (not cancelled): time and type, ascending */
  activitiesByContact: Map<string, LeadEvent[]>;
  /** signals on each contact; `type` is the signal type, or `intent_page_view:<category>` */
  signalsByContact: Map<string, LeadEvent[]>;
  /** signals on each account that name no contact */
  signalsByAccount: Map<string, LeadEvent[]>;
  /** profile updates per contact from the change log, ascending: { at, changes: { field: { old, new } } } */
  contactHistory: Map<string, { at: number; changes: Record<string, { old: unknown; new: unknown }> }[]>;
  regions: Map<string, string>;
}

const pushTo = <K, V>(m: Map<K, V[]>, k: K, v: V) => {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
};

/** Everything the lead score reads, for all contacts of the tenant or only the given ones. */
export async function loadLeadSnapshot(
  tx: Tx,
  tenantId: string,
  contactIds?: string[],
): Promise<LeadSnapshot> {
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
  const rows: LeadContactRow[] = cons.map((c) => ({
    ...c,
    emails: (c.emails ?? []) as string[],
    phones: (c.phones ?? []) as string[],
    custom: (c.custom ?? {}) as Record<string, unknown>,
  }));
  const ids = rows.map((c) => c.id);
  const accountIds = [...new Set(rows.map((c) => c.account_id).filter((a): a is string => !!a))];
  const acc = accountIds.length
    ? await tx
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
        .where(and(eq(accounts.tenant_id, tenantId), inArray(accounts.id, accountIds)))
    : [];
  const opps = accountIds.length
    ? await tx
        .select({
          account_id: opportunities.account_id,
          created_at: opportunities.created_at,
          closed_at: opportunities.closed_at,
          status: opportunities.status,
        })
        .from(opportunities)
        .where(and(eq(opportunities.tenant_id, tenantId), inArray(opportunities.account_id, accountIds)))
    : [];
  const acts = ids.length
    ? await tx
        .select({ contact_ids: activities.contact_ids, type: activities.type, at: activities.occurred_at })
        .from(activities)
        .where(
          and(
            eq(activities.tenant_id, tenantId),
            sql`${activities.status} <> 'cancelled'`,
            contactIds
              ? sql`${activities.contact_ids} && ${sql.raw(`'{${ids.join(',')}}'::uuid[]`)}`
              : sql`cardinality(${activities.contact_ids}) > 0`,
          ),
        )
    : [];
  // Signals: only what a lead's behaviour window can reach (30 days before its oldest contact).
  const oldest = rows.length ? Math.min(...rows.map((c) => new Date(c.created_at).getTime())) : Date.now();
  const from = new Date(oldest - 60 * 86_400_000);
  const sigs = ids.length
    ? await tx
        .select({
          contact_id: signals.contact_id,
          account_id: signals.account_id,
          type: signals.type,
          category: sql<string | null>`${signals.payload}->>'page_category'`,
          occurred_at: signals.occurred_at,
        })
        .from(signals)
        .where(
          and(
            eq(signals.tenant_id, tenantId),
            sql`${signals.occurred_at} >= ${from.toISOString()}`,
            contactIds
              ? or(
                  inArray(signals.contact_id, ids),
                  accountIds.length ? inArray(signals.account_id, accountIds) : sql`false`,
                )
              : sql`(${signals.contact_id} is not null or ${signals.account_id} is not null)`,
          ),
        )
    : [];
  const hist = ids.length
    ? await tx
        .select({ entity_id: changeLog.entity_id, at: changeLog.at, changes: changeLog.changes })
        .from(changeLog)
        .where(
          and(
            eq(changeLog.tenant_id, tenantId),
            eq(changeLog.entity, 'contacts'),
            eq(changeLog.action, 'update'),
            contactIds ? inArray(changeLog.entity_id, ids) : undefined,
          ),
        )
    : [];
  const regs = await tx
    .select({ id: regions.id, name: regions.name })
    .from(regions)
    .where(eq(regions.tenant_id, tenantId));

  const oppsByAccount: LeadSnapshot['oppsByAccount'] = new Map();
  for (const o of opps)
    pushTo(oppsByAccount, o.account_id, {
      created: new Date(o.created_at).getTime(),
      closed: o.closed_at ? new Date(o.closed_at).getTime() : null,
      status: o.status,
    });
  for (const l of oppsByAccount.values()) l.sort((a, b) => a.created - b.created);
  const wanted = new Set(ids);
  const activitiesByContact: LeadSnapshot['activitiesByContact'] = new Map();
  for (const a of acts)
    for (const c of (a.contact_ids ?? []) as string[])
      if (wanted.has(c)) pushTo(activitiesByContact, c, { at: new Date(a.at).getTime(), type: a.type });
  const signalsByContact: LeadSnapshot['signalsByContact'] = new Map();
  const signalsByAccount: LeadSnapshot['signalsByAccount'] = new Map();
  for (const s of sigs) {
    const ev = {
      at: new Date(s.occurred_at).getTime(),
      type: s.type === 'intent_page_view' ? `intent_page_view:${s.category ?? 'other'}` : s.type,
    };
    if (s.contact_id) pushTo(signalsByContact, s.contact_id, ev);
    else if (s.account_id) pushTo(signalsByAccount, s.account_id, ev);
  }
  for (const m of [activitiesByContact, signalsByContact, signalsByAccount])
    for (const l of m.values()) l.sort((a, b) => a.at - b.at);
  const contactHistory: LeadSnapshot['contactHistory'] = new Map();
  for (const h of hist) {
    const changes = (typeof h.changes === 'string' ? JSON.parse(h.changes) : h.changes) as Record<
      string,
      { old: unknown; new: unknown }
    >;
    pushTo(contactHistory, h.entity_id, { at: new Date(h.at).getTime(), changes });
  }
  for (const l of contactHistory.values()) l.sort((a, b) => a.at - b.at);

  return {
    contacts: rows,
    accounts: new Map(
      acc.map((a) => [
        a.id,
        { ...a, domains: (a.domains ?? []) as string[], created_at: new Date(a.created_at) },
      ]),
    ),
    oppsByAccount,
    activitiesByContact,
    signalsByContact,
    signalsByAccount,
    contactHistory,
    regions: new Map(regs.map((r) => [r.id, r.name])),
  };
}
