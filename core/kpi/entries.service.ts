import { sql } from 'kysely';
import { isCalendarDate } from '../calendar/calendar-date.ts';
import { localDateKey } from '../calendar/working-time.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { canonicalSourceUrl } from '../incidents/url.ts';
import { usableMedia } from '../media/media.repository.ts';
import { KPI_FIRST_YEAR, KPI_LAST_YEAR } from './period.ts';

/** KPI 14: a unit of outdoor advertising (address, first and last day, a photo from the media store). */
export interface Placement {
  id: number;
  municipalityId: number;
  address: string;
  startsOn: string;
  endsOn: string;
  mediaId: number | null;
  createdAt: Date;
}

/** KPI 16: a publication about the platform (URL, outlet, date). */
export interface Publication {
  id: number;
  municipalityId: number;
  url: string;
  outlet: string;
  publishedOn: string;
  createdAt: Date;
}

function validDate(field: string, value: string): string {
  if (!isCalendarDate(value)) throw new DomainError('VALIDATION', { field, problem: 'expected a date YYYY-MM-DD' });
  // A mistyped year (0026, 2206) would put a unit on display in every month KPI 14 is asked for.
  const year = Number(value.slice(0, 4));
  if (year < KPI_FIRST_YEAR || year > KPI_LAST_YEAR) throw new DomainError('VALIDATION', { field, problem: `year out of range (${KPI_FIRST_YEAR} to ${KPI_LAST_YEAR})` });
  return value;
}

const dateText = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

/** A placement's address as kpi_placement_unit_key compares it (migration 2026-12-07T0502): written the same, for the conflict target. */
const PLACEMENT_ADDRESS_KEY = sql.raw(`lower(regexp_replace(btrim(address), '\\s+', ' ', 'g'))`);

export async function createPlacement(
  db: Db,
  input: { municipalityId: number; address: string; startsOn: string; endsOn: string; mediaId?: number | null; staffId: number },
  now: Date,
): Promise<Placement> {
  const address = input.address.trim();
  if (address.length === 0 || address.length > 500) throw new DomainError('VALIDATION', { field: 'address', problem: '1 to 500 characters' });
  const startsOn = validDate('startsOn', input.startsOn);
  const endsOn = validDate('endsOn', input.endsOn);
  if (endsOn < startsOn) throw new DomainError('VALIDATION', { field: 'endsOn', problem: 'before startsOn' });
  if (input.mediaId != null) {
    const media = await usableMedia(db, input.municipalityId, input.mediaId);
    if (media.kind !== 'image') throw new DomainError('VALIDATION', { field: 'mediaId', problem: 'the photo must be an image' });
  }
  // The same unit sent again (a retried form, or two sent in the same instant) would count twice
  // toward the 1–10 a month: the unique index kpi_placement_unit_key (the address compared without
  // case and extra spaces) lets one in, the other is ALREADY_EXISTS naming the first.
  const row = await db
    .insertInto('kpi_placement')
    .values({ municipality_id: input.municipalityId, address, starts_on: startsOn, ends_on: endsOn, media_id: input.mediaId ?? null, created_by: input.staffId, created_at: now })
    .onConflict((oc) => oc.expression(sql`municipality_id, starts_on, ends_on, (${PLACEMENT_ADDRESS_KEY})`).doNothing())
    .returning(['id', 'created_at'])
    .executeTakeFirst();
  if (!row) {
    const same = await db
      .selectFrom('kpi_placement')
      .select('id')
      .where('municipality_id', '=', input.municipalityId)
      .where('starts_on', '=', startsOn)
      .where('ends_on', '=', endsOn)
      .where(sql<boolean>`${PLACEMENT_ADDRESS_KEY} = lower(regexp_replace(btrim(${address}::text), '\\s+', ' ', 'g'))`)
      .executeTakeFirstOrThrow();
    throw new DomainError('ALREADY_EXISTS', { field: 'address', id: same.id });
  }
  return { id: row.id, municipalityId: input.municipalityId, address, startsOn, endsOn, mediaId: input.mediaId ?? null, createdAt: row.created_at };
}

export async function listPlacements(db: Db, municipalityId: number): Promise<Placement[]> {
  const rows = await db.selectFrom('kpi_placement').selectAll().where('municipality_id', '=', municipalityId).orderBy('starts_on', 'desc').orderBy('id', 'desc').limit(500).execute();
  return rows.map((r) => ({
    id: r.id,
    municipalityId: r.municipality_id,
    address: r.address,
    startsOn: dateText(r.starts_on),
    endsOn: dateText(r.ends_on),
    mediaId: r.media_id,
    createdAt: r.created_at,
  }));
}

export async function createPublication(db: Db, input: { municipalityId: number; url: string; outlet: string; publishedOn: string; staffId: number }, now: Date): Promise<Publication> {
  const outlet = input.outlet.trim();
  if (outlet.length === 0 || outlet.length > 300) throw new DomainError('VALIDATION', { field: 'outlet', problem: '1 to 300 characters' });
  let url: URL;
  try {
    url = new URL(input.url.trim());
  } catch {
    throw new DomainError('VALIDATION', { field: 'url', problem: 'expected an http(s) URL' });
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.href.length > 2000) throw new DomainError('VALIDATION', { field: 'url', problem: 'expected an http(s) URL' });
  const publishedOn = validDate('publishedOn', input.publishedOn);
  // KPI 16 counts a publication in the month of its date: one that has not appeared yet counts for nothing.
  const municipality = await db.selectFrom('municipality').select('time_zone').where('id', '=', input.municipalityId).executeTakeFirst();
  if (municipality && publishedOn > localDateKey(municipality.time_zone, now)) throw new DomainError('VALIDATION', { field: 'publishedOn', problem: 'in the future' });
  // Kept as given (an http-only site stays http); one canonical spelling per page (https, no www.,
  // trailing slash, fragment or utm_ tags) makes the same page sent again under another a repeat.
  const href = input.url.trim();
  const row = await db
    .insertInto('kpi_publication')
    .values({ municipality_id: input.municipalityId, url: href, canonical_url: canonicalSourceUrl(url.href), outlet, published_on: publishedOn, created_by: input.staffId, created_at: now })
    .onConflict((oc) => oc.columns(['municipality_id', 'canonical_url']).doNothing())
    .returning(['id', 'created_at'])
    .executeTakeFirst();
  if (!row) throw new DomainError('ALREADY_EXISTS', { field: 'url' });
  return { id: row.id, municipalityId: input.municipalityId, url: href, outlet, publishedOn, createdAt: row.created_at };
}

export async function listPublications(db: Db, municipalityId: number): Promise<Publication[]> {
  const rows = await db.selectFrom('kpi_publication').selectAll().where('municipality_id', '=', municipalityId).orderBy('published_on', 'desc').orderBy('id', 'desc').limit(500).execute();
  return rows.map((r) => ({ id: r.id, municipalityId: r.municipality_id, url: r.url, outlet: r.outlet, publishedOn: dateText(r.published_on), createdAt: r.created_at }));
}
