import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import type { PgColumn, PgInsertValue, PgTable } from 'drizzle-orm/pg-core';
import { execRows, type Tx } from './database.js';

const columnDefaults = new Map<string, Map<string, string | null>>();

async function defaultsOf(tx: Tx, tableName: string): Promise<Map<string, string | null>> {
  let defaults = columnDefaults.get(tableName);
  if (!defaults) {
    const rows = await execRows<{ column_name: string; column_default: string | null }>(
      tx,
      sql`select column_name, column_default from information_schema.columns
           where table_schema = 'public' and table_name = ${tableName}`,
    );
    defaults = new Map(rows.map((r) => [r.column_name, r.column_default]));
    columnDefaults.set(tableName, defaults);
  }
  return defaults;
}

/**
 * Inserts many rows with one statement per batch, sending each batch as a single JSON parameter
 * expanded by jsonb_to_recordset. Building a 1,000-row VALUES list with ~17,000 bind parameters
 * cost 3–4× more (measured: 20k accounts 1.8 s vs 0.5 s on PostgreSQL). Rows may omit keys; a
 * missing (or null) value takes the column's default when it has one. Returns the new ids in
 * input order.
 */
export async function insertRowsFast(
  tx: Tx,
  table: PgTable,
  rows: Record<string, unknown>[],
  batchSize = 1000,
): Promise<string[]> {
  if (rows.length === 0) return [];
  const tableName = getTableName(table);
  const columns = getTableColumns(table) as Record<string, { name: string; getSQLType(): string }>;
  const defaults = await defaultsOf(tx, tableName);
  const ids: string[] = [];
  for (let i = 0; i < rows.length; i += batchSize) {
    const chunk = rows.slice(i, i + batchSize);
    const keys = [...new Set(chunk.flatMap((r) => Object.keys(r)))].filter((k) => columns[k]);
    const typed = keys.map((k) => `"${columns[k].name}" ${columns[k].getSQLType()}`).join(', ');
    const target = keys.map((k) => `"${columns[k].name}"`).join(', ');
    const source = keys
      .map((k) => {
        const d = defaults.get(columns[k].name);
        return d ? `coalesce(x."${columns[k].name}", ${d})` : `x."${columns[k].name}"`;
      })
      .join(', ');
    // WITH ORDINALITY keeps the returned ids in input order.
    const inserted = await execRows<{ id: string }>(
      tx,
      sql`insert into ${sql.identifier(tableName)} (${sql.raw(target)})
          select ${sql.raw(source)}
            from rows from (jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as (${sql.raw(typed)}))
                 with ordinality as x(${sql.raw(target)}, ord)
           order by x.ord
          returning id`,
    );
    for (const r of inserted) ids.push(String(r.id));
  }
  return ids;
}

/**
 * Inserts rows, or overwrites every other column of the row that already has the same conflict
 * key (e.g. one current score per record), in batches.
 */
export async function upsertRows(
  tx: Tx,
  table: PgTable,
  rows: Record<string, unknown>[],
  conflictTarget: PgColumn[],
  batchSize = 500,
): Promise<void> {
  if (rows.length === 0) return;
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const targetNames = new Set(conflictTarget.map((c) => c.name));
  const set = Object.fromEntries(
    Object.keys(rows[0])
      .filter((k) => columns[k] && !targetNames.has(columns[k].name))
      .map((k) => [k, sql.raw(`excluded."${columns[k].name}"`)]),
  );
  for (let i = 0; i < rows.length; i += batchSize) {
    await tx
      .insert(table)
      .values(rows.slice(i, i + batchSize) as PgInsertValue<PgTable>[])
      .onConflictDoUpdate({ target: conflictTarget, set });
  }
}
