/**
 * Loading CSV files "as users export them" (Excel, Google Sheets, CRMs): comma/semicolon/tab
 * separated, optional UTF-8 BOM, CRLF or LF, quoted fields, and the common date and number
 * spellings. Values stay strings here; typing happens in column-types.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import Papa from 'papaparse';
import { DataError } from './data-error.js';

export interface CsvTable {
  columns: string[];
  rows: string[][];
  delimiter: string;
}

/** Spellings that mean "not filled in". "Select" is the untouched default of many web-form dropdowns. */
const MISSING = new Set(['', 'select', 'na', 'n/a', 'nan', 'null', '#n/a']);

export function isMissing(value: string | undefined): boolean {
  return value === undefined || MISSING.has(value.trim().toLowerCase());
}

/** Picks the delimiter that appears most often outside quotes in the header line. */
export function detectDelimiter(text: string): string {
  const candidates = [',', ';', '\t', '|'];
  const counts = new Map<string, number>(candidates.map((c) => [c, 0]));
  let inQuotes = false;
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
    else if (!inQuotes && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const c of candidates) if (counts.get(c)! > counts.get(best)!) best = c;
  return best;
}

export function parseCsvText(input: string): CsvTable {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (text.trim() === '') throw new DataError('file is empty');
  const delimiter = detectDelimiter(text);
  const parsed = Papa.parse<string[]>(text, { delimiter, skipEmptyLines: 'greedy' });
  const data = parsed.data;
  if (data.length === 0) throw new DataError('file is empty');
  const header = data[0].map((h) => h.trim());
  const body = data.slice(1);
  // Exports often end the header with a delimiter, which creates a nameless, empty column: drop it.
  const keep = header
    .map((name, j) => ({ name, j }))
    .filter(({ name, j }) => name !== '' || body.some((r) => !isMissing(r[j])));
  const seen = new Map<string, number>();
  const columns = keep.map(({ name, j }) => {
    const base = name || `column_${j + 1}`;
    const k = seen.get(base) ?? 0;
    seen.set(base, k + 1);
    return k ? `${base}_${k + 1}` : base;
  });
  const rows = body.map((r) => keep.map(({ j }) => (r[j] ?? '').trim()));
  return { columns, rows, delimiter };
}

export function readCsvFile(path: string): CsvTable {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new DataError(`file not found: ${path}`);
  }
  if (!isFile) throw new DataError(`not a file: ${path}`);
  return parseCsvText(readFileSync(path, 'utf8'));
}

export function columnIndex(table: CsvTable, name: string): number {
  const j = table.columns.indexOf(name);
  if (j >= 0) return j;
  // Users type column names loosely; accept a case/space-insensitive match when it is unambiguous.
  const norm = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');
  const matches = table.columns.flatMap((c, i) => (norm(c) === norm(name) ? [i] : []));
  if (matches.length === 1) return matches[0];
  throw new DataError(`column not found: "${name}" (have: ${table.columns.join(', ')})`);
}

export function columnValues(table: CsvTable, name: string): string[] {
  const j = columnIndex(table, name);
  return table.rows.map((r) => r[j]);
}

/**
 * Parses "1234.5", "1,234.5", "1.234,5", "1234,5", "$1,200", "12%". Returns NaN for anything else.
 * The last of '.'/',' is taken as the decimal mark when both occur; a lone ',' followed by exactly
 * three digits groups thousands, otherwise it is a decimal comma (semicolon-separated EU exports).
 */
export function parseNumber(raw: string): number {
  let s = raw
    .trim()
    .replace(/^[$€£¥]|[$€£¥]$/g, '')
    .replace(/%$/, '')
    .replace(/\s/g, '');
  if (s === '' || !/^[-+]?[\d.,]+(e[-+]?\d+)?$/i.test(s)) return Number.NaN;
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    s = lastComma > lastDot ? s.replace(/\./g, '').replace(',', '.') : s.replace(/,/g, '');
  } else if (lastComma >= 0) {
    s = /^[-+]?\d{1,3}(,\d{3})+$/.test(s) ? s.replace(/,/g, '') : s.replace(',', '.');
  }
  const v = Number(s);
  return Number.isFinite(v) ? v : Number.NaN;
}

/** Order of day and month in slash/dash dates with the year last. */
export type DayMonthOrder = 'mdy' | 'dmy';

const ISO_RE =
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const YEAR_LAST_RE = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

function utc(y: number, m: number, d: number, hh = 0, mm = 0, ss = 0): number {
  if (m < 1 || m > 12 || d < 1 || d > 31) return Number.NaN;
  const t = Date.UTC(y, m - 1, d, hh, mm, ss);
  // Reject roll-overs such as 31 April.
  return new Date(t).getUTCDate() === d ? t : Number.NaN;
}

/**
 * Parses a date to epoch milliseconds (UTC, wall-clock time ignored for zone). `order` resolves
 * 03/04/2018; callers detect it per column with detectDayMonthOrder. Two-digit years are 20xx
 * below 70, 19xx otherwise.
 */
export function parseDate(raw: string, order: DayMonthOrder = 'mdy'): number {
  const s = raw.trim();
  let m = ISO_RE.exec(s);
  if (m) return utc(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
  m = YEAR_LAST_RE.exec(s);
  if (m) {
    let y = +m[4];
    if (m[4].length === 2) y += y < 70 ? 2000 : 1900;
    const [a, b] = [+m[1], +m[3]];
    const [month, day] = order === 'mdy' ? [a, b] : [b, a];
    return utc(y, month, day, +(m[5] ?? 0), +(m[6] ?? 0), +(m[7] ?? 0));
  }
  return Number.NaN;
}

/**
 * Decides day/month order for a column of year-last dates: a first part above 12 proves
 * day-first, a second part above 12 proves month-first. Undecided columns follow the separator
 * convention: '/' is US month-first, '-' and '.' are European day-first (e.g. 05-02-2010).
 */
export function detectDayMonthOrder(values: readonly string[]): DayMonthOrder {
  let dayFirst = 0;
  let monthFirst = 0;
  let slash = 0;
  let other = 0;
  for (const v of values) {
    const m = YEAR_LAST_RE.exec(v.trim());
    if (!m) continue;
    if (+m[1] > 12) dayFirst++;
    if (+m[3] > 12) monthFirst++;
    if (m[2] === '/') slash++;
    else other++;
  }
  if (dayFirst !== monthFirst) return dayFirst > monthFirst ? 'dmy' : 'mdy';
  return slash >= other ? 'mdy' : 'dmy';
}

/** Parses a whole column of dates with one detected day/month order; missing → NaN. */
export function parseDateColumn(values: readonly string[]): number[] {
  const order = detectDayMonthOrder(values.filter((v) => !isMissing(v)));
  return values.map((v) => (isMissing(v) ? Number.NaN : parseDate(v, order)));
}
