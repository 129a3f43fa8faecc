import { and, asc, eq, ne, or, type SQL, sql } from 'drizzle-orm';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import {
  analyzeCompanyName,
  groupsConflict,
  type NameAnalysis,
  regionsConflict,
} from '../../platform/text/company-names.js';
import { accounts, contacts } from './crm.schema.js';
import { accountService, contactService } from './crm.service.js';

/**
 * Likely duplicates (issue 16): accounts by credit code, domain or normalised name (the
 * company-name resolver's normalisation: width, case, brackets, legal form, leading regions);
 * contacts by e-mail, phone (digits, +86 dropped) or the same name at the same account. Only
 * records the caller may read are returned or warned about.
 */

export type AccountReason = 'credit_code' | 'domain' | 'name';
export type ContactReason = 'email' | 'phone' | 'name';

export interface AccountDuplicate {
  id: string;
  name: string;
  domain: string | null;
  credit_code: string | null;
  owner_id: string | null;
  reasons: AccountReason[];
  confidence: number;
}

export interface ContactDuplicate {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  account_id: string | null;
  reasons: ContactReason[];
  confidence: number;
}

const WEIGHT = {
  credit_code: 0.98,
  domain: 0.9,
  name_key: 0.85,
  name_rest: 0.7,
  email: 0.95,
  phone: 0.85,
  contact_name: 0.7,
} as const;

/** Independent hints add up: 1 − Π(1 − w). */
const combine = (weights: number[]) => Math.round((1 - weights.reduce((p, w) => p * (1 - w), 1)) * 100) / 100;

const like = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A domain as stored on accounts: https://www.Example.com/x → example.com. */
export function normaliseDomain(raw: string | null | undefined): string | null {
  const s = (raw ?? '').trim().toLowerCase();
  if (!s) return null;
  const host = s
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^www\./, '')
    .split(/[/?#:]/)[0];
  return host.includes('.') ? host : null;
}

/** A phone number's digits, without the +86 / 0086 country code. */
export function normalisePhone(raw: string | null | undefined): string | null {
  let d = (raw ?? '').replace(/\D/g, '');
  if (d.startsWith('0086')) d = d.slice(4);
  else if (d.startsWith('86') && d.length === 13) d = d.slice(2);
  return d.length >= 6 ? d : null;
}

export const normaliseEmail = (raw: string | null | undefined): string | null => {
  const s = (raw ?? '').trim().toLowerCase();
  return s.includes('@') ? s : null;
};

export const normaliseCreditCode = (raw: string | null | undefined): string | null => {
  const s = (raw ?? '').trim().toUpperCase();
  return s || null;
};

/** How a stored name matches an analysed one: the same key, else the same name without its region. */
function nameWeight(a: NameAnalysis, stored: string[]): number {
  let best = 0;
  for (const s of stored) {
    if (!s) continue;
    const b = analyzeCompanyName(s);
    if (!a.key || !b.key) continue;
    if (groupsConflict(a.group, b.group)) continue;
    if (a.key === b.key) return WEIGHT.name_key;
    if (a.rest && a.rest === b.rest && !regionsConflict(a.regions, b.regions)) best = WEIGHT.name_rest;
  }
  return best;
}

interface AccountRow {
  id: string;
  name: string;
  aliases: string[];
  domains: string[];
  credit_code: string | null;
  owner_id: string | null;
}

interface AccountProbe {
  name?: string | null;
  domain?: string | null;
  credit_code?: string | null;
}

function scoreAccount(
  row: AccountRow,
  probe: AccountProbe,
  analysed: NameAnalysis | null,
): AccountDuplicate | null {
  const reasons: AccountReason[] = [];
  const weights: number[] = [];
  const code = normaliseCreditCode(probe.credit_code);
  if (code && row.credit_code?.toUpperCase() === code) {
    reasons.push('credit_code');
    weights.push(WEIGHT.credit_code);
  }
  const domain = normaliseDomain(probe.domain);
  if (domain && row.domains.some((d) => normaliseDomain(d) === domain)) {
    reasons.push('domain');
    weights.push(WEIGHT.domain);
  }
  if (analysed) {
    const w = nameWeight(analysed, [row.name, ...row.aliases]);
    if (w > 0) {
      reasons.push('name');
      weights.push(w);
    }
  }
  if (!reasons.length) return null;
  return {
    id: row.id,
    name: row.name,
    domain: row.domains[0] ?? null,
    credit_code: row.credit_code,
    owner_id: row.owner_id,
    reasons,
    confidence: combine(weights),
  };
}

const best = <T extends { confidence: number; name: string }>(list: T[], n = 10) =>
  list.sort((a, b) => b.confidence - a.confidence || a.name.localeCompare(b.name)).slice(0, n);

const accountColumns = {
  id: accounts.id,
  name: accounts.name,
  aliases: accounts.aliases,
  domains: accounts.domains,
  credit_code: accounts.credit_code,
  owner_id: accounts.owner_id,
};

/** GET /accounts/duplicates. */
export async function findAccountDuplicates(
  tx: Tx,
  ctx: ActorContext,
  q: AccountProbe & { exclude_id?: string },
): Promise<AccountDuplicate[]> {
  const analysed = q.name?.trim() ? analyzeCompanyName(q.name) : null;
  const code = normaliseCreditCode(q.credit_code);
  const domain = normaliseDomain(q.domain);
  const needle = analysed ? (analysed.core ?? analysed.rest ?? analysed.key) : null;
  const fuzzy: SQL[] = [];
  if (domain) fuzzy.push(sql`array_to_string(${accounts.domains}, ' ') ilike ${like(domain)}`);
  if (needle && needle.length >= 2)
    fuzzy.push(
      // The needle is normalised (no spaces or punctuation: "Huarui Tech" → huaruitech), so the
      // stored names are compared without theirs too; Chinese names also match as they are.
      sql`(${accounts.name} ilike ${like(needle)} or array_to_string(${accounts.aliases}, ' ') ilike ${like(needle)}
          or regexp_replace(lower(${accounts.name} || ' ' || array_to_string(${accounts.aliases}, ' ')), '[[:space:][:punct:]]+', '', 'g') like ${like(needle)})`,
    );
  if (!code && !domain && !fuzzy.length) return [];
  const readable = await accountService.readable(tx, ctx);
  const find = (probe: SQL, limit: number, order: SQL[] = [asc(accounts.id)]) =>
    tx
      .select(accountColumns)
      .from(accounts)
      .where(
        and(
          eq(accounts.tenant_id, ctx.tenantId),
          q.exclude_id ? ne(accounts.id, q.exclude_id) : undefined,
          probe,
          readable,
        ),
      )
      .orderBy(...order)
      .limit(limit);
  // Exact probes first, each its own (indexable) query: a flood of name matches can never push
  // an account with the same credit code or domain out of the candidates.
  const rows = [
    ...(code ? await find(sql`upper(${accounts.credit_code}) = ${code}`, 50) : []),
    ...(domain
      ? await find(sql`${accounts.domains} && array[${domain}, ${`www.${domain}`}]::text[]`, 50)
      : []),
  ];
  if (fuzzy.length) {
    // Closest names first (the same name, then the shortest containing the needle), then scored.
    const exactName = q.name?.trim() ?? '';
    rows.push(
      ...(await find(or(...fuzzy) as SQL, 500, [
        sql`(lower(${accounts.name}) = lower(${exactName})) desc`,
        sql`abs(length(${accounts.name}) - ${exactName.length})`,
        asc(accounts.id),
      ])),
    );
  }
  const seen = new Set<string>();
  const unique = rows.filter((r) => !seen.has(r.id) && seen.add(r.id));
  return best(unique.map((r) => scoreAccount(r, q, analysed)).filter((d) => d !== null));
}

interface ContactRow {
  id: string;
  name: string;
  name_en: string | null;
  emails: string[];
  phones: string[];
  account_id: string | null;
}

interface ContactProbe {
  email?: string | null;
  phone?: string | null;
  name?: string | null;
  account_id?: string | null;
}

const sameName = (a: string | null | undefined, b: string | null | undefined) =>
  !!a &&
  !!b &&
  a.normalize('NFKC').replace(/\s+/g, '').toLowerCase() ===
    b.normalize('NFKC').replace(/\s+/g, '').toLowerCase();

function scoreContact(row: ContactRow, probe: ContactProbe): ContactDuplicate | null {
  const reasons: ContactReason[] = [];
  const weights: number[] = [];
  const email = normaliseEmail(probe.email);
  const matchedEmail = email ? row.emails.find((e) => normaliseEmail(e) === email) : undefined;
  if (matchedEmail) {
    reasons.push('email');
    weights.push(WEIGHT.email);
  }
  const phone = normalisePhone(probe.phone);
  const matchedPhone = phone ? row.phones.find((p) => normalisePhone(p) === phone) : undefined;
  if (matchedPhone) {
    reasons.push('phone');
    weights.push(WEIGHT.phone);
  }
  if (
    probe.account_id &&
    row.account_id === probe.account_id &&
    (sameName(row.name, probe.name) || sameName(row.name_en, probe.name))
  ) {
    reasons.push('name');
    weights.push(WEIGHT.contact_name);
  }
  if (!reasons.length) return null;
  return {
    id: row.id,
    name: row.name,
    email: matchedEmail ?? row.emails[0] ?? null,
    phone: matchedPhone ?? row.phones[0] ?? null,
    account_id: row.account_id,
    reasons,
    confidence: combine(weights),
  };
}

const contactColumns = {
  id: contacts.id,
  name: contacts.name,
  name_en: contacts.name_en,
  emails: contacts.emails,
  phones: contacts.phones,
  account_id: contacts.account_id,
};

/** GET /contacts/duplicates. */
export async function findContactDuplicates(
  tx: Tx,
  ctx: ActorContext,
  q: ContactProbe & { exclude_id?: string },
): Promise<ContactDuplicate[]> {
  const email = normaliseEmail(q.email);
  const phone = normalisePhone(q.phone);
  const byName = q.account_id && q.name?.trim() ? q.name.trim() : null;
  if (!email && !phone && !byName) return [];
  const readable = await contactService.readable(tx, ctx);
  const find = (probe: SQL, limit: number, order: SQL[] = [asc(contacts.id)]) =>
    tx
      .select(contactColumns)
      .from(contacts)
      .where(
        and(
          eq(contacts.tenant_id, ctx.tenantId),
          q.exclude_id ? ne(contacts.id, q.exclude_id) : undefined,
          probe,
          readable,
        ),
      )
      .orderBy(...order)
      .limit(limit);
  // Each probe its own query (e-mail and phone first), so one kind of match never crowds out another.
  const rows = [
    ...(email
      ? await find(
          sql`(${contacts.emails} && array[${email}, ${q.email?.trim() ?? email}]::text[] or exists (select 1 from unnest(${contacts.emails}) e where lower(e) = ${email}))`,
          50,
        )
      : []),
    ...(phone
      ? await find(
          sql`exists (select 1 from unnest(${contacts.phones}) p where regexp_replace(p, '[^0-9]', '', 'g') like ${`%${phone}`})`,
          50,
        )
      : []),
    ...(byName && q.account_id
      ? await find(eq(contacts.account_id, q.account_id), 500, [
          sql`(lower(${contacts.name}) = lower(${byName}) or lower(coalesce(${contacts.name_en}, '')) = lower(${byName})) desc`,
          asc(contacts.id),
        ])
      : []),
  ];
  const seen = new Set<string>();
  const unique = rows.filter((r) => !seen.has(r.id) && seen.add(r.id));
  return best(unique.map((r) => scoreContact(r, q)).filter((d) => d !== null));
}

// ---------- imports: one index per file ----------

/** What an import row is warned about: the most likely existing record or earlier row. */
export interface DuplicateHit {
  name: string;
  reason: AccountReason | ContactReason;
  /** An existing record's id; null for an earlier row of the same file. */
  id: string | null;
  /** The earlier row's number in the file. */
  row?: number;
}

/**
 * Checks rows of an import against the records the importer may read and against the file's
 * earlier rows: one read of the tenant's accounts (contacts) per import, then in-memory lookups.
 */
export async function importDuplicateChecker(
  tx: Tx,
  ctx: ActorContext,
  entity: 'accounts' | 'contacts',
): Promise<(value: Record<string, unknown>, rowNo: number) => DuplicateHit | null> {
  if (entity === 'accounts') {
    const existing = await tx
      .select(accountColumns)
      .from(accounts)
      .where(and(eq(accounts.tenant_id, ctx.tenantId), await accountService.readable(tx, ctx)));
    const byCode = new Map<string, AccountRow>();
    const byDomain = new Map<string, AccountRow>();
    const byKey = new Map<string, AccountRow>();
    const byRest = new Map<string, { row: AccountRow; a: NameAnalysis }>();
    const earlier = {
      code: new Map<string, number>(),
      domain: new Map<string, number>(),
      key: new Map<string, number>(),
    };
    const earlierNames = new Map<number, string>();
    const index = (row: AccountRow) => {
      if (row.credit_code) byCode.set(row.credit_code.toUpperCase(), row);
      for (const d of row.domains) {
        const n = normaliseDomain(d);
        if (n && !byDomain.has(n)) byDomain.set(n, row);
      }
      for (const n of [row.name, ...row.aliases]) {
        const a = analyzeCompanyName(n);
        if (a.key && !byKey.has(a.key)) byKey.set(a.key, row);
        if (a.rest && !byRest.has(a.rest)) byRest.set(a.rest, { row, a });
      }
    };
    for (const r of existing) index(r);
    return (v, rowNo) => {
      const code = normaliseCreditCode(v.credit_code as string | undefined);
      const domains = ((v.domains as string[] | undefined) ?? [])
        .concat(typeof v.website === 'string' ? [v.website] : [])
        .map(normaliseDomain)
        .filter((d): d is string => !!d);
      const a = typeof v.name === 'string' && v.name.trim() ? analyzeCompanyName(v.name) : null;
      let hit: DuplicateHit | null = null;
      const found = (row: AccountRow | undefined, reason: AccountReason) => {
        if (!hit && row) hit = { id: row.id, name: row.name, reason };
      };
      const foundRow = (n: number | undefined, reason: AccountReason) => {
        if (!hit && n !== undefined) hit = { id: null, row: n, name: earlierNames.get(n) ?? '', reason };
      };
      if (code) found(byCode.get(code), 'credit_code');
      for (const d of domains) found(byDomain.get(d), 'domain');
      if (a?.key) found(byKey.get(a.key), 'name');
      if (a?.rest) {
        const r = byRest.get(a.rest);
        if (r && !regionsConflict(a.regions, r.a.regions) && !groupsConflict(a.group, r.a.group))
          found(r.row, 'name');
      }
      if (code) foundRow(earlier.code.get(code), 'credit_code');
      for (const d of domains) foundRow(earlier.domain.get(d), 'domain');
      if (a?.key) foundRow(earlier.key.get(a.key), 'name');
      earlierNames.set(rowNo, String(v.name ?? ''));
      if (code && !earlier.code.has(code)) earlier.code.set(code, rowNo);
      for (const d of domains) if (!earlier.domain.has(d)) earlier.domain.set(d, rowNo);
      if (a?.key && !earlier.key.has(a.key)) earlier.key.set(a.key, rowNo);
      return hit;
    };
  }
  const existing = await tx
    .select(contactColumns)
    .from(contacts)
    .where(and(eq(contacts.tenant_id, ctx.tenantId), await contactService.readable(tx, ctx)));
  const byEmail = new Map<string, ContactRow>();
  const byPhone = new Map<string, ContactRow>();
  const byName = new Map<string, ContactRow>();
  const nameKey = (account: unknown, name: unknown) =>
    typeof account === 'string' && typeof name === 'string' && name.trim()
      ? `${account}|${name.normalize('NFKC').replace(/\s+/g, '').toLowerCase()}`
      : null;
  for (const r of existing) {
    for (const e of r.emails) {
      const n = normaliseEmail(e);
      if (n && !byEmail.has(n)) byEmail.set(n, r);
    }
    for (const p of r.phones) {
      const n = normalisePhone(p);
      if (n && !byPhone.has(n)) byPhone.set(n, r);
    }
    const k = nameKey(r.account_id, r.name);
    if (k && !byName.has(k)) byName.set(k, r);
  }
  const earlier = new Map<string, { row: number; name: string }>();
  return (v, rowNo) => {
    const emails = ((v.emails as string[] | undefined) ?? [])
      .map(normaliseEmail)
      .filter((e): e is string => !!e);
    const phones = ((v.phones as string[] | undefined) ?? [])
      .map(normalisePhone)
      .filter((p): p is string => !!p);
    const k = nameKey(v.account_id, v.name);
    const keys: [string, ContactReason, ContactRow | undefined][] = [
      ...emails.map((e): [string, ContactReason, ContactRow | undefined] => [
        `e:${e}`,
        'email',
        byEmail.get(e),
      ]),
      ...phones.map((p): [string, ContactReason, ContactRow | undefined] => [
        `p:${p}`,
        'phone',
        byPhone.get(p),
      ]),
      ...(k ? [[`n:${k}`, 'name', byName.get(k)] as [string, ContactReason, ContactRow | undefined]] : []),
    ];
    let hit: DuplicateHit | null = null;
    for (const [, reason, row] of keys) if (!hit && row) hit = { id: row.id, name: row.name, reason };
    for (const [key, reason] of keys) {
      const e = earlier.get(key);
      if (!hit && e) hit = { id: null, row: e.row, name: e.name, reason };
    }
    for (const [key] of keys)
      if (!earlier.has(key)) earlier.set(key, { row: rowNo, name: String(v.name ?? '') });
    return hit;
  };
}
