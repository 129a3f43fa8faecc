/**
 * The snapshots the predict module learns from, assembled in memory from the reads their owners
 * offer: CRM facts from the CRM's read model (crm/crm-read-model.ts: opportunities with stage
 * history, accounts, contacts, activities, names) and signals from the signals module
 * (signals/signal-features.service.ts). Predict reads no other module's tables; every read runs in
 * the caller's tenant transaction (RLS applies) and none writes.
 *
 * The lead score (loadLeadSnapshot, below) needs every contact with its account, the account's
 * opportunities, the activities that involve each contact and the signals on each contact and
 * account, as of many different times.
 */

import type { Tx } from '../../platform/db/database.js';
import {
  accountLeadRows,
  accountProfiles,
  type ContactRow,
  committeeMembers,
  contactActivities,
  contactChanges,
  contactRows,
  type DirectoryNames,
  directoryNames,
  type OpportunityRow,
  opportunitiesOfAccounts,
  opportunityActivityTimes,
  opportunityRows,
  pipelineStages,
  productFamilies,
  regionNames,
  type Stage,
  stageChanges,
} from '../crm/crm-read-model.js';
import { signalsOnSubjects } from '../signals/signal-features.service.js';

/** An opportunity as predict reads it (the CRM read model's row). */
export type OppRow = OpportunityRow;

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
  names: DirectoryNames;
}

export const loadOpportunities = opportunityRows;
export const loadStages = pipelineStages;
export const loadNames = directoryNames;

export async function loadCrmSnapshot(tx: Tx, tenantId: string, oppIds?: string[]): Promise<CrmSnapshot> {
  const opps = await opportunityRows(tx, tenantId, oppIds);
  const accountIds = [...new Set(opps.map((o) => o.account_id))];
  const ids = opps.map((o) => o.id);
  // Sequential: a node-postgres transaction is one client, which must not run queries concurrently.
  const acc = await accountProfiles(tx, tenantId, accountIds);
  const cons = await committeeMembers(tx, tenantId, accountIds);
  const acts = await opportunityActivityTimes(tx, tenantId, ids);
  const productFamily = await productFamilies(tx, tenantId);
  const hist = await stageChanges(tx, tenantId, ids);

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
    const list = stageHistory.get(h.opportunity_id) ?? [];
    list.push({ at: new Date(h.at).getTime(), old: h.old, new: h.new });
    stageHistory.set(h.opportunity_id, list);
  }
  for (const list of stageHistory.values()) list.sort((a, b) => a.at - b.at);

  return {
    opportunities: opps,
    accounts: new Map(acc.map((a) => [a.id, a])),
    contactsByAccount,
    activitiesByOpp,
    productFamily,
    stagesByPipeline: await pipelineStages(tx, tenantId),
    stageHistory,
    names: await directoryNames(tx, tenantId),
  };
}

// ---------- lead score ----------

/** A contact as the lead score reads it (the CRM read model's row). */
export type LeadContactRow = ContactRow;

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
  const rows = await contactRows(tx, tenantId, contactIds);
  const ids = rows.map((c) => c.id);
  const accountIds = [...new Set(rows.map((c) => c.account_id).filter((a): a is string => !!a))];
  const acc = await accountLeadRows(tx, tenantId, accountIds);
  const opps = await opportunitiesOfAccounts(tx, tenantId, accountIds);
  // With contactIds: only the contacts that exist (ids); without: every contact of the tenant.
  const only = contactIds ? ids : undefined;
  const acts = ids.length ? await contactActivities(tx, tenantId, only) : [];
  // Signals: only what a lead's behaviour window can reach (30 days before its oldest contact).
  const oldest = rows.length ? Math.min(...rows.map((c) => new Date(c.created_at).getTime())) : Date.now();
  const since = new Date(oldest - 60 * 86_400_000);
  const sigs = ids.length
    ? await signalsOnSubjects(tx, tenantId, contactIds ? { since, contactIds: ids, accountIds } : { since })
    : [];
  const hist = ids.length ? await contactChanges(tx, tenantId, only) : [];
  const regions = await regionNames(tx, tenantId);

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
    for (const c of a.contact_ids)
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
  for (const h of hist)
    pushTo(contactHistory, h.contact_id, { at: new Date(h.at).getTime(), changes: h.changes });
  for (const l of contactHistory.values()) l.sort((a, b) => a.at - b.at);

  return {
    contacts: rows,
    accounts: new Map(acc.map((a) => [a.id, a])),
    oppsByAccount,
    activitiesByContact,
    signalsByContact,
    signalsByAccount,
    contactHistory,
    regions,
  };
}
