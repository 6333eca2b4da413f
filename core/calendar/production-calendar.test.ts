import { afterEach, describe, expect, it } from 'vitest';
import { nationalDay, productionYearProblem, resetProductionYears, SHIPPED_YEARS, useProductionYears } from './production-calendar.ts';
import { addWorkingHours, isWorkingTime, workingHoursBetween, type WorkCalendar } from './working-time.ts';

/** Issue 18 item 21: the official Russian production calendars, applied by default. */
const NK = 'Asia/Novokuznetsk';
const nk = (local: string) => new Date(`${local}:00+07:00`);
const plain: WorkCalendar = { timeZone: NK, config: {} };

afterEach(() => resetProductionYears());

/** Working days of a month by the calendar, as the official tables count them. */
function workingDays(cal: WorkCalendar, year: number, month: number): number {
  let n = 0;
  for (let d = 1; d <= 31; d++) {
    const date = new Date(Date.UTC(year, month - 1, d));
    if (date.getUTCMonth() !== month - 1) break;
    const key = date.toISOString().slice(0, 10);
    if (isWorkingTime(cal, nk(`${key}T12:00`))) n++;
  }
  return n;
}
const yearTotal = (year: number) => Array.from({ length: 12 }, (_, i) => workingDays(plain, year, i + 1)).reduce((a, b) => a + b, 0);

describe('the shipped production calendars', () => {
  it('are valid and cover 2025–2027', () => {
    expect(SHIPPED_YEARS.map((y) => y.year)).toEqual([2025, 2026, 2027]);
    for (const y of SHIPPED_YEARS) expect(productionYearProblem(y)).toBeNull();
  });

  it('give the official totals: 247 working days in 2025 and in 2026', () => {
    expect(yearTotal(2025)).toBe(247);
    expect(yearTotal(2026)).toBe(247);
    // 2025 by month (decree № 1335): January 17, May 18, June 19, November 19, December 22.
    expect([1, 5, 6, 11, 12].map((m) => workingDays(plain, 2025, m))).toEqual([17, 18, 19, 19, 22]);
  });

  it('apply by default: holidays, transferred days off, a working Saturday, shortened pre-holiday days', () => {
    // 2026: the New Year break runs to Sunday 11 January (Friday the 9th is a transferred day off).
    expect(addWorkingHours(plain, nk('2025-12-30T17:00'), 2)).toEqual(nk('2026-01-12T10:00'));
    expect(isWorkingTime(plain, nk('2026-01-09T12:00'))).toBe(false);
    expect(isWorkingTime(plain, nk('2026-12-31T12:00'))).toBe(false);
    // 2025: Saturday 1 November was a (shortened) working day, Monday 3 November a day off.
    expect(isWorkingTime(plain, nk('2025-11-01T12:00'))).toBe(true);
    expect(isWorkingTime(plain, nk('2025-11-01T17:30'))).toBe(false);
    expect(isWorkingTime(plain, nk('2025-11-03T12:00'))).toBe(false);
    // 30 April 2026 ends at 17:00: eight working hours that day.
    expect(workingHoursBetween(plain, nk('2026-04-30T00:00'), nk('2026-05-01T00:00'))).toBe(8);
    expect(nationalDay('2026-04-30')).toEqual({ off: false, shortened: true, working: false });
  });

  it("yields to the municipality's own days and can be switched off", () => {
    const own: WorkCalendar = { timeZone: NK, config: { extraWorkDays: ['2026-01-09'], shortenedDays: { '2026-04-30': '16:00' } } };
    expect(isWorkingTime(own, nk('2026-01-09T12:00'))).toBe(true);
    expect(workingHoursBetween(own, nk('2026-04-30T00:00'), nk('2026-05-01T00:00'))).toBe(7);
    const off: WorkCalendar = { timeZone: NK, config: { national: false } };
    expect(isWorkingTime(off, nk('2026-01-09T12:00'))).toBe(true);
  });

  it('takes an imported year over the shipped one', () => {
    expect(isWorkingTime(plain, nk('2027-11-05T12:00'))).toBe(true);
    useProductionYears([{ year: 2027, source: 'test decree', daysOff: ['2027-11-05'], shortened: [], workingWeekends: ['2027-11-13'] }]);
    expect(isWorkingTime(plain, nk('2027-11-05T12:00'))).toBe(false);
    expect(isWorkingTime(plain, nk('2027-11-13T12:00'))).toBe(true);
    // The imported year replaced the shipped one entirely.
    expect(isWorkingTime(plain, nk('2027-05-03T12:00'))).toBe(true);
  });

  it('refuses a year with foreign or contradictory dates', () => {
    expect(productionYearProblem({ year: 2028, source: 'x', daysOff: ['2029-01-01'], shortened: [], workingWeekends: [] })).toMatch(/not a day of 2028/);
    expect(productionYearProblem({ year: 2028, source: 'x', daysOff: ['2028-01-01'], shortened: [], workingWeekends: ['2028-01-01'] })).toMatch(/both/);
    // Date.parse takes 30 February as 2 March: an imported decree's typo must not move a holiday.
    expect(productionYearProblem({ year: 2028, source: 'x', daysOff: ['2028-02-30'], shortened: [], workingWeekends: [] })).toMatch(/2028-02-30 is not a day of 2028/);
    expect(productionYearProblem({ year: 2028, source: 'x', daysOff: ['2028-02-29'], shortened: [], workingWeekends: [] })).toBeNull();
  });
});
