import type { Db } from '../db/types.ts';
import type { Point } from '../geo/geo.ts';
import { insideBox, nearestWithin } from './nearby.ts';
import type { MessageStatus } from './message.table.ts';

/** How far "Problems near me" looks around a shared point. */
export const AROUND_RADIUS_M = 1000;
/** At most this many messages around a point are listed (nearest first). */
const AROUND_MAX = 200;

export interface PublishedMessage {
  id: number;
  text: string;
  status: MessageStatus;
  categoryId: number;
  municipalityId: number;
  address: string | null;
  createdAt: Date;
  supporters: number;
  /** Metres from the shared point; absent when listed by municipality. */
  distanceM?: number;
}

/**
 * Published messages residents may see ("Problems near me"), rejected ones left out: around a
 * point (an indexed bounding box, then the exact distance, nearest first) or in a municipality
 * (newest first). Paged; `total` counts them all. Nothing about their authors is read.
 */
export async function listPublished(
  db: Db,
  where: { point: Point; radiusM?: number } | { municipalityId: number },
  page: { offset: number; limit: number },
): Promise<{ items: PublishedMessage[]; total: number }> {
  const base = db
    .selectFrom('message')
    .select(['id', 'text', 'status', 'category_id', 'municipality_id', 'address', 'created_at', 'lat', 'lon'])
    .select((eb) => eb.selectFrom('support').select(eb.fn.countAll<number>().as('n')).whereRef('support.message_id', '=', 'message.id').as('supporters'))
    .where('published', '=', true)
    .where('status', '<>', 'rejected');
  const map = (r: Awaited<ReturnType<typeof base.execute>>[number]): PublishedMessage => ({
    id: r.id,
    text: r.text,
    status: r.status,
    categoryId: r.category_id,
    municipalityId: r.municipality_id,
    address: r.address,
    createdAt: r.created_at,
    supporters: Number(r.supporters ?? 0),
  });
  if ('municipalityId' in where) {
    const filtered = base.where('municipality_id', '=', where.municipalityId);
    const [rows, count] = await Promise.all([
      filtered.orderBy('created_at', 'desc').orderBy('id', 'desc').offset(page.offset).limit(page.limit).execute(),
      db
        .selectFrom('message')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('published', '=', true)
        .where('status', '<>', 'rejected')
        .where('municipality_id', '=', where.municipalityId)
        .executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(map), total: Number(count.n) };
  }
  const radius = where.radiusM ?? AROUND_RADIUS_M;
  const rows = await base.where(insideBox(where.point, radius)).execute();
  const all = nearestWithin(rows, where.point, radius, (a, b) => b.id - a.id)
    .slice(0, AROUND_MAX)
    .map((r) => ({ ...map(r), distanceM: r.distanceM }));
  return { items: all.slice(page.offset, page.offset + page.limit), total: all.length };
}

/** Whether the resident already supports the message. */
export async function supports(db: Db, residentId: number, messageId: number): Promise<boolean> {
  const row = await db.selectFrom('support').select('message_id').where('message_id', '=', messageId).where('resident_id', '=', residentId).executeTakeFirst();
  return row !== undefined;
}
