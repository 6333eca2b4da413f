import { TZDate } from '@date-fns/tz';
import { DomainError } from '../errors.ts';

/**
 * A calendar period named the way officials say it: a year `2026`, a month `2026-11`, an ISO week
 * `2026-W48` or a day `2026-11-05`. It is a local period: its instants depend on the
 * municipality's time zone, so it is resolved per zone (a region may in principle span several).
 */
export const PERIOD_PATTERN = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-W(\d{2}))?$/;

export interface LocalRange {
  /** First local day, as a UTC-midnight date carrying the calendar date. */
  start: { year: number; month: number; day: number };
  /** Days in the period. */
  days: number;
}

const DAY_MS = 86_400_000;

/** Date.UTC, but years below 100 stay themselves (Date.UTC reads 50 as 1950). */
function utcMs(year: number, monthIndex: number, day: number): number {
  const at = new Date(0);
  at.setUTCFullYear(year, monthIndex, day);
  return at.getTime();
}

/** Local midnight of a day in `timeZone` as an instant; years below 100 stay themselves, as in utcMs. */
function localMidnight(year: number, monthIndex: number, day: number, timeZone: string): Date {
  const at = new TZDate(year, monthIndex, day, timeZone);
  if (year < 100) at.setFullYear(year, monthIndex, day);
  return new Date(at.getTime());
}

function calendarDate(ms: number) {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * Parses a period; throws VALIDATION for a malformed or impossible one (2026-13, 2026-W54), and for
 * an ISO week when `isoWeeks` is false (Open311's w3 dates have none).
 */
export function parsePeriod(text: string, { isoWeeks = true }: { isoWeeks?: boolean } = {}): LocalRange {
  const m = PERIOD_PATTERN.exec(text);
  const bad = () => new DomainError('VALIDATION', { field: 'period', problem: isoWeeks ? 'expected YYYY, YYYY-MM, YYYY-Www or YYYY-MM-DD' : 'expected YYYY, YYYY-MM or YYYY-MM-DD' });
  if (!m || (!isoWeeks && m[4] !== undefined)) throw bad();
  const year = Number(m[1]);
  if (m[4] !== undefined) {
    const week = Number(m[4]);
    // ISO week 1 holds 4 January; a year has 53 weeks when 28 December falls in week 53.
    const jan4 = utcMs(year, 0, 4);
    const monday1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
    const dec28 = utcMs(year, 11, 28);
    const weeks = Math.floor((dec28 - monday1) / (7 * DAY_MS)) + 1;
    if (week < 1 || week > weeks) throw bad();
    return { start: calendarDate(monday1 + (week - 1) * 7 * DAY_MS), days: 7 };
  }
  if (m[2] === undefined) {
    const days = (utcMs(year + 1, 0, 1) - utcMs(year, 0, 1)) / DAY_MS;
    return { start: { year, month: 1, day: 1 }, days };
  }
  const month = Number(m[2]);
  if (month < 1 || month > 12) throw bad();
  if (m[3] === undefined) {
    const days = (utcMs(year, month, 1) - utcMs(year, month - 1, 1)) / DAY_MS;
    return { start: { year, month, day: 1 }, days };
  }
  const day = Number(m[3]);
  const ms = utcMs(year, month - 1, day);
  const check = calendarDate(ms);
  if (check.month !== month || check.day !== day) throw bad();
  return { start: { year, month, day }, days: 1 };
}

/** The instants [from, to) of a local period in a time zone (local midnight to local midnight). */
export function periodInstants(range: LocalRange, timeZone: string): { from: Date; to: Date } {
  const { year, month, day } = range.start;
  return { from: localMidnight(year, month - 1, day, timeZone), to: localMidnight(year, month - 1, day + range.days, timeZone) };
}
