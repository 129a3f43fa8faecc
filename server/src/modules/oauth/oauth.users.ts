import { eq } from 'drizzle-orm';
import { users } from '../../platform/auth/auth.schema.js';
import type { Database } from '../../platform/db/database.js';

/** A user by id across tenants (the provider knows accounts by id only); undefined when there is none. */
export async function userById(database: Database, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await database.systemTx((tx) => tx.select().from(users).where(eq(users.id, id)));
  return row;
}
