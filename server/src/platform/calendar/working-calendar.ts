import chineseDays from 'chinese-days';

/**
 * A working-day calendar: which days are working days (Chinese public holidays and 调休 make-up
 * working days from `chinese-days`, plus a tenant's own extra holidays and working days — e.g. a
 * year the package does not know yet) and the working hours of a working day in one time zone.
 * Business-free: legal clocks of privacy cases and SLAs of requirement cards both count on it.
 *
 * Days are 'YYYY-MM-DD' strings in the calendar's time zone; instants are Dates.
 */
export interface WorkingCalendar {
  /** IANA time zone the days and hours are in (default Asia/Shanghai). */
  timeZone: string;
  /** Start and end of the working day, 'HH:MM' (default 09:00–18:00). */
  workStart: string;
  workEnd: string;
  /** The lunch break inside the working day ('HH:MM'–'HH:MM'), or null for none. */
  lunch: { start: string; end: string } | null;
  /** Whether the Chinese public holidays and 调休 days apply (default true); otherwise Monday–Friday. */
  publicHolidays: boolean;
  /** Days off on top of the public calendar ('YYYY-MM-DD'). */
  extraHolidays: readonly string[];
  /** Working days on top of the public calendar ('YYYY-MM-DD'); wins over everything else. */
  extraWorkingDays: readonly string[];
}

export const DEFAULT_CALENDAR: WorkingCalendar = {
  timeZone: 'Asia/Shanghai',
  workStart: '09:00',
  workEnd: '18:00',
  lunch: { start: '12:00', end: '13:00' },
  publicHolidays: true,
  extraHolidays: [],
  extraWorkingDays: [],
};

/** A calendar from partial settings (missing ones take the defaults). */
export function workingCalendar(partial: Partial<WorkingCalendar> = {}): WorkingCalendar {
  return { ...DEFAULT_CALENDAR, ...partial };
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
const DAY_MS = 86_400_000;

export function isDay(s: string): boolean {
  if (!DAY_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function isClockTime(s: string): boolean {
  return TIME_RE.test(s);
}

/** Minutes since midnight of 'HH:MM'. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

// ---------- days ----------

/** The day `n` calendar days after `day` (negative: before). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Calendar days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/**
 * The same day `n` calendar months later, clamped to the month's last day (31 Jan + 1 month =
 * 28 Feb, or 29 in a leap year) — how a "one month" legal period is counted.
 */
export function addCalendarMonths(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const monthIndex = m - 1 + n;
  const year = y + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(d, last))).toISOString().slice(0, 10);
}

// ---------- time zones ----------

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local day and minute of the day (with fraction) of an instant in a time zone. */
export function localParts(at: Date, timeZone: string): { day: string; minute: number } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const minute =
    Number(parts.hour) * 60 +
    Number(parts.minute) +
    Number(parts.second) / 60 +
    (at.getTime() % 1000) / 60_000;
  return { day: `${parts.year}-${parts.month}-${parts.day}`, minute };
}

/** The local day of an instant. */
export function localDay(at: Date, timeZone: string): string {
  return localParts(at, timeZone).day;
}

/** The instant of a local day and minute of the day in a time zone. */
export function zonedInstant(day: string, minute: number, timeZone: string): Date {
  const naive = Date.parse(`${day}T00:00:00Z`) + minute * 60_000;
  let guess = naive;
  for (let i = 0; i < 3; i++) {
    const p = localParts(new Date(guess), timeZone);
    const shown = Date.parse(`${p.day}T00:00:00Z`) + p.minute * 60_000;
    const diff = naive - shown;
    if (Math.abs(diff) < 1) break;
    guess += diff;
  }
  return new Date(Math.round(guess));
}

function toDay(date: Date | string, cal: WorkingCalendar): string {
  return typeof date === 'string' ? date : localDay(date, cal.timeZone);
}

// ---------- working days ----------

/**
 * Years in [fromDay, toDay] whose public holidays and 调休 days the calendar does not know: the
 * published schedule is not in the bundled data yet (New Year's Day, a public holiday every year,
 * reads as a working day) and the tenant entered no extra holiday for that year. Deadlines in such
 * a year count its holidays as working days until someone enters them.
 */
export function unknownHolidayYears(fromDay: string, toDay: string, cal: WorkingCalendar): number[] {
  if (!cal.publicHolidays) return [];
  const out: number[] = [];
  for (let y = Number(fromDay.slice(0, 4)); y <= Number(toDay.slice(0, 4)); y++) {
    const known = chineseDays.getDayDetail(`${y}-01-01`).name.includes('元旦');
    const entered = cal.extraHolidays.some((d) => d.startsWith(`${y}-`));
    if (!known && !entered) out.push(y);
  }
  return out;
}

/**
 * Whether a day is a working day: a tenant's extra working day always is, an extra holiday never
 * is; otherwise the Chinese calendar (weekends off, public holidays off, 调休 weekends on), or
 * Monday–Friday when public holidays are off.
 */
export function isWorkingDay(date: Date | string, cal: WorkingCalendar = DEFAULT_CALENDAR): boolean {
  const day = toDay(date, cal);
  if (cal.extraWorkingDays.includes(day)) return true;
  if (cal.extraHolidays.includes(day)) return false;
  if (cal.publicHolidays) return chineseDays.isWorkday(day);
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The day `n` working days after `date` (its local day): 0 is the day itself, 1 the next working
 * day after it, … ; negative n counts back (−3: three working days before).
 */
export function addWorkingDays(
  date: Date | string,
  n: number,
  cal: WorkingCalendar = DEFAULT_CALENDAR,
): string {
  let day = toDay(date, cal);
  const step = n < 0 ? -1 : 1;
  let left = Math.abs(n);
  let guard = 0;
  while (left > 0) {
    day = addDays(day, step);
    if (isWorkingDay(day, cal)) left--;
    if (++guard > 366 * 20) throw new Error('No working days in the calendar');
  }
  return day;
}

/** Working days after `from` up to and including `to` (negative when `to` is before `from`). */
export function workingDaysBetween(
  from: string,
  to: string,
  cal: WorkingCalendar = DEFAULT_CALENDAR,
): number {
  if (to === from) return 0;
  const [a, b, sign] = to > from ? [from, to, 1] : [to, from, -1];
  let count = 0;
  for (let d = addDays(a, 1); d <= b; d = addDays(d, 1)) if (isWorkingDay(d, cal)) count++;
  return sign * count;
}

// ---------- working time ----------

/** The working intervals of a working day, in minutes of the day ([from, to) pairs). */
export function workingIntervals(cal: WorkingCalendar): [number, number][] {
  const start = minutesOf(cal.workStart);
  const end = minutesOf(cal.workEnd);
  if (end <= start) return [];
  if (!cal.lunch) return [[start, end]];
  const ls = Math.max(start, minutesOf(cal.lunch.start));
  const le = Math.min(end, minutesOf(cal.lunch.end));
  if (le <= ls) return [[start, end]];
  return [
    [start, ls],
    [le, end],
  ].filter(([a, b]) => b > a) as [number, number][];
}

/** Working minutes in one working day. */
export function workingMinutesPerDay(cal: WorkingCalendar): number {
  return workingIntervals(cal).reduce((s, [a, b]) => s + (b - a), 0);
}

/**
 * The instant `minutes` working minutes after `start` (counted only on working days, inside the
 * working hours, outside lunch). Ending exactly at the end of an interval gives that instant
 * (e.g. 18:00), not the next morning. 0 minutes gives `start`.
 */
export function addWorkingTime(start: Date, minutes: number, cal: WorkingCalendar = DEFAULT_CALENDAR): Date {
  if (minutes <= 0) return start;
  const intervals = workingIntervals(cal);
  if (intervals.length === 0) throw new Error('The calendar has no working hours');
  let { day, minute } = localParts(start, cal.timeZone);
  let left = minutes;
  let guard = 0;
  for (;;) {
    if (isWorkingDay(day, cal)) {
      for (const [a, b] of intervals) {
        if (minute >= b) continue;
        const from = Math.max(a, minute);
        const available = b - from;
        if (left <= available) return zonedInstant(day, from + left, cal.timeZone);
        left -= available;
        minute = b;
      }
    }
    day = addDays(day, 1);
    minute = 0;
    if (++guard > 366 * 20) throw new Error('No working days in the calendar');
  }
}

/** Working minutes between two instants (negative when b is before a). */
export function workingTimeBetween(a: Date, b: Date, cal: WorkingCalendar = DEFAULT_CALENDAR): number {
  if (b.getTime() < a.getTime()) return -workingTimeBetween(b, a, cal);
  const intervals = workingIntervals(cal);
  const from = localParts(a, cal.timeZone);
  const to = localParts(b, cal.timeZone);
  let total = 0;
  for (let day = from.day; day <= to.day; day = addDays(day, 1)) {
    if (!isWorkingDay(day, cal)) continue;
    const lo = day === from.day ? from.minute : 0;
    const hi = day === to.day ? to.minute : 24 * 60;
    for (const [s, e] of intervals) total += Math.max(0, Math.min(e, hi) - Math.max(s, lo));
  }
  return Math.round(total * 1000) / 1000;
}

/** The end of the working hours of a day, as an instant. */
export function endOfWorkingDay(day: string, cal: WorkingCalendar = DEFAULT_CALENDAR): Date {
  return zonedInstant(day, minutesOf(cal.workEnd), cal.timeZone);
}
