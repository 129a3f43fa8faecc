/**
 * Automatic column typing so `predict evaluate` works on any export without per-dataset code.
 * Typing looks only at the values (never the target), so it is safe to run on the whole file.
 */
import { type CsvTable, detectDayMonthOrder, isMissing, parseDate, parseNumber } from './csv-table.js';

export type ColumnKind = 'numeric' | 'categorical' | 'date' | 'text' | 'id' | 'constant';

export interface ColumnType {
  name: string;
  index: number;
  kind: ColumnKind;
  missingRate: number;
  distinct: number;
}

/** Share of non-missing values that must parse for a column to count as numeric or date. */
const PARSE_SHARE = 0.95;

export function inferColumnType(name: string, index: number, values: readonly string[]): ColumnType {
  const present = values.filter((v) => !isMissing(v));
  const missingRate = values.length ? 1 - present.length / values.length : 1;
  const distinctSet = new Set(present);
  const distinct = distinctSet.size;
  const base = { name, index, missingRate, distinct };
  if (distinct <= 1) return { ...base, kind: 'constant' };

  const numericShare = present.filter((v) => !Number.isNaN(parseNumber(v))).length / present.length;
  const uniqueRatio = distinct / present.length;
  if (numericShare >= PARSE_SHARE) {
    // Sequential or unique integer keys (Lead Number, customer_no) carry no generalisable signal.
    const allInts = present.every((v) => /^\d+$/.test(v.trim()));
    const idName = /(^|[\s_])(id|no|number|key|code)$/i.test(name.trim()) || /Id$/.test(name.trim());
    let monotone = true;
    for (let i = 1; i < present.length && monotone; i++) monotone = +present[i] > +present[i - 1];
    if (allInts && uniqueRatio > 0.98 && (idName || monotone)) return { ...base, kind: 'id' };
    return { ...base, kind: 'numeric' };
  }

  const order = detectDayMonthOrder(present);
  const dateShare = present.filter((v) => !Number.isNaN(parseDate(v, order))).length / present.length;
  if (dateShare >= PARSE_SHARE) return { ...base, kind: 'date' };

  const meanTokens = present.reduce((s, v) => s + v.split(/\s+/).length, 0) / present.length;
  if (meanTokens >= 4 && uniqueRatio > 0.3) return { ...base, kind: 'text' };
  // Nearly-unique short strings (UUIDs, emails, hashes) identify rows rather than describe them.
  if (uniqueRatio > 0.9 && present.length > 20) return { ...base, kind: 'id' };
  return { ...base, kind: 'categorical' };
}

export function inferColumnTypes(table: CsvTable, skip: readonly string[] = []): ColumnType[] {
  return table.columns.flatMap((name, j) =>
    skip.includes(name)
      ? []
      : [
          inferColumnType(
            name,
            j,
            table.rows.map((r) => r[j]),
          ),
        ],
  );
}
