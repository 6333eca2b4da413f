import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Db } from '../db/types.ts';
import type { MessageStatus } from './message.table.ts';
import { boxAround, distanceMeters, type Point } from '../geo/geo.ts';

export const NEARBY_RADIUS_M = 150;

/**
 * A radius search's first half, in SQL: the message's point inside the box around `center` (the
 * lat/lon index does the work; messages without a point fall out).
 */
export function insideBox(center: Point, radiusM: number) {
  const box = boxAround(center, radiusM);
  return (eb: ExpressionBuilder<Database, 'message'>) =>
    eb.and([eb('lat', '>=', box.minLat), eb('lat', '<=', box.maxLat), eb('lon', '>=', box.minLon), eb('lon', '<=', box.maxLon)]);
}

/** Its second half, here: the rows within `radiusM` of `center`, each with its distance, nearest first. */
export function nearestWithin<R extends { lat: number | null; lon: number | null }>(
  rows: R[],
  center: Point,
  radiusM: number,
  tieBreak: (a: R, b: R) => number = () => 0,
): (R & { distanceM: number })[] {
  return rows
    .map((r) => ({ ...r, distanceM: distanceMeters(center, { lat: r.lat ?? Number.NaN, lon: r.lon ?? Number.NaN }) }))
    .filter((r) => r.distanceM <= radiusM)
    .sort((a, b) => a.distanceM - b.distanceM || tieBreak(a, b));
}

export interface NearbyMessage {
  id: number;
  text: string;
  status: string;
  distanceM: number;
  supporters: number;
}

/**
 * Open published messages of a category near a point, nearest first, for "support this one
 * instead": an indexed bounding-box prefilter, then the exact distance.
 */
export async function findNearby(
  db: Db,
  input: { categoryId: number; point: Point; radiusM?: number; limit?: number; excludeAuthorId?: number },
): Promise<NearbyMessage[]> {
  const radius = input.radiusM ?? NEARBY_RADIUS_M;
  let query = db
    .selectFrom('message')
    .select(['id', 'text', 'status', 'lat', 'lon'])
    .select((eb) => eb.selectFrom('support').select(eb.fn.countAll<number>().as('n')).whereRef('support.message_id', '=', 'message.id').as('supporters'))
    .where('category_id', '=', input.categoryId)
    .where('published', '=', true)
    .where('status', 'in', ['new', 'in_work'])
    .where(insideBox(input.point, radius));
  if (input.excludeAuthorId !== undefined) query = query.where((eb) => eb.or([eb('author_id', 'is', null), eb('author_id', '<>', input.excludeAuthorId!)]));
  const rows = await query.limit(200).execute();
  return nearestWithin(rows, input.point, radius)
    .slice(0, input.limit ?? 3)
    .map((r) => ({ id: r.id, text: r.text, status: r.status, supporters: Number(r.supporters ?? 0), distanceM: r.distanceM }));
}

export interface DuplicateCandidate {
  id: number;
  text: string;
  status: MessageStatus;
  categoryId: number;
  createdAt: Date;
  distanceM: number;
}

/**
 * Open messages of the same municipality near a message's point, nearest first: what a moderator
 * may mark it a duplicate of (any category, published or not; not the message itself, not a
 * duplicate, since a duplicate cannot be an original; for a message in work, only messages in
 * work, since one still on moderation cannot be its original). None for a message without a point.
 */
export async function duplicateCandidates(
  db: Db,
  message: { id: number; municipalityId: number; status: MessageStatus; lat: number | null; lon: number | null },
  options: { radiusM?: number; limit?: number } = {},
): Promise<DuplicateCandidate[]> {
  if (message.lat === null || message.lon === null) return [];
  const point = { lat: message.lat, lon: message.lon };
  const radius = options.radiusM ?? NEARBY_RADIUS_M;
  const rows = await db
    .selectFrom('message')
    .select(['id', 'text', 'status', 'category_id', 'created_at', 'lat', 'lon'])
    .where('municipality_id', '=', message.municipalityId)
    .where('id', '<>', message.id)
    .where('status', 'in', message.status === 'in_work' ? ['in_work'] : ['new', 'in_work'])
    .where('duplicate_of', 'is', null)
    .where(insideBox(point, radius))
    .limit(200)
    .execute();
  return nearestWithin(rows, point, radius, (a, b) => a.id - b.id)
    .slice(0, options.limit ?? 5)
    .map((r) => ({ id: r.id, text: r.text, status: r.status, categoryId: r.category_id, createdAt: r.created_at, distanceM: r.distanceM }));
}
