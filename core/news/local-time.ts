import { TZDate } from '@date-fns/tz';
import { DomainError } from '../errors.ts';

export const REGION_TIME_ZONE = 'Asia/Novokuznetsk';

const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A time the API was given: an ISO timestamp with its offset (`2026-12-05T18:00:00+07:00`, `…Z`),
 * or a wall-clock time without one (`2026-12-05T18:00`), read in the municipality's time zone.
 * Throws VALIDATION naming `field` for anything else.
 */
export function parseApiTime(value: string, timeZone: string, field: string): Date {
  if (ZONED.test(value)) {
    const at = new Date(value);
    if (!Number.isNaN(at.getTime())) return at;
  }
  const local = LOCAL.exec(value);
  if (local) {
    const [, y, mo, d, h, mi, s] = local.map((part) => (part === undefined ? 0 : Number(part))) as number[];
    const at = new TZDate(y!, mo! - 1, d!, h!, mi!, s!, timeZone);
    // A date that does not exist (Feb 30) rolls over: refuse it rather than guess.
    if (at.getDate() === d && at.getMonth() === mo! - 1 && at.getHours() === h) return new Date(at.getTime());
  }
  throw new DomainError('VALIDATION', { field, problem: 'a date-time: ISO 8601 with an offset, or local "YYYY-MM-DDTHH:mm" in the municipality\'s time zone' });
}

export type AfishaPeriod = 'today' | 'weekend' | 'week';
export const AFISHA_PERIODS: readonly AfishaPeriod[] = ['today', 'weekend', 'week'];

/**
 * A period of «Афиша» as a UTC range, computed in the municipality's zone:
 * - `today`: from local midnight to the next one;
 * - `weekend`: Saturday 00:00 to Monday 00:00 of this week's weekend (the current one on a
 *   Saturday or Sunday);
 * - `week`: today and the next 6 days (7 local days from today's midnight).
 * Callers also drop events already over (end ≤ now).
 */
export function periodRange(period: AfishaPeriod, now: Date, timeZone: string): { from: Date; to: Date } {
  const local = new TZDate(now.getTime(), timeZone);
  const day = (offset: number) => new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + offset, timeZone);
  if (period === 'today') return { from: toDate(day(0)), to: toDate(day(1)) };
  if (period === 'week') return { from: toDate(day(0)), to: toDate(day(7)) };
  const weekday = local.getDay(); // 0 Sunday … 6 Saturday
  const toSaturday = weekday === 0 ? -1 : 6 - weekday;
  return { from: toDate(day(toSaturday)), to: toDate(day(toSaturday + 2)) };
}

function toDate(at: TZDate): Date {
  return new Date(at.getTime());
}

export async function timeZoneOf(db: import('../db/types.ts').Db, municipalityId: number | null): Promise<string> {
  if (municipalityId === null) return REGION_TIME_ZONE;
  const row = await db.selectFrom('municipality').select('time_zone').where('id', '=', municipalityId).executeTakeFirst();
  return row?.time_zone ?? REGION_TIME_ZONE;
}
