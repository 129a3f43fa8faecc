import type { ActorContext } from '../../platform/auth/auth-context.js';
import { cachesOf } from '../../platform/caches.js';
import type { Tx } from '../../platform/db/database.js';
import { type CrmDirectory, crmDirectory } from '../crm/crm-directory.service.js';

/**
 * Entity resolution (SPEC ): the signals module's matching rules over the CRM directory. A
 * signal's subject may name an account, contact or opportunity by id, a web domain, an email, a
 * unified social credit code, or a company name. Names are normalised: NFKC (full-width →
 * half-width), case-folded, punctuation/space removed, and legal-form suffixes (有限公司,
 * 股份有限公司, 有限责任公司, 集团, Co., Ltd., Inc., …) and a bracketed region such as （中国）
 * stripped. Aliases of accounts are matched the same way.
 *
 * The CRM owns the directory (crm-directory.service.ts: built through its services, cached per
 * tenant, dropped on its record events). The lookup tables built from it here are cached beside it
 * on the platform's caches (`signals.matchers`) and rebuilt whenever the CRM hands back another
 * directory.
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

/** Lookup tables over one CRM directory: the matching rules of entity resolution. */
export class SubjectMatcher {
  private readonly byDomain = new Map<string, string>();
  private readonly byCreditCode = new Map<string, string>();
  private readonly byName = new Map<string, string>();
  private readonly byEmail = new Map<string, { contact_id: string; account_id: string | null }>();

  constructor(readonly directory: CrmDirectory) {
    // In the directory's (name) order: the first account with a name wins it, the last with a
    // domain, credit code or e-mail address wins that.
    for (const a of directory.accounts.values()) {
      for (const d of a.domains) this.byDomain.set(normalizeDomain(d), a.id);
      if (a.credit_code) this.byCreditCode.set(String(a.credit_code).toUpperCase(), a.id);
      for (const n of [a.name, ...a.aliases]) {
        const k = normalizeCompanyName(String(n));
        if (k && !this.byName.has(k)) this.byName.set(k, a.id);
      }
    }
    for (const c of directory.contacts.values())
      for (const e of c.emails)
        this.byEmail.set(normalizeEmail(e), { contact_id: c.id, account_id: c.account_id ?? null });
  }

  /** The first rule that matches: opportunity, contact, account id; email; credit code; domain; name. */
  resolve(s: Subject): Resolution {
    const out: Resolution = {
      account_id: null,
      contact_id: null,
      opportunity_id: null,
      matched: false,
      method: null,
    };
    const { accounts, contacts, opportunities } = this.directory;
    const o = s.opportunity_id ? opportunities.get(s.opportunity_id) : undefined;
    if (o)
      return {
        ...out,
        opportunity_id: o.id,
        account_id: o.account_id,
        matched: true,
        method: 'opportunity_id',
      };
    const c = s.contact_id ? contacts.get(s.contact_id) : undefined;
    if (c) return { ...out, contact_id: c.id, account_id: c.account_id, matched: true, method: 'contact_id' };
    if (s.account_id && accounts.has(s.account_id))
      return { ...out, account_id: s.account_id, matched: true, method: 'account_id' };
    if (s.email) {
      const e = normalizeEmail(s.email);
      const byEmail = this.byEmail.get(e);
      if (byEmail)
        return {
          ...out,
          contact_id: byEmail.contact_id,
          account_id: byEmail.account_id,
          matched: true,
          method: 'email',
        };
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
}

/** Tenants whose lookup tables are kept at once (as many as the CRM keeps directories). */
const MATCHERS_MAX = 100;

/** The tenant's matcher over the CRM's current directory (rebuilt when the directory is). */
export async function subjectMatcher(tx: Tx, ctx: ActorContext): Promise<SubjectMatcher> {
  const directory = await crmDirectory(tx, ctx);
  const cache = cachesOf(tx).map<string, SubjectMatcher>('signals.matchers', { max: MATCHERS_MAX });
  const hit = cache.get(ctx.tenantId);
  if (hit?.directory === directory) return hit;
  const matcher = new SubjectMatcher(directory);
  cache.set(ctx.tenantId, matcher);
  return matcher;
}
