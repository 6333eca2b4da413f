import type { Db } from '../db/types.ts';
import type { MessageStatus } from './message.table.ts';
import { boxAround, distanceMeters, type Point } from '../geo/geo.ts';

export const NEARBY_RADIUS_M = 150;

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
  const box = boxAround(input.point, radius);
  let query = db
    .selectFrom('message')
    .select(['id', 'text', 'status', 'lat', 'lon'])
    .select((eb) => eb.selectFrom('support').select(eb.fn.countAll<number>().as('n')).whereRef('support.message_id', '=', 'message.id').as('supporters'))
    .where('category_id', '=', input.categoryId)
    .where('published', '=', true)
    .where('status', 'in', ['new', 'in_work'])
    .where('lat', '>=', box.minLat)
    .where('lat', '<=', box.maxLat)
    .where('lon', '>=', box.minLon)
    .where('lon', '<=', box.maxLon);
  if (input.excludeAuthorId !== undefined) query = query.where((eb) => eb.or([eb('author_id', 'is', null), eb('author_id', '<>', input.excludeAuthorId!)]));
  const rows = await query.limit(200).execute();
  return rows
    .map((r) => ({ id: r.id, text: r.text, status: r.status, supporters: Number(r.supporters ?? 0), distanceM: distanceMeters(input.point, { lat: r.lat ?? Number.NaN, lon: r.lon ?? Number.NaN }) }))
    .filter((r) => r.distanceM <= radius)
    .sort((a, b) => a.distanceM - b.distanceM)
    .slice(0, input.limit ?? 3);
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
 * duplicate, since a duplicate cannot be an original). None for a message without a point.
 */
export async function duplicateCandidates(
  db: Db,
  message: { id: number; municipalityId: number; lat: number | null; lon: number | null },
  options: { radiusM?: number; limit?: number } = {},
): Promise<DuplicateCandidate[]> {
  if (message.lat === null || message.lon === null) return [];
  const point = { lat: message.lat, lon: message.lon };
  const radius = options.radiusM ?? NEARBY_RADIUS_M;
  const box = boxAround(point, radius);
  const rows = await db
    .selectFrom('message')
    .select(['id', 'text', 'status', 'category_id', 'created_at', 'lat', 'lon'])
    .where('municipality_id', '=', message.municipalityId)
    .where('id', '<>', message.id)
    .where('status', 'in', ['new', 'in_work'])
    .where('duplicate_of', 'is', null)
    .where('lat', '>=', box.minLat)
    .where('lat', '<=', box.maxLat)
    .where('lon', '>=', box.minLon)
    .where('lon', '<=', box.maxLon)
    .limit(200)
    .execute();
  return rows
    .map((r) => ({ id: r.id, text: r.text, status: r.status, categoryId: r.category_id, createdAt: r.created_at, distanceM: distanceMeters(point, { lat: r.lat ?? Number.NaN, lon: r.lon ?? Number.NaN }) }))
    .filter((r) => r.distanceM <= radius)
    .sort((a, b) => a.distanceM - b.distanceM || a.id - b.id)
    .slice(0, options.limit ?? 5);
}
