import type { ActorContext } from '../../platform/auth/auth-context.js';
import { systemContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import { accountService, contactService, opportunityService } from '../crm/crm.service.js';

/**
 * Entity resolution (SPEC ). A signal's subject may name an account, contact or opportunity
 * by id, a web domain, an email, a unified social credit code, or a company name. Names are
 * normalised: NFKC (full-width → half-width), case-folded, punctuation/space removed, and legal-form
 * suffixes (有限公司, 股份有限公司, 有限责任公司, 集团, Co., Ltd., Inc., …) and a bracketed region such
 * as （中国） stripped. Aliases of accounts are matched the same way.
 *
 * The CRM is read only through its services. Each tenant's index is cached in memory and rebuilt
 * when the newest updated_at of accounts, contacts or opportunities changes (3 cheap queries per
 * batch) or when an accounts/contacts/opportunities event is seen.
 */

const SUFFIXES = [
  '股份有限公司',
  '有限责任公司',
  '集团有限公司',
  '集团股份有限公司',
  '有限公司',
  '集团公司',
  '集团',
  '公司',
  'corporation',
  'incorporated',
  'company',
  'limited',
  'colimited',
  'coltd',
  'ltd',
  'llc',
  'gmbh',
  'group',
  'corp',
  'inc',
  'plc',
  'co',
  'sa',
  'ag',
];

export function normalizeCompanyName(raw: string): string {
  let s = raw.normalize('NFKC').toLowerCase().trim();
  // bracketed region / qualifier: （中国） (China) [上海]
  s = s.replace(/[([][^)\]]*[)\]]/g, ' ');
  s = s.replace(/[\s.,，。·、'"“”‘’&\-_/\\:;!?]+/g, '');
  let changed = true;
  while (changed) {
    changed = false;
    for (const suffix of SUFFIXES) {
      if (s.length > suffix.length && s.endsWith(suffix)) {
        s = s.slice(0, -suffix.length);
        changed = true;
      }
    }
  }
  return s;
}

export function normalizeDomain(raw: string): string {
  return raw
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[/?#:].*$/, '');
}

export function normalizeEmail(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

export interface Subject {
  account_id?: string;
  contact_id?: string;
  opportunity_id?: string;
  domain?: string;
  email?: string;
  credit_code?: string;
  company_name?: string;
}

export interface Resolution {
  account_id: string | null;
  contact_id: string | null;
  opportunity_id: string | null;
  matched: boolean;
  method: string | null;
}

interface AccountInfo {
  id: string;
  name: string;
  owner_id: string | null;
  industry: string | null;
}
interface OppInfo {
  id: string;
  account_id: string;
  owner_id: string | null;
  name: string;
  stage: string;
  status: string;
  amount: number;
  closed_at: string | null;
}

export class ResolverIndex {
  accounts = new Map<string, AccountInfo>();
  contacts = new Map<string, { id: string; account_id: string | null; name: string }>();
  opportunities = new Map<string, OppInfo>();
  byDomain = new Map<string, string>();
  byCreditCode = new Map<string, string>();
  byName = new Map<string, string>();
  byEmail = new Map<string, { contact_id: string; account_id: string | null }>();
  byEmailDomain = new Map<string, string>();

  resolve(s: Subject): Resolution {
    const out: Resolution = {
      account_id: null,
      contact_id: null,
      opportunity_id: null,
      matched: false,
      method: null,
    };
    if (s.opportunity_id && this.opportunities.has(s.opportunity_id)) {
      const o = this.opportunities.get(s.opportunity_id)!;
      return {
        ...out,
        opportunity_id: o.id,
        account_id: o.account_id,
        matched: true,
        method: 'opportunity_id',
      };
    }
    if (s.contact_id && this.contacts.has(s.contact_id)) {
      const c = this.contacts.get(s.contact_id)!;
      return { ...out, contact_id: c.id, account_id: c.account_id, matched: true, method: 'contact_id' };
    }
    if (s.account_id && this.accounts.has(s.account_id))
      return { ...out, account_id: s.account_id, matched: true, method: 'account_id' };
    if (s.email) {
      const e = normalizeEmail(s.email);
      const c = this.byEmail.get(e);
      if (c)
        return { ...out, contact_id: c.contact_id, account_id: c.account_id, matched: true, method: 'email' };
      const d = e.split('@')[1];
      const a = d ? this.byDomain.get(d) : undefined;
      if (a) return { ...out, account_id: a, matched: true, method: 'email_domain' };
    }
    if (s.credit_code) {
      const a = this.byCreditCode.get(s.credit_code.normalize('NFKC').trim().toUpperCase());
      if (a) return { ...out, account_id: a, matched: true, method: 'credit_code' };
    }
    if (s.domain) {
      const d = normalizeDomain(s.domain);
      const a = this.byDomain.get(d) ?? this.byDomain.get(d.split('.').slice(-2).join('.'));
      if (a) return { ...out, account_id: a, matched: true, method: 'domain' };
    }
    if (s.company_name) {
      const n = normalizeCompanyName(s.company_name);
      const a = n ? this.byName.get(n) : undefined;
      if (a) return { ...out, account_id: a, matched: true, method: 'company_name' };
    }
    return out;
  }

  addAccount(a: AccountFields): void {
    this.accounts.set(a.id, {
      id: a.id,
      name: a.name,
      owner_id: a.owner_id ?? null,
      industry: a.industry ?? null,
    });
    for (const d of (a.domains ?? []) as string[]) this.byDomain.set(normalizeDomain(d), a.id);
    if (a.credit_code) this.byCreditCode.set(String(a.credit_code).toUpperCase(), a.id);
    for (const n of [a.name, ...((a.aliases ?? []) as string[])]) {
      const k = normalizeCompanyName(String(n));
      if (k && !this.byName.has(k)) this.byName.set(k, a.id);
    }
  }
}

/** The CRM fields the index reads (the CRM services hand their rows back untyped). */
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

const cache = new Map<string, { stamp: string; index: ResolverIndex }>();

/** Forget a tenant's index (called on CRM events and after a learned link). */
export function invalidateResolver(tenantId: string): void {
  cache.delete(tenantId);
}

export async function resolverFor(tx: Tx, caller: ActorContext): Promise<ResolverIndex> {
  // One index per tenant, shared by every caller: it is built from the whole tenant (never from
  // what one user may see under record-level sharing); callers filter what they show.
  const ctx = systemContext(caller.tenantId, caller.source);
  const stamp = [
    await newest(accountService, tx, ctx),
    await newest(contactService, tx, ctx),
    await newest(opportunityService, tx, ctx),
  ].join('|');
  const hit = cache.get(ctx.tenantId);
  if (hit && hit.stamp === stamp) return hit.index;
  const index = new ResolverIndex();
  for (const a of await listAll<AccountFields>(accountService, tx, ctx)) index.addAccount(a);
  for (const c of await listAll<ContactFields>(contactService, tx, ctx)) {
    index.contacts.set(c.id, { id: c.id, account_id: c.account_id ?? null, name: c.name });
    for (const e of (c.emails ?? []) as string[])
      index.byEmail.set(normalizeEmail(e), { contact_id: c.id, account_id: c.account_id ?? null });
  }
  for (const o of await listAll<OpportunityFields>(opportunityService, tx, ctx)) {
    index.opportunities.set(o.id, {
      id: o.id,
      account_id: o.account_id,
      owner_id: o.owner_id ?? null,
      name: o.name,
      stage: o.stage,
      status: o.status,
      amount: Number(o.amount),
      closed_at: o.closed_at ? new Date(o.closed_at).toISOString() : null,
    });
  }
  cache.set(ctx.tenantId, { stamp, index });
  return index;
}
