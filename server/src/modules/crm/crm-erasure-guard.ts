import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import { unprocessable } from '../../platform/http/problem.js';
import { erasedEmailCheck } from '../sovereignty/sovereignty-erasure-ledger.js';

/**
 * The re-import block of erased people (issue 13 item 5): a contact whose e-mail belongs to a
 * person erased in this tenant is not created again (contact create, update, import) until a
 * privacy manager lifts the block ("the person returned", POST /api/v1/privacy/erasure-blocks/lift).
 * The ledger holds only salted hashes; the check hashes the address and compares.
 */

export const ERASED_REASON = 'belongs to an erased person';

/** Throws 422 naming the e-mail field when one of `emails` is blocked (contact create/update). */
export async function assertNotErased(tx: Tx, ctx: ActorContext, emails: unknown): Promise<void> {
  if (!Array.isArray(emails) || emails.length === 0) return;
  const blocked = await erasedEmailCheck(tx, ctx.tenantId);
  for (const [i, e] of emails.entries())
    if (typeof e === 'string' && blocked(e))
      throw unprocessable(
        'This person asked for their data to be erased; a privacy manager must lift the block first',
        [{ field: `emails.${i}`, reason: ERASED_REASON }],
      );
}

/**
 * For a file import: load once, then check each row in memory. Returns the row's field errors
 * (`emails` → 'belongs to an erased person'), empty when the row may be imported.
 */
export async function erasedRowCheck(
  tx: Tx,
  tenantId: string,
): Promise<(row: Record<string, unknown>) => { field: string; reason: string }[]> {
  const blocked = await erasedEmailCheck(tx, tenantId);
  return (row) => {
    const emails = row.emails;
    if (!Array.isArray(emails)) return [];
    return emails.some((e) => typeof e === 'string' && blocked(e))
      ? [{ field: 'emails', reason: ERASED_REASON }]
      : [];
  };
}
