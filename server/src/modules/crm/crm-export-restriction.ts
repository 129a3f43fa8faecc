import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.js';
import { consentGateOf } from '../../platform/privacy/consent-gate.js';
import { identifierNeedles } from '../../platform/privacy/identifier-needles.js';
import { contacts } from './crm.schema.js';

/**
 * Exports leave out what is a restricted person's (R-5.5, review item 8): their processing is
 * restricted, so their data is kept but not put out of the system.
 *
 * - contacts: a restricted contact is not exported.
 * - activities: an activity whose contacts are all restricted is left out (it is theirs); one that
 *   others took part in too stays for them, without the restricted people: their ids go from
 *   contact_ids, and the notes and participants (which cannot be told apart by person) are
 *   blanked, as is the subject when it names a restricted person.
 * - opportunities have no contact link: their free text (close reason, custom texts) is blanked
 *   where it names a restricted contact of the opportunity's account.
 */
export async function withoutRestricted(
  tx: Tx,
  tenantId: string,
  entity: string,
  rows: Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const gate = consentGateOf(tx);
  if (entity === 'contacts') {
    const restricted = await gate.restricted(
      tx,
      tenantId,
      rows.map((r) => String(r.id)),
    );
    return restricted.size ? rows.filter((r) => !restricted.has(String(r.id))) : rows;
  }
  if (entity === 'activities') {
    const ids = [
      ...new Set(rows.flatMap((r) => (Array.isArray(r.contact_ids) ? r.contact_ids.map(String) : []))),
    ];
    const restricted = await gate.restricted(tx, tenantId, ids);
    if (!restricted.size) return rows;
    const needles = await needlesOf(tx, tenantId, [...restricted]);
    const out: Record<string, unknown>[] = [];
    for (const r of rows) {
      const linked = Array.isArray(r.contact_ids) ? r.contact_ids.map(String) : [];
      const theirs = linked.filter((id) => restricted.has(id));
      if (theirs.length === 0) {
        out.push(r);
        continue;
      }
      if (theirs.length === linked.length) continue;
      out.push({
        ...r,
        contact_ids: linked.filter((id) => !restricted.has(id)),
        body: null,
        participants: null,
        subject: names(String(r.subject ?? ''), needles) ? '—' : r.subject,
        custom: blankNaming(r.custom, needles),
      });
    }
    return out;
  }
  if (entity === 'opportunities') {
    const accountIds = [
      ...new Set(rows.map((r) => r.account_id).filter((v): v is string => typeof v === 'string')),
    ];
    if (!accountIds.length) return rows;
    const people = await tx
      .select({ id: contacts.id, account_id: contacts.account_id })
      .from(contacts)
      .where(and(eq(contacts.tenant_id, tenantId), inArray(contacts.account_id, accountIds)));
    const restricted = await gate.restricted(
      tx,
      tenantId,
      people.map((p) => p.id),
    );
    if (!restricted.size) return rows;
    const byAccount = new Map<string, string[]>();
    for (const p of people)
      if (p.account_id && restricted.has(p.id))
        byAccount.set(p.account_id, [...(byAccount.get(p.account_id) ?? []), p.id]);
    const needlesByContact = new Map<string, string[]>();
    for (const id of restricted) needlesByContact.set(id, await needlesOf(tx, tenantId, [id]));
    return rows.map((r) => {
      const who = byAccount.get(String(r.account_id)) ?? [];
      if (!who.length) return r;
      const needles = who.flatMap((id) => needlesByContact.get(id) ?? []);
      return {
        ...r,
        close_reason:
          typeof r.close_reason === 'string' && names(r.close_reason, needles) ? null : r.close_reason,
        custom: blankNaming(r.custom, needles),
      };
    });
  }
  return rows;
}

/** A restricted person's name (2+ characters), e-mail addresses and phones, lower-cased. */
async function needlesOf(tx: Tx, tenantId: string, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await tx
    .select({
      name: contacts.name,
      name_en: contacts.name_en,
      emails: contacts.emails,
      phones: contacts.phones,
    })
    .from(contacts)
    .where(and(eq(contacts.tenant_id, tenantId), inArray(contacts.id, ids)));
  const out = new Set<string>();
  for (const c of rows) {
    for (const n of [c.name, c.name_en]) if (n && n.trim().length >= 2) out.add(n.trim().toLowerCase());
    for (const n of identifierNeedles(c)) out.add(n.toLowerCase());
  }
  return [...out];
}

const names = (text: string, needles: readonly string[]) => {
  const low = text.toLowerCase();
  return needles.some((n) => low.includes(n));
};

/** Custom fields with every text that names a restricted person blanked (an export over-blanks rather than leaks). */
function blankNaming(custom: unknown, needles: readonly string[]): unknown {
  if (!custom || typeof custom !== 'object' || Array.isArray(custom)) return custom;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(custom)) out[k] = typeof v === 'string' && names(v, needles) ? null : v;
  return out;
}
