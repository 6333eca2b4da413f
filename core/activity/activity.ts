import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns/addDays';
import { startOfDay } from 'date-fns/startOfDay';
import { sql } from 'kysely';
import type { Channel, Db } from '../db/types.ts';

/** Where a resident without a municipality (not registered yet) lives for the calendar: Kuzbass. */
export const DEFAULT_TIME_ZONE = 'Asia/Novokuznetsk';
/** Activity rows are kept at least two years (KPI 2 compares months year over year); pruned after three. */
export const ACTIVITY_RETENTION_DAYS = 3 * 366;

const spans = new Map<string, { format: Intl.DateTimeFormat; day: string; from: number; to: number }>();

/**
 * The calendar day of `at` in `timeZone`, 'YYYY-MM-DD'. Runs for every update, so each zone keeps
 * the latest day asked with its bounds: a time inside them costs a comparison, another one a
 * formatting and the bounds.
 */
export function localDay(at: Date, timeZone: string): string {
  return localDaySpan(at, timeZone).day;
}

/**
 * Whether `a` and `b` fall on the same local calendar day in `timeZone`. Only `a`'s day is looked up
 * (an update's "now", then a cache hit): `b`, a resident's previous visit, is compared with its bounds.
 */
export function sameLocalDay(a: Date, b: Date, timeZone: string): boolean {
  const span = localDaySpan(a, timeZone);
  const t = b.getTime();
  return t >= span.from && t < span.to;
}

function localDaySpan(at: Date, timeZone: string): { day: string; from: number; to: number } {
  const t = at.getTime();
  const cached = spans.get(timeZone);
  if (cached && t >= cached.from && t < cached.to) return cached;
  const format = cached?.format ?? new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const parts = format.formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  const day = `${part('year')}-${part('month')}-${part('day')}`;
  const { from, to } = localDayBounds(at, timeZone);
  // Should the bounds ever miss `at` (a zone whose clock jumps at midnight), keep the minute only:
  // an offset changes on a whole minute, so the day holds for it.
  const minute = t - (((t % 60_000) + 60_000) % 60_000);
  const fits = from.getTime() <= t && t < to.getTime();
  const span = { format, day, from: fits ? from.getTime() : minute, to: fits ? to.getTime() : minute + 60_000 };
  spans.set(timeZone, span);
  return span;
}

/** [start, end) of the local calendar day of `at` in `timeZone` (a day around a clock change is not 24 h). */
export function localDayBounds(at: Date, timeZone: string): { from: Date; to: Date } {
  const start = startOfDay(new TZDate(at.getTime(), timeZone));
  return { from: new Date(start.getTime()), to: new Date(addDays(start, 1).getTime()) };
}

const ZONE_TTL_MS = 10 * 60_000;
const zones = new Map<number, { zone: string; until: number }>();

/** A municipality's time zone, remembered for a few minutes (zones hardly ever change): no query per update. */
async function zoneOf(db: Db, municipalityId: number | null): Promise<string> {
  if (municipalityId === null) return DEFAULT_TIME_ZONE;
  const cached = zones.get(municipalityId);
  if (cached && cached.until > Date.now()) return cached.zone;
  const row = await db.selectFrom('municipality').select('time_zone').where('id', '=', municipalityId).executeTakeFirst();
  const zone = row?.time_zone ?? DEFAULT_TIME_ZONE;
  zones.set(municipalityId, { zone, until: Date.now() + ZONE_TTL_MS });
  return zone;
}

export interface Interaction {
  residentId: number;
  channel: Channel;
  municipalityId: number | null;
  at: Date;
  /** When this identity was last seen before now (absent for a first contact). */
  previousAt?: Date;
}

/**
 * Records the resident's first interaction of the local day on a channel (KPI 2: monthly audience).
 * Later interactions that day write nothing and cost no query: the day of the identity's previous
 * last_seen_at, already read by the caller, is compared here first. Idempotent (ON CONFLICT DO NOTHING).
 */
export async function recordActivity(db: Db, interaction: Interaction): Promise<boolean> {
  const zone = await zoneOf(db, interaction.municipalityId);
  const day = localDay(interaction.at, zone);
  if (interaction.previousAt && sameLocalDay(interaction.at, interaction.previousAt, zone)) return false;
  const result = await db
    .insertInto('resident_activity')
    .values({ resident_id: interaction.residentId, day, channel: interaction.channel, municipality_id: interaction.municipalityId, first_at: interaction.at })
    .onConflict((oc) => oc.columns(['resident_id', 'day', 'channel']).doNothing())
    .returning('resident_id')
    .executeTakeFirst();
  return result !== undefined;
}

/** Deletes activity older than the retention period (never a row younger than two years). */
export async function pruneActivity(db: Db, now: Date): Promise<{ activityPruned: number }> {
  const cutoff = localDay(new Date(now.getTime() - ACTIVITY_RETENTION_DAYS * 86_400_000), DEFAULT_TIME_ZONE);
  const result = await sql`DELETE FROM resident_activity WHERE day < ${cutoff}::date`.execute(db);
  return { activityPruned: Number(result.numAffectedRows ?? 0) };
}

/** Distinct active residents of a municipality between two local days (inclusive): KPI 2's numerator. */
export async function activeResidents(db: Db, municipalityId: number, fromDay: string, toDay: string): Promise<number> {
  const row = await sql<{ n: string }>`
    SELECT count(DISTINCT resident_id) AS n FROM resident_activity
    WHERE municipality_id = ${municipalityId} AND day BETWEEN ${fromDay}::date AND ${toDay}::date
  `.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}
