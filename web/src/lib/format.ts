/** Locale-aware formatting (Intl) and Chinese-aware collation. */
export type Lang = 'zh-CN' | 'en';

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.Collator>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.Collator>(
  key: string,
  make: () => T,
): T {
  let v = cache.get(key) as T | undefined;
  if (!v) {
    v = make();
    cache.set(key, v);
  }
  return v;
}

export function formatMoney(
  amount: number | null | undefined,
  currency = 'CNY',
  lang: Lang = 'zh-CN',
  compact = false,
): string {
  if (amount === null || amount === undefined || Number.isNaN(amount)) return '—';
  const f = cached(
    `m:${lang}:${currency}:${compact}`,
    () =>
      new Intl.NumberFormat(lang, {
        style: 'currency',
        currency,
        currencyDisplay: 'narrowSymbol',
        minimumFractionDigits: 0,
        maximumFractionDigits: compact ? 1 : 0,
        notation: compact ? 'compact' : 'standard',
      }),
  );
  return (f as Intl.NumberFormat).format(amount);
}

export function formatNumber(n: number | null | undefined, lang: Lang = 'zh-CN', digits = 0): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return (
    cached(
      `n:${lang}:${digits}`,
      () => new Intl.NumberFormat(lang, { maximumFractionDigits: digits }),
    ) as Intl.NumberFormat
  ).format(n);
}

export function formatPercent(n: number | null | undefined, lang: Lang = 'zh-CN'): string {
  if (n === null || n === undefined) return '—';
  return (
    cached(
      `p:${lang}`,
      () => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }),
    ) as Intl.NumberFormat
  ).format(n / 100);
}

function toDate(v: string | Date | null | undefined): Date | null {
  if (!v) return null;
  if (v instanceof Date) return v;
  // Plain dates (YYYY-MM-DD) are calendar dates: don't shift them by time zone.
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const d = m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatDate(v: string | Date | null | undefined, lang: Lang = 'zh-CN'): string {
  const d = toDate(v);
  if (!d) return '—';
  return (
    cached(
      `d:${lang}`,
      () => new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'short', day: 'numeric' }),
    ) as Intl.DateTimeFormat
  ).format(d);
}

export function formatDateTime(v: string | Date | null | undefined, lang: Lang = 'zh-CN'): string {
  const d = toDate(v);
  if (!d) return '—';
  return (
    cached(
      `dt:${lang}`,
      () =>
        new Intl.DateTimeFormat(lang, {
          year: 'numeric',
          month: 'short',
          day: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
          hour12: false,
        }),
    ) as Intl.DateTimeFormat
  ).format(d);
}

export function formatMonth(v: string | Date, lang: Lang = 'zh-CN'): string {
  const d = toDate(v);
  if (!d) return '—';
  return (
    cached(
      `mo:${lang}`,
      () => new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'short' }),
    ) as Intl.DateTimeFormat
  ).format(d);
}

/** Collator that orders Chinese by pinyin (zh-CN) and mixes with Latin names naturally. */
export function collator(lang: Lang = 'zh-CN'): Intl.Collator {
  return cached(
    `c:${lang}`,
    () =>
      new Intl.Collator(lang === 'zh-CN' ? 'zh-CN' : ['en', 'zh-CN'], { numeric: true, sensitivity: 'base' }),
  ) as Intl.Collator;
}

export function sortByName<T>(
  rows: readonly T[],
  get: (r: T) => string | null | undefined,
  lang: Lang = 'zh-CN',
  desc = false,
): T[] {
  const c = collator(lang);
  const out = [...rows].sort((a, b) => c.compare(get(a) ?? '', get(b) ?? ''));
  return desc ? out.reverse() : out;
}

/** Case/width-insensitive contains for client-side filtering (Chinese and Latin). */
export function matches(haystack: string | null | undefined, needle: string): boolean {
  if (!needle) return true;
  if (!haystack) return false;
  return haystack.normalize('NFKC').toLowerCase().includes(needle.normalize('NFKC').toLowerCase().trim());
}
