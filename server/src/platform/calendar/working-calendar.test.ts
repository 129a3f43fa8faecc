import { describe, expect, it } from 'vitest';
import {
  addCalendarMonths,
  addWorkingDays,
  addWorkingTime,
  DEFAULT_CALENDAR,
  isWorkingDay,
  localParts,
  unknownHolidayYears,
  workingCalendar,
  workingDaysBetween,
  workingTimeBetween,
  zonedInstant,
} from './working-calendar.js';

const cn = DEFAULT_CALENDAR;
/** An instant given as Beijing local time. */
const bj = (s: string) => new Date(`${s}+08:00`);

describe('working days on the Chinese calendar', () => {
  it('knows 国庆 2026: 10-01..10-07 off, 09-20 (Sunday) and 10-10 (Saturday) are 调休 working days', () => {
    for (let d = 1; d <= 7; d++) expect(isWorkingDay(`2026-10-0${d}`, cn)).toBe(false);
    expect(isWorkingDay('2026-09-20', cn)).toBe(true);
    expect(isWorkingDay('2026-10-10', cn)).toBe(true);
    expect(isWorkingDay('2026-10-11', cn)).toBe(false); // an ordinary Sunday
    expect(isWorkingDay('2026-10-08', cn)).toBe(true);
  });

  it('counts working days across the holiday and the make-up Saturday', () => {
    // Wed 30 Sep + 1 → Thu 8 Oct (the whole holiday skipped); + 3 → Sat 10 Oct (调休).
    expect(addWorkingDays('2026-09-30', 1, cn)).toBe('2026-10-08');
    expect(addWorkingDays('2026-09-30', 3, cn)).toBe('2026-10-10');
    expect(addWorkingDays('2026-09-30', 4, cn)).toBe('2026-10-12');
    // 15 working days from 25 Sep (Fri): 28,29,30 Sep, 8,9,10,12..16,19..22 Oct
    expect(addWorkingDays('2026-09-25', 15, cn)).toBe('2026-10-22');
    expect(addWorkingDays('2026-10-12', -3, cn)).toBe('2026-10-08');
    expect(workingDaysBetween('2026-09-30', '2026-10-12', cn)).toBe(4);
    expect(workingDaysBetween('2026-10-12', '2026-09-30', cn)).toBe(-4);
    // An instant counts from its Beijing day (23:30 UTC on 30 Sep is already 1 Oct in Beijing).
    expect(addWorkingDays(new Date('2026-09-30T23:30:00Z'), 1, cn)).toBe('2026-10-08');
  });

  it('counts across a month end', () => {
    expect(addWorkingDays('2026-01-29', 2, cn)).toBe('2026-02-02'); // Thu → Fri 30 → Mon 2 Feb
    expect(addWorkingDays('2026-06-30', 1, cn)).toBe('2026-07-01');
  });

  it('takes a tenant override: extra holidays and extra working days (a year the package does not know)', () => {
    const cal = workingCalendar({
      extraHolidays: ['2026-11-04', '2027-02-08'],
      extraWorkingDays: ['2026-11-07'],
    });
    expect(isWorkingDay('2026-11-04', cal)).toBe(false);
    expect(isWorkingDay('2026-11-07', cal)).toBe(true); // a Saturday made a working day
    expect(addWorkingDays('2026-11-03', 1, cal)).toBe('2026-11-05');
    expect(addWorkingDays('2026-11-05', 2, cal)).toBe('2026-11-07');
    expect(isWorkingDay('2027-02-08', cal)).toBe(false);
    expect(isWorkingDay('2027-02-09', cal)).toBe(true);
    // Without public holidays: Monday–Friday only.
    const plain = workingCalendar({ publicHolidays: false });
    expect(isWorkingDay('2026-10-01', plain)).toBe(true);
    expect(isWorkingDay('2026-10-10', plain)).toBe(false);
  });

  it('adds one calendar month clamped to the month end (GDPR)', () => {
    expect(addCalendarMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addCalendarMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addCalendarMonths('2026-03-15', 1)).toBe('2026-04-15');
    expect(addCalendarMonths('2026-11-30', 3)).toBe('2027-02-28');
    expect(addCalendarMonths('2026-12-31', 1)).toBe('2027-01-31');
  });
});

describe('working time', () => {
  it('maps instants to Beijing local time and back', () => {
    const at = zonedInstant('2026-10-09', 18 * 60, 'Asia/Shanghai');
    expect(at.toISOString()).toBe('2026-10-09T10:00:00.000Z');
    expect(localParts(at, 'Asia/Shanghai')).toEqual({ day: '2026-10-09', minute: 1080 });
  });

  it('adds working minutes over the lunch break, the evening and the holiday', () => {
    // 11:30 + 60 min: 30 before lunch, 30 after → 13:30
    expect(addWorkingTime(bj('2026-09-29T11:30:00'), 60, cn).toISOString()).toBe(
      bj('2026-09-29T13:30:00').toISOString(),
    );
    // 17:00 on 30 Sep + 120 min: 60 that day, then 8 Oct 09:00 + 60 → 10:00 on 8 Oct
    expect(addWorkingTime(bj('2026-09-30T17:00:00'), 120, cn).toISOString()).toBe(
      bj('2026-10-08T10:00:00').toISOString(),
    );
    // Ending exactly at 18:00 stays at 18:00
    expect(addWorkingTime(bj('2026-10-09T17:00:00'), 60, cn).toISOString()).toBe(
      bj('2026-10-09T18:00:00').toISOString(),
    );
    // A full working day (8 h) from Friday 9 Oct 18:00 → Saturday 10 Oct 18:00 (调休)
    expect(addWorkingTime(bj('2026-10-09T18:00:00'), 480, cn).toISOString()).toBe(
      bj('2026-10-10T18:00:00').toISOString(),
    );
    // No lunch break configured: 11:30 + 60 → 12:30
    const noLunch = workingCalendar({ lunch: null });
    expect(addWorkingTime(bj('2026-09-29T11:30:00'), 60, noLunch).toISOString()).toBe(
      bj('2026-09-29T12:30:00').toISOString(),
    );
  });

  it('measures working time between two instants', () => {
    expect(workingTimeBetween(bj('2026-09-30T17:00:00'), bj('2026-10-08T10:00:00'), cn)).toBe(120);
    expect(workingTimeBetween(bj('2026-10-08T10:00:00'), bj('2026-09-30T17:00:00'), cn)).toBe(-120);
    // A whole holiday week is no working time
    expect(workingTimeBetween(bj('2026-10-01T00:00:00'), bj('2026-10-08T00:00:00'), cn)).toBe(0);
    // Friday 9 Oct 08:00 → Monday 12 Oct 08:00: Friday 8 h + Saturday 10 Oct (调休) 8 h
    expect(workingTimeBetween(bj('2026-10-09T08:00:00'), bj('2026-10-12T08:00:00'), cn)).toBe(960);
    // Month end: Fri 30 Jan 2026 12:30 → Mon 2 Feb 09:30 = 5 h (13–18) + 30 min
    expect(workingTimeBetween(bj('2026-01-30T12:30:00'), bj('2026-02-02T09:30:00'), cn)).toBe(330);
  });

  it('names the years whose public holidays it does not know, until the tenant enters them', () => {
    expect(unknownHolidayYears('2026-12-20', '2026-12-31', cn)).toEqual([]);
    expect(unknownHolidayYears('2029-12-20', '2030-01-15', cn)).toEqual(
      [2029, 2030].filter((y) => y >= 2029),
    );
    const entered = workingCalendar({ extraHolidays: ['2030-01-01'] });
    expect(unknownHolidayYears('2030-01-01', '2030-01-15', entered)).toEqual([]);
    expect(
      unknownHolidayYears('2030-01-01', '2030-01-15', workingCalendar({ publicHolidays: false })),
    ).toEqual([]);
  });
});
