import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.js';
import { tenants } from '../../platform/tenancy/tenancy.schema.js';
import { accounts, contacts } from './crm.schema.js';

/** A contact an e-mail address belongs to, in some tenant (the portal's sign-in, R-5.1). */
export interface ContactByEmail {
  tenant_id: string;
  tenant_name: string;
  contact_id: string;
  contact_name: string;
  account_name: string | null;
}

/** Contacts with their tenant's and account's names, across tenants (a query the callers narrow). */
const contactsWithTenant = (tx: Tx) =>
  tx
    .select({
      tenant_id: contacts.tenant_id,
      tenant_name: sql<string>`coalesce(${tenants.display_name}, ${tenants.name})`,
      contact_id: contacts.id,
      contact_name: contacts.name,
      account_name: accounts.name,
    })
    .from(contacts)
    .innerJoin(tenants, eq(tenants.id, contacts.tenant_id))
    .leftJoin(
      accounts,
      and(eq(accounts.tenant_id, contacts.tenant_id), eq(accounts.id, contacts.account_id)),
    );

/**
 * The contacts whose e-mails include `email` (lower-cased; crm stores e-mails lower-cased), in
 * every tenant: the customer portal signs a person in once and lets them choose the organisation.
 * Runs in a system transaction (no tenant scope): crm owns this read, the portal never reads
 * crm tables itself. At most `limit` contacts, oldest tenant first.
 */
export async function findContactsByEmail(tx: Tx, email: string, limit = 20): Promise<ContactByEmail[]> {
  const address = email.trim().toLowerCase();
  if (!address) return [];
  return contactsWithTenant(tx)
    .where(sql`${contacts.emails} @> array[${address}]::text[]`)
    .orderBy(asc(tenants.created_at), asc(contacts.created_at))
    .limit(limit);
}

/** The same pairs re-read (names may have changed since sign-in; erased contacts drop out). */
export async function contactsByIds(
  tx: Tx,
  pairs: readonly { tenant_id: string; contact_id: string }[],
): Promise<ContactByEmail[]> {
  if (pairs.length === 0) return [];
  const rows = await contactsWithTenant(tx)
    .where(
      inArray(
        contacts.id,
        pairs.map((p) => p.contact_id),
      ),
    )
    .orderBy(asc(tenants.created_at), asc(contacts.created_at));
  return rows.filter((r) => pairs.some((p) => p.tenant_id === r.tenant_id && p.contact_id === r.contact_id));
}
