import { TZDate } from '@date-fns/tz';
import { nationalDay } from './production-calendar.ts';

/** Stored per municipality as JSON; every field optional, defaults below. */
export interface WorkCalendarConfig {
  workDays?: number[];          // ISO weekdays 1=Mon..7=Sun, default [1,2,3,4,5]
  start?: string;               // 'HH:MM' local, default '09:00'
  end?: string;                 // 'HH:MM' local, default '18:00'
  holidays?: string[];          // 'YYYY-MM-DD' local dates that are days off
  shortenedDays?: Record<string, string>; // 'YYYY-MM-DD' -> end time 'HH:MM' (pre-holiday short day)
  extraWorkDays?: string[];     // 'YYYY-MM-DD' weekend dates that are working days (Russian transfers)
  /** The official Russian production calendar (production-calendar.ts) applies unless false. */
  national?: boolean;
}
export interface WorkCalendar { timeZone: string; config: WorkCalendarConfig }

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
// A year and a bit with no working time at all can only be a broken config;
// stop there instead of looping forever.
const MAX_IDLE_DAYS = 400;

/** A local calendar day, held as UTC midnight so stepping by 24 h never hits DST. */
type Day = Date;
interface Interval { start: number; end: number }

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function dayKey(day: Day): string {
  return `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`;
}

function localDay(timeZone: string, at: Date): Day {
  const local = new TZDate(at.getTime(), timeZone);
  return new Date(Date.UTC(local.getFullYear(), local.getMonth(), local.getDate()));
}

function parseTime(value: string): [number, number] {
  const m = /^(\d{1,2}):(\d{2})$/.exec(value);
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59) throw new Error(`Invalid time '${value}', expected HH:MM`);
  return [Number(m[1]), Number(m[2])];
}

/** Instant of a local wall-clock time on `day`; TZDate resolves the zone offset (incl. DST). */
function instantOn(timeZone: string, day: Day, time: string): number {
  const [h, min] = parseTime(time);
  return new TZDate(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h, min, timeZone).getTime();
}

const NO_NATIONAL = { off: false, shortened: false, working: false };

/** Working interval of one local day, or null for a day off. */
function workInterval(cal: WorkCalendar, day: Day): Interval | null {
  const c = cal.config;
  const key = dayKey(day);
  const isoWeekday = day.getUTCDay() || 7;
  const national = c.national === false ? NO_NATIONAL : nationalDay(key);
  // The municipality's own holidays beat everything, its own transfers beat the national calendar;
  // national days off and transfers come next, then the working week.
  const local = (c.extraWorkDays ?? []).includes(key);
  const working = !(c.holidays ?? []).includes(key) &&
    (local || (!national.off && (national.working || (c.workDays ?? [1, 2, 3, 4, 5]).includes(isoWeekday))));
  if (!working) return null;
  const start = instantOn(cal.timeZone, day, c.start ?? '09:00');
  const ownEnd = c.shortenedDays?.[key];
  // A national pre-holiday day is one hour shorter than the municipality's usual day.
  const end = ownEnd
    ? instantOn(cal.timeZone, day, ownEnd)
    : instantOn(cal.timeZone, day, c.end ?? '18:00') - (national.shortened ? MS_PER_HOUR : 0);
  return end > start ? { start, end } : null;
}

function nextDay(day: Day): Day {
  return new Date(day.getTime() + MS_PER_DAY);
}

/**
 * The instant after `hours` of working time counted from `from`.
 * Outside working hours counting starts at the next working start; landing exactly
 * on the end of a day returns that end (the earliest instant), not the next morning.
 */
export function addWorkingHours(cal: WorkCalendar, from: Date, hours: number): Date {
  if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be a non-negative number, got ${hours}`);
  const c = cal.config;
  if ((c.workDays ?? [1, 2, 3, 4, 5]).length === 0 && (c.extraWorkDays ?? []).length === 0) {
    throw new Error('Work calendar has no working days');
  }
  let remaining = Math.round(hours * MS_PER_HOUR);
  if (remaining === 0) return new Date(from.getTime());
  const cursor = from.getTime();
  let idleDays = 0;
  for (let day = localDay(cal.timeZone, from); ; day = nextDay(day)) {
    const iv = workInterval(cal, day);
    if (iv && iv.end > cursor) {
      idleDays = 0;
      const segStart = Math.max(cursor, iv.start);
      if (remaining <= iv.end - segStart) return new Date(segStart + remaining);
      remaining -= iv.end - segStart;
    } else if (++idleDays > MAX_IDLE_DAYS) {
      throw new Error(`No working time within ${MAX_IDLE_DAYS} days; check the work calendar`);
    }
  }
}

/** Working time between two instants, in fractional hours; 0 if `to` <= `from`. */
export function workingHoursBetween(cal: WorkCalendar, from: Date, to: Date): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  const last = localDay(cal.timeZone, to).getTime();
  let total = 0;
  for (let day = localDay(cal.timeZone, from); day.getTime() <= last; day = nextDay(day)) {
    const iv = workInterval(cal, day);
    if (iv) total += Math.max(0, Math.min(b, iv.end) - Math.max(a, iv.start));
  }
  return total / MS_PER_HOUR;
}

/**
 * workingHoursBetween for many pairs of instants over one calendar (a ranking, a report): each local
 * day's working interval is worked out once and kept (resolving local times with TZDate costs tens of
 * microseconds, ~0.6 ms for a month-long span, which over the tens of thousands of messages a region
 * closes in a month took half a minute). The same result as workingHoursBetween: a working interval
 * lies within its local day (times run 00:00–24:00), and an instant's local day is its UTC day ±1, so
 * the days around those of `from` and `to` add nothing. Keep one meter for one request: it holds the
 * days it has seen and does not see later changes of the calendar or the national one.
 */
export function workingHoursMeter(cal: WorkCalendar): (from: Date, to: Date) => number {
  const days = new Map<number, Interval | null>();
  const intervalOf = (day: number): Interval | null => {
    let iv = days.get(day);
    if (iv === undefined) {
      iv = workInterval(cal, new Date(day));
      days.set(day, iv);
    }
    return iv;
  };
  return (from, to) => {
    const a = from.getTime();
    const b = to.getTime();
    if (b <= a) return 0;
    const last = Math.floor(b / MS_PER_DAY) * MS_PER_DAY + MS_PER_DAY;
    let total = 0;
    for (let day = Math.floor(a / MS_PER_DAY) * MS_PER_DAY - MS_PER_DAY; day <= last; day += MS_PER_DAY) {
      const iv = intervalOf(day);
      if (iv) total += Math.max(0, Math.min(b, iv.end) - Math.max(a, iv.start));
    }
    return total / MS_PER_HOUR;
  };
}

/** Whether `at` falls within working hours (start inclusive, end exclusive). */
export function isWorkingTime(cal: WorkCalendar, at: Date): boolean {
  const iv = workInterval(cal, localDay(cal.timeZone, at));
  const t = at.getTime();
  return iv !== null && t >= iv.start && t < iv.end;
}

/** Whether the local day of `at` is a working day (not a weekend, a holiday or a transferred day off). */
export function isWorkingDay(cal: WorkCalendar, at: Date): boolean {
  return workInterval(cal, localDay(cal.timeZone, at)) !== null;
}

/** 'YYYY-MM-DD' of `at` as seen in `timeZone`. */
export function localDateKey(timeZone: string, at: Date): string {
  return dayKey(localDay(timeZone, at));
}

/** Same local wall-clock time `days` calendar days later (not days * 24 h, which drifts over DST). */
export function addCalendarDays(timeZone: string, from: Date, days: number): Date {
  const local = new TZDate(from.getTime(), timeZone);
  local.setDate(local.getDate() + days);
  return new Date(local.getTime());
}

/** A year of a municipality's working time, as its officials read it: what differs from its working week. */
export interface CalendarYear {
  /** Days of the working week that are days off (holidays, transferred days off), 'YYYY-MM-DD'. */
  daysOff: string[];
  /** Days outside the working week that are working days (transfers). */
  workingWeekends: string[];
  /** Working days that end earlier than the usual end (pre-holiday days). */
  shortened: string[];
  /** How many working days the year has. */
  workingDays: number;
}

/** The national calendar and the municipality's own changes applied to one year (the same rules as the deadlines). */
export function calendarYear(cal: WorkCalendar, year: number): CalendarYear {
  const week = cal.config.workDays ?? [1, 2, 3, 4, 5];
  const result: CalendarYear = { daysOff: [], workingWeekends: [], shortened: [], workingDays: 0 };
  const last = Date.UTC(year, 11, 31);
  for (let day: Day = new Date(Date.UTC(year, 0, 1)); day.getTime() <= last; day = nextDay(day)) {
    const key = dayKey(day);
    const inWeek = week.includes(day.getUTCDay() || 7);
    const iv = workInterval(cal, day);
    if (!iv) {
      if (inWeek) result.daysOff.push(key);
      continue;
    }
    result.workingDays++;
    if (!inWeek) result.workingWeekends.push(key);
    if (iv.end < instantOn(cal.timeZone, day, cal.config.end ?? '18:00')) result.shortened.push(key);
  }
  return result;
}
