import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.js';
import { privacyErasureLedger, privacySalts } from './sovereignty-erasure.schema.js';

/**
 * The erasure ledger's identities (issue 13 item 5): salted hashes of an erased person's e-mails
 * and phones (for the re-import block only), never the identifiers themselves, and no names.
 * Replay erases by contact id (and the merged duplicates' ids recorded at erasure time), never by
 * hash: a shared switchboard number or info@ mailbox must not erase someone else. Kept small and free of other modules'
 * imports so crm's re-import guard can ask `isErasedIdentity` without a dependency cycle.
 */

export const normaliseEmail = (e: string) => e.trim().toLowerCase();
/** Digits only; a mainland +86 prefix is dropped (138 0013 8000 = +86 13800138000). */
export const normalisePhone = (p: string) => {
  const d = p.replace(/\D/g, '');
  return d.length === 13 && d.startsWith('86') ? d.slice(2) : d;
};
export const normaliseName = (n: string) => n.normalize('NFKC').replace(/\s+/g, '').toLowerCase();

export function hashIdentifier(salt: string, kind: 'email' | 'phone' | 'name', value: string): string {
  return createHash('sha256').update(`${salt}\u0000${kind}\u0000${value}`).digest('hex');
}

export interface IdentifierHashes {
  email_hashes: string[];
  phone_hashes: string[];
  /** Always empty: names are not kept (a 2-3 character name is brute-forced from its hash in seconds). */
  name_hashes: string[];
}

export function hashesOf(
  salt: string,
  ids: { emails: readonly string[]; phones: readonly string[]; names?: readonly string[] },
): IdentifierHashes {
  const uniq = (xs: string[]) => [...new Set(xs.filter((x) => x.length > 0))];
  return {
    email_hashes: uniq(ids.emails.map(normaliseEmail)).map((v) => hashIdentifier(salt, 'email', v)),
    phone_hashes: uniq(ids.phones.map(normalisePhone)).map((v) => hashIdentifier(salt, 'phone', v)),
    name_hashes: [],
  };
}

/** The tenant's salt, created on first use. */
export async function tenantSalt(tx: Tx, tenantId: string): Promise<string> {
  const [row] = await tx.select().from(privacySalts).where(eq(privacySalts.tenant_id, tenantId));
  if (row) return row.salt;
  const salt = randomBytes(32).toString('hex');
  await tx.insert(privacySalts).values({ tenant_id: tenantId, salt }).onConflictDoNothing();
  const [again] = await tx.select().from(privacySalts).where(eq(privacySalts.tenant_id, tenantId));
  return again?.salt ?? salt;
}

/**
 * True when `email` belongs to a person erased in this tenant whose block was not lifted ("the
 * person returned"): crm refuses to create such a contact again (contact create, import).
 */
export async function isErasedIdentity(tx: Tx, tenantId: string, email: string): Promise<boolean> {
  const address = normaliseEmail(email);
  if (!address) return false;
  const salts = await tx
    .selectDistinct({ salt: privacyErasureLedger.salt })
    .from(privacyErasureLedger)
    .where(and(eq(privacyErasureLedger.tenant_id, tenantId), isNull(privacyErasureLedger.lifted_at)));
  for (const { salt } of salts) {
    const h = hashIdentifier(salt, 'email', address);
    const [hit] = await tx
      .select({ id: privacyErasureLedger.id })
      .from(privacyErasureLedger)
      .where(
        and(
          eq(privacyErasureLedger.tenant_id, tenantId),
          isNull(privacyErasureLedger.lifted_at),
          sql`${privacyErasureLedger.email_hashes} @> array[${h}]::text[]`,
        ),
      )
      .limit(1);
    if (hit) return true;
  }
  return false;
}

/** One ledger entry as written to the table and, line by line, to the ledger file. */
export interface LedgerEntry extends IdentifierHashes {
  id: string;
  tenant_id: string;
  erasure_id: string;
  case_id: string | null;
  contact_id: string;
  /** Contacts merged into the person's record before the erasure (the same person): replay erases them too. */
  also_ids?: string[];
  salt: string;
  created_at: string;
}

/** A lifted block ("the person returned"), appended to the file so a replay after a restore honours it. */
export interface LedgerLift {
  kind: 'lift';
  tenant_id: string;
  /** The ledger entry's id. */
  entry_id: string;
  lifted_at: string;
  lifted_by: string | null;
  lifted_by_name: string | null;
  lifted_reason: string;
}

/** The append-only ledger file: ZHONGSHU_ERASURE_LEDGER, else beside the database in the data dir (keep it out of restores). */
export function ledgerFile(config: { dataDir: string; erasureLedger?: string }): string {
  return config.erasureLedger ?? join(config.dataDir, 'privacy', 'erasure-ledger.jsonl');
}

export function appendLedgerFile(file: string, entry: LedgerEntry | LedgerLift): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
}

function readLines(file: string): unknown[] {
  if (!existsSync(file)) return [];
  const out: unknown[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // A torn last line (crash mid-write) is skipped; every complete entry before it counts.
    }
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object';

/** The file's erasure entries (lift records are readLedgerLifts'). */
export function readLedgerFile(file: string): LedgerEntry[] {
  return readLines(file).filter(
    (e): e is LedgerEntry =>
      isObject(e) && e.kind !== 'lift' && typeof e.tenant_id === 'string' && typeof e.erasure_id === 'string',
  );
}

/** The file's lifted blocks. */
export function readLedgerLifts(file: string): LedgerLift[] {
  return readLines(file).filter(
    (e): e is LedgerLift =>
      isObject(e) && e.kind === 'lift' && typeof e.tenant_id === 'string' && typeof e.entry_id === 'string',
  );
}

/**
 * The tenant's blocked e-mails as a check that runs in memory (a file import asks for every row):
 * true when the address belongs to an erased person whose block was not lifted.
 */
export async function erasedEmailCheck(tx: Tx, tenantId: string): Promise<(email: string) => boolean> {
  const rows = await tx
    .select({ salt: privacyErasureLedger.salt, hashes: privacyErasureLedger.email_hashes })
    .from(privacyErasureLedger)
    .where(and(eq(privacyErasureLedger.tenant_id, tenantId), isNull(privacyErasureLedger.lifted_at)));
  if (rows.length === 0) return () => false;
  const bySalt = new Map<string, Set<string>>();
  for (const r of rows) {
    const set = bySalt.get(r.salt) ?? new Set<string>();
    for (const h of r.hashes) set.add(h);
    bySalt.set(r.salt, set);
  }
  return (email) => {
    const address = normaliseEmail(email);
    if (!address) return false;
    for (const [salt, hashes] of bySalt) if (hashes.has(hashIdentifier(salt, 'email', address))) return true;
    return false;
  };
}
