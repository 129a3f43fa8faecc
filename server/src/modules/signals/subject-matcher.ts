import type { ActorContext } from '../../platform/auth/auth-context.js';
import { cachesOf } from '../../platform/caches.js';
import type { Tx } from '../../platform/db/database.js';
import { type CrmDirectory, crmDirectory } from '../crm/crm-directory.service.js';
import {
  analyzeCompanyName,
  groupsConflict,
  type NameAnalysis,
  pinyinOf,
  regionsConflict,
} from './company-names.js';

export { normalizeCompanyName } from './company-names.js';

/**
 * Entity resolution (SPEC ): the signals module's matching rules over the CRM directory. A
 * signal's subject may name an account, contact or opportunity by id, a web domain, an email, a
 * unified social credit code, or a company name. Ids, e-mail addresses, credit codes and domains
 * match exactly. A company name is compared the ways people write it (company-names.ts): the
 * exact name, the normalised key (legal form and bracketed qualifiers dropped), the name without
 * its province/city/district prefix, the brand alone (a short name, 简称), and the pinyin of the
 * brand, over every account's name and aliases (aliases include the ones learned in the review
 * queue). Each way gives a confidence:
 *
 *   exact name 1.0 · same key 0.97 · same name without region 0.95 · short name = brand 0.92 ·
 *   pinyin 0.8 · brand with other industry words 0.7 · group vs subsidiary ≤ 0.6 ·
 *   different province/city ≤ 0.55
 *
 * A name links to the best account when its confidence is ≥ 0.9 and no other account is within
 * 0.1 of it (an exact name or alias of one account only also wins over same-key namesakes);
 * otherwise the signal stays unmatched, in the review queue, with the ranked candidates (≥ 0.5).
 * Nothing is picked silently: two accounts with the same key both become candidates.
 *
 * The CRM owns the directory (crm-directory.service.ts: built through its services, cached per
 * tenant, dropped on its record events). The lookup tables built from it here, with every
 * account's name analysed once, are cached beside it on the platform's caches (`signals.matchers`)
 * and rebuilt whenever the CRM hands back another directory; a signal costs one analysis of its
 * name and a few map lookups.
 */

/** Confidence at or above which a name links by itself. */
export const LINK_CONFIDENCE = 0.9;
/** How far ahead of the next account the best one must be to link. */
export const LINK_MARGIN = 0.1;
/** Candidates below this are not offered for review. */
export const REVIEW_CONFIDENCE = 0.5;
/** Candidates offered per signal. */
const MAX_CANDIDATES = 5;

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

export interface NameCandidate {
  account_id: string;
  /** 0–1 */
  confidence: number;
  /** How the name met the account: company_name (exact or same key), company_name:no_region, … */
  method: string;
}

export interface Resolution {
  account_id: string | null;
  contact_id: string | null;
  opportunity_id: string | null;
  matched: boolean;
  method: string | null;
  /** Confidence of the link (1 for ids, e-mail, credit code, domain); null when unmatched. */
  confidence: number | null;
  /** A company name that was not linked: the accounts it may mean, best first (the review queue). */
  candidates: NameCandidate[];
}

/** One account name or alias, analysed. */
interface NameEntry {
  account_id: string;
  /** Position of the account in the directory (name order): ties are ranked by it. */
  order: number;
  name: NameAnalysis;
}

type Level = 'exact' | 'key' | 'rest' | 'core' | 'pinyin';

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/** Lookup tables over one CRM directory: the matching rules of entity resolution. */
export class SubjectMatcher {
  private readonly byDomain = new Map<string, string>();
  private readonly byCreditCode = new Map<string, string>();
  private readonly byExact = new Map<string, NameEntry[]>();
  private readonly byKey = new Map<string, NameEntry[]>();
  private readonly byRest = new Map<string, NameEntry[]>();
  private readonly byCore = new Map<string, NameEntry[]>();
  /** Pinyin of Chinese brands and Latin brands, built on the first name that needs it. */
  private byPinyin: Map<string, NameEntry[]> | undefined;
  private readonly entries: NameEntry[] = [];
  private readonly byEmail = new Map<string, { contact_id: string; account_id: string | null }>();

  constructor(readonly directory: CrmDirectory) {
    // The last account with a domain, credit code or e-mail address wins that; names keep every
    // account that has them (a shared name is ambiguous, not the first one's).
    let order = 0;
    for (const a of directory.accounts.values()) {
      for (const d of a.domains) this.byDomain.set(normalizeDomain(d), a.id);
      if (a.credit_code) this.byCreditCode.set(String(a.credit_code).toUpperCase(), a.id);
      const seen = new Set<string>();
      for (const n of [a.name, ...a.aliases]) {
        const name = analyzeCompanyName(String(n));
        if (!name.key || seen.has(name.exact)) continue;
        seen.add(name.exact);
        const entry = { account_id: a.id, order, name };
        this.entries.push(entry);
        push(this.byExact, name.exact, entry);
        push(this.byKey, name.key, entry);
        if (name.rest) push(this.byRest, name.rest, entry);
        if (name.core) push(this.byCore, name.core, entry);
      }
      order++;
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
      confidence: null,
      candidates: [],
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
        confidence: 1,
      };
    const c = s.contact_id ? contacts.get(s.contact_id) : undefined;
    if (c)
      return {
        ...out,
        contact_id: c.id,
        account_id: c.account_id,
        matched: true,
        method: 'contact_id',
        confidence: 1,
      };
    if (s.account_id && accounts.has(s.account_id))
      return { ...out, account_id: s.account_id, matched: true, method: 'account_id', confidence: 1 };
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
          confidence: 1,
        };
      const d = e.split('@')[1];
      const a = d ? this.byDomain.get(d) : undefined;
      if (a) return { ...out, account_id: a, matched: true, method: 'email_domain', confidence: 1 };
    }
    if (s.credit_code) {
      const a = this.byCreditCode.get(s.credit_code.normalize('NFKC').trim().toUpperCase());
      if (a) return { ...out, account_id: a, matched: true, method: 'credit_code', confidence: 1 };
    }
    if (s.domain) {
      const d = normalizeDomain(s.domain);
      const a = this.byDomain.get(d) ?? this.byDomain.get(d.split('.').slice(-2).join('.'));
      if (a) return { ...out, account_id: a, matched: true, method: 'domain', confidence: 1 };
    }
    if (s.company_name) return { ...out, ...this.resolveName(s.company_name) };
    return out;
  }

  /** A company name: linked when one account is clearly meant, else the ranked candidates. */
  resolveName(
    raw: string,
  ): Pick<Resolution, 'account_id' | 'matched' | 'method' | 'confidence' | 'candidates'> {
    const ranked = this.rank(raw);
    const [top, next] = ranked;
    if (top && top.confidence >= LINK_CONFIDENCE) {
      const clear =
        !next ||
        top.confidence - next.confidence >= LINK_MARGIN - 1e-9 ||
        (top.level === 'exact' && next.level !== 'exact');
      if (clear)
        return {
          account_id: top.account_id,
          matched: true,
          method: top.method,
          confidence: top.confidence,
          candidates: [],
        };
    }
    return {
      account_id: null,
      matched: false,
      method: null,
      confidence: null,
      candidates: ranked
        .filter((r) => r.confidence >= REVIEW_CONFIDENCE)
        .slice(0, MAX_CANDIDATES)
        .map(({ account_id, confidence, method }) => ({ account_id, confidence, method })),
    };
  }

  /** Every account the name may mean, best first (per account its best way of meeting the name). */
  private rank(raw: string): (NameCandidate & { level: Level; order: number })[] {
    const sig = analyzeCompanyName(raw);
    if (!sig.key) return [];
    const best = new Map<string, NameCandidate & { level: Level; order: number }>();
    const consider = (entries: NameEntry[] | undefined, level: Level) => {
      if (!entries) return;
      for (const e of entries) {
        const scored = score(sig, e.name, level);
        const have = best.get(e.account_id);
        if (!have || scored.confidence > have.confidence)
          best.set(e.account_id, { account_id: e.account_id, order: e.order, level, ...scored });
      }
    };
    consider(this.byExact.get(sig.exact), 'exact');
    consider(this.byKey.get(sig.key), 'key');
    if (sig.rest) consider(this.byRest.get(sig.rest), 'rest');
    if (sig.core) consider(this.byCore.get(sig.core), 'core');
    // Pinyin only when the script-bound ways found nothing to link.
    const linkable = [...best.values()].some((c) => c.confidence >= LINK_CONFIDENCE);
    if (!linkable && sig.core) {
      const key = sig.han ? pinyinOf(sig.core) : sig.core;
      if (key) consider(this.pinyinIndex().get(key), 'pinyin');
    }
    return [...best.values()].sort((a, b) => b.confidence - a.confidence || a.order - b.order);
  }

  private pinyinIndex(): Map<string, NameEntry[]> {
    if (this.byPinyin) return this.byPinyin;
    const index = new Map<string, NameEntry[]>();
    for (const e of this.entries) {
      if (!e.name.core) continue;
      const key = e.name.han ? pinyinOf(e.name.core) : e.name.core;
      if (key) push(index, key, e);
    }
    this.byPinyin = index;
    return index;
  }
}

const LISTED_SHORT_NAME = /(?:股份|\p{Script=Han}[ab])$/u;

/** How well a signal's name meets one account name at one level (see the table above). */
function score(sig: NameAnalysis, acc: NameAnalysis, level: Level): { confidence: number; method: string } {
  let confidence: number;
  let method: string;
  switch (level) {
    case 'exact':
      confidence = 1;
      method = 'company_name';
      break;
    case 'key':
      confidence = 0.97;
      method = 'company_name';
      break;
    case 'rest':
      confidence = 0.95;
      method = 'company_name:no_region';
      break;
    case 'core': {
      // A short name: the brand alone or with the start of the account's industry words (华强,
      // 华强A, 华强股份, 深圳华强, 华强信息 for 华强信息技术), vs a name that puts other industry words
      // after the same brand (华强电子 for 华强科技) or is a full name with a legal form.
      const industryAgrees = acc.industry.join('').startsWith(sig.industry.join(''));
      confidence = !industryAgrees ? 0.7 : sig.form ? 0.8 : 0.92;
      method = 'company_name:short_name';
      break;
    }
    default:
      if (sig.han === acc.han) return { confidence: 0, method: 'company_name:pinyin' };
      confidence = 0.8;
      method = 'company_name:pinyin';
  }
  if (sig.han === acc.han && regionsConflict(sig.regions, acc.regions)) {
    confidence = Math.min(confidence, 0.55);
    method = 'company_name:other_region';
  } else if (level !== 'exact' && level !== 'key') {
    // Ranking hints among namesakes (never enough to pass the link margin on their own): the same
    // city named on both sides; a listed company's short name (华强股份, 万科A) for a 股份 company.
    if (sig.regions.length && acc.regions.length) confidence += 0.02;
    if (!sig.form && LISTED_SHORT_NAME.test(sig.exact) && acc.exact.includes('股份')) confidence += 0.01;
  }
  if (groupsConflict(sig.group, acc.group)) {
    confidence = Math.min(confidence, 0.6);
    method = 'company_name:group';
  }
  return { confidence, method };
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
