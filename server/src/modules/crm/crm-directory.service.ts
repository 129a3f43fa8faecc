import type { ActorContext } from '../../platform/auth/auth-context.js';
import { systemContext } from '../../platform/auth/auth-context.js';
import { type CacheRegistry, cachesOf } from '../../platform/caches.js';
import type { Tx } from '../../platform/db/database.js';
import { accountService, contactService, opportunityService } from './crm.service.js';

/**
 * The CRM directory: every account, contact and opportunity of a tenant, with the identifiers
 * other modules match against (domains, credit code, aliases, e-mail addresses) and the facts they
 * show (owner, industry, stage, amount …). Signals resolve a signal's subject over it; interventions
 * name accounts and pick the opportunity a bundle is about.
 *
 * One directory per tenant, shared by every caller: it is built from the whole tenant (a system
 * context, never what one user may see under record-level sharing); callers filter what they show.
 * It lives in the platform's caches as `crm.directory` and is rebuilt when the newest updated_at of
 * accounts, contacts or opportunities changes (3 cheap queries per read), and dropped on any
 * accounts/contacts/opportunities event (see crm.module.ts) or by invalidateCrmDirectory.
 */

export interface DirectoryAccount {
  id: string;
  name: string;
  owner_id: string | null;
  industry: string | null;
  domains: string[];
  credit_code: string | null;
  aliases: string[];
}

export interface DirectoryContact {
  id: string;
  account_id: string | null;
  name: string;
  emails: string[];
}

export interface DirectoryOpportunity {
  id: string;
  account_id: string;
  owner_id: string | null;
  name: string;
  stage: string;
  status: string;
  amount: number;
  /** ISO instant, or null while open. */
  closed_at: string | null;
}

/** Maps keep the CRM's name order (accounts, contacts, opportunities sorted by name, then id). */
export interface CrmDirectory {
  /** What the directory was built from: the newest updated_at/id of each of the three entities. */
  readonly stamp: string;
  readonly accounts: ReadonlyMap<string, DirectoryAccount>;
  readonly contacts: ReadonlyMap<string, DirectoryContact>;
  readonly opportunities: ReadonlyMap<string, DirectoryOpportunity>;
}

/** The entities whose record events drop a tenant's directory. */
export const DIRECTORY_ENTITIES = ['accounts', 'contacts', 'opportunities'] as const;

const CACHE = 'crm.directory';
/** Tenants whose directory is kept in memory at once. */
const CACHE_MAX = 100;

const directories = (caches: CacheRegistry) => caches.map<string, CrmDirectory>(CACHE, { max: CACHE_MAX });

/** Forget a tenant's directory (CRM record events; a caller that just changed an account). */
export function invalidateCrmDirectory(caches: CacheRegistry, tenantId: string): void {
  directories(caches).delete(tenantId);
}

/** The tenant's directory: the cached one while the CRM has not changed, else rebuilt. */
export async function crmDirectory(tx: Tx, caller: ActorContext): Promise<CrmDirectory> {
  const ctx = systemContext(caller.tenantId, caller.source);
  const cache = directories(cachesOf(tx));
  const stamp = [
    await newest(accountService, tx, ctx),
    await newest(contactService, tx, ctx),
    await newest(opportunityService, tx, ctx),
  ].join('|');
  const hit = cache.get(ctx.tenantId);
  if (hit && hit.stamp === stamp) return hit;
  const directory = await buildDirectory(tx, ctx, stamp);
  cache.set(ctx.tenantId, directory);
  return directory;
}

/** The CRM fields the directory reads (the CRM services hand their rows back untyped). */
interface AccountFields {
  id: string;
  name: string;
  owner_id: string | null;
  industry: string | null;
  domains: string[] | null;
  credit_code: string | null;
  aliases: string[] | null;
}
interface ContactFields {
  id: string;
  account_id: string | null;
  name: string;
  emails: string[] | null;
}
interface OpportunityFields {
  id: string;
  account_id: string;
  owner_id: string | null;
  name: string;
  stage: string;
  status: string;
  amount: number | string;
  closed_at: Date | string | null;
}

async function buildDirectory(tx: Tx, ctx: ActorContext, stamp: string): Promise<CrmDirectory> {
  const accounts = new Map<string, DirectoryAccount>();
  for (const a of await listAll<AccountFields>(accountService, tx, ctx))
    accounts.set(a.id, {
      id: a.id,
      name: a.name,
      owner_id: a.owner_id ?? null,
      industry: a.industry ?? null,
      domains: a.domains ?? [],
      credit_code: a.credit_code ?? null,
      aliases: a.aliases ?? [],
    });
  const contacts = new Map<string, DirectoryContact>();
  for (const c of await listAll<ContactFields>(contactService, tx, ctx))
    contacts.set(c.id, { id: c.id, account_id: c.account_id ?? null, name: c.name, emails: c.emails ?? [] });
  const opportunities = new Map<string, DirectoryOpportunity>();
  for (const o of await listAll<OpportunityFields>(opportunityService, tx, ctx))
    opportunities.set(o.id, {
      id: o.id,
      account_id: o.account_id,
      owner_id: o.owner_id ?? null,
      name: o.name,
      stage: o.stage,
      status: o.status,
      amount: Number(o.amount),
      closed_at: o.closed_at ? new Date(o.closed_at).toISOString() : null,
    });
  return { stamp, accounts, contacts, opportunities };
}

async function listAll<Row>(service: typeof accountService, tx: Tx, ctx: ActorContext): Promise<Row[]> {
  // Sorted by name (+ id): text cursors are exact. Timestamp cursors lose microseconds in the
  // platform's cursor encoding, which makes pages repeat when many rows share one created_at.
  const out: Row[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    const page = await service.list(tx, ctx, { limit: 500, sort: 'name', cursor });
    let fresh = 0;
    for (const r of page.data) {
      const id = String(r.id);
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(r as Row);
      fresh++;
    }
    if (!page.next_cursor || fresh === 0) return out;
    cursor = page.next_cursor;
  }
}

async function newest(service: typeof accountService, tx: Tx, ctx: ActorContext): Promise<string> {
  const page = await service.list(tx, ctx, { limit: 1, sort: '-updated_at' });
  const r = page.data[0];
  return r ? `${new Date(r.updated_at as Date | string).toISOString()}/${r.id}` : '-';
}
