import { COMMITTEE_ROLES } from './types';

/** Groups contacts by buying-committee role; roles in COMMITTEE_ROLES without anyone are reported missing. */
export function groupCommittee<C extends { committee_role: string | null }>(
  contacts: readonly C[],
): { groups: { role: string; contacts: C[] }[]; missing: string[] } {
  const by = new Map<string, C[]>();
  for (const c of contacts) {
    const role = c.committee_role ?? 'other';
    if (!by.has(role)) by.set(role, []);
    by.get(role)!.push(c);
  }
  const order = [...COMMITTEE_ROLES, 'other'];
  const groups = order.filter((r) => by.has(r)).map((role) => ({ role, contacts: by.get(role)! }));
  for (const [role, list] of by) if (!order.includes(role)) groups.push({ role, contacts: list });
  const missing = COMMITTEE_ROLES.filter((r) => !by.has(r));
  return { groups, missing };
}
