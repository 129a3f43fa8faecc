import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import { unprocessable } from '../../platform/http/problem.js';
import { isErasedIdentity } from '../sovereignty/sovereignty-erasure-ledger.js';

/**
 * The re-import block of erased people (issue 13 item 5): a contact whose e-mail belongs to a
 * person erased in this tenant is not created again (contact create, update, import) until a
 * privacy manager lifts the block ("the person returned", POST /api/v1/privacy/erasure-blocks/lift).
 * crm calls this before writing a contact's e-mails; the ledger holds only salted hashes.
 */
export async function assertNotErased(tx: Tx, ctx: ActorContext, emails: unknown): Promise<void> {
  if (!Array.isArray(emails)) return;
  for (const [i, e] of emails.entries()) {
    if (typeof e !== 'string' || !e.trim()) continue;
    if (await isErasedIdentity(tx, ctx.tenantId, e))
      throw unprocessable(
        'This person asked for their data to be erased; a privacy manager must lift the block first',
        [{ field: `emails.${i}`, reason: 'belongs to an erased person' }],
      );
  }
}

/** The same for many rows at once (file import): the indexes of rows whose e-mail is blocked. */
export async function erasedRows(
  tx: Tx,
  tenantId: string,
  rows: { emails?: unknown }[],
): Promise<Set<number>> {
  const out = new Set<number>();
  for (const [i, r] of rows.entries())
    if (Array.isArray(r.emails))
      for (const e of r.emails)
        if (typeof e === 'string' && e.trim() && (await isErasedIdentity(tx, tenantId, e))) out.add(i);
  return out;
}
