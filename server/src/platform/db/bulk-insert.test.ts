import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/test-database.js';
import { accounts } from '../../modules/crm/crm.schema.js';
import { ensureTenant } from '../tenancy/tenant.service.js';
import { insertRowsFast } from './bulk-insert.js';
import type { Database } from './database.js';

let db: Database;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ database: db, cleanup } = await openTestDatabase());
});
afterAll(async () => cleanup?.());

describe('insertRowsFast', () => {
  it('returns ids in input order across batches and applies column defaults to missing keys', async () => {
    const { tenant } = await ensureTenant(db, 'bulk');
    const rows = Array.from({ length: 25 }, (_, i) => ({
      tenant_id: tenant.id,
      name: `客户 ${i}`,
      ...(i % 2 === 0 ? { tags: ['偶数'], employees: i } : {}),
    }));
    const ids = await db.tenantTx(tenant.id, (tx) => insertRowsFast(tx, accounts, rows, 10));
    expect(ids).toHaveLength(25);
    const stored = await db.tenantTx(tenant.id, (tx) =>
      tx.select().from(accounts).where(inArray(accounts.id, ids)),
    );
    const byId = new Map(stored.map((r) => [r.id, r]));
    ids.forEach((id, i) => {
      const r = byId.get(id)!;
      expect(r.name).toBe(`客户 ${i}`);
      expect(r.tags).toEqual(i % 2 === 0 ? ['偶数'] : []);
      expect(r.employees).toBe(i % 2 === 0 ? i : null);
      expect(r.custom).toEqual({});
      expect(r.created_at).toBeInstanceOf(Date);
    });
  });
});
