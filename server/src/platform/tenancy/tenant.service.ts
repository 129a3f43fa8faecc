import { eq } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { tenants } from './tenancy.schema.js';

export async function findTenantByName(database: Database, name: string) {
  const rows = await database.systemTx((tx) => tx.select().from(tenants).where(eq(tenants.name, name)));
  return rows[0];
}

/** Returns the tenant with this name, creating it (with defaults) when it does not exist. */
export async function ensureTenant(
  database: Database,
  name: string,
  defaults: { display_name?: string; default_locale?: string; default_currency?: string } = {},
) {
  const existing = await findTenantByName(database, name);
  if (existing) return { tenant: existing, created: false };
  const [tenant] = await database.systemTx((tx) =>
    tx
      .insert(tenants)
      .values({ name, ...defaults })
      .onConflictDoNothing()
      .returning(),
  );
  return { tenant: tenant ?? (await findTenantByName(database, name))!, created: Boolean(tenant) };
}
