import type { Channel, Db } from '../core/db/types.ts';
import type { Point } from '../core/geo/geo.ts';
import type { MessageStatus } from '../core/messages/message.table.ts';
import { storedCell } from '../core/stats/h3.ts';
import { categoryId, registeredResident } from './residents.ts';

/** One message as a statistics test wants it, with every date given (UTC instants). */
export interface MessageSpec {
  municipalityId: number;
  category?: string;
  point: Point;
  status: MessageStatus;
  createdAt: string;
  acceptedAt?: string;
  firstIntermediateAt?: string;
  closedAt?: string;
  published?: boolean;
  channel?: Channel | null;
  openSource?: boolean;
  executorId?: number | null;
  stars?: number;
  text?: string;
  address?: string;
}

const at = (iso: string | undefined) => (iso === undefined ? null : new Date(iso));

/**
 * Writes messages straight into the tables (the lifecycle is tested elsewhere; statistics need
 * exact dates), each by its own registered resident, with its H3 cell and rating. Returns ids in order.
 */
export async function insertMessages(db: Db, specs: MessageSpec[]): Promise<number[]> {
  const ids: number[] = [];
  for (const s of specs) {
    const author = await registeredResident(db, { municipalityId: s.municipalityId, channel: s.channel ?? 'tg' });
    const created = new Date(s.createdAt);
    const { id } = await db
      .insertInto('message')
      .values({
        author_id: author,
        municipality_id: s.municipalityId,
        category_id: await categoryId(db, s.category ?? 'roads.pothole'),
        text: s.text ?? `Сообщение ${s.createdAt}`,
        address: s.address ?? null,
        lat: s.point.lat,
        lon: s.point.lon,
        status: s.status,
        published: s.published ?? false,
        channel: s.channel === undefined ? 'tg' : s.channel,
        open_source: s.openSource ?? false,
        executor_id: s.executorId ?? null,
        h3_r10: storedCell(s.point),
        created_at: created,
        accepted_at: at(s.acceptedAt),
        first_intermediate_at: at(s.firstIntermediateAt),
        closed_at: at(s.closedAt),
        updated_at: at(s.closedAt) ?? at(s.firstIntermediateAt) ?? at(s.acceptedAt) ?? created,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (s.stars !== undefined)
      await db
        .insertInto('rating')
        .values({ message_id: id, resident_id: author, stars: s.stars, complaint: null, created_at: at(s.closedAt) ?? created })
        .execute();
    ids.push(id);
  }
  return ids;
}

/** "Now" of the hand-built set: 1 December 2026, 10:00 in Kemerovo. */
export const STATS_NOW = new Date('2026-12-01T03:00:00Z');
/** Two points of Kemerovo in the same H3 cell at resolutions 5-7 and in different ones at 8-10. */
export const POINT_A = { lat: 55.3547, lon: 86.0873 };
export const POINT_B = { lat: 55.3447, lon: 86.0873 };

export interface HandBuiltSet {
  /** Kemerovo, point A: new, overdue in work, solved (24 h, ★5), explained (6 h, ★2), solved (10 h, ★4), in work with an intermediate (12 h), new filed 31 Oct 18:00 UTC (= 1 Nov locally). */
  a: number[];
  /** Kemerovo, point B: solved after 15 days without an intermediate (overdue, 360 h, ★1), rejected. */
  b: number[];
  /** Kemerovo, point A, filed 30 Nov 18:00 UTC = 1 Dec locally: outside November. */
  december: number;
  belovo: number;
  novokuznetsk: number;
  executors: { city: number; utility: number };
}

/**
 * The statistics tests' data, worked out by hand. For November (local) at STATS_NOW:
 * cell A (res 8): count 7, accepted 5, overdue 1 (0.2), solved 2 of 3 answered (0.6667),
 *   first answers 24, 6, 10, 12 h (median 11), stars 5, 2, 4 (mean 3.67);
 * cell B (res 8): count 2, accepted 1, overdue 1 (1), solved 1 of 1, median 360 h, mean ★1;
 * res 7 (A and B merged): count 9, overdue 2 of 6 (0.3333), solved 3 of 4 (0.75), median 12 h, mean ★3.
 */
export async function seedHandBuiltSet(db: Db, municipalities: { Kemerovo: number; Belovo: number; Novokuznetsk: number }): Promise<HandBuiltSet> {
  const K = municipalities.Kemerovo;
  const execs = await db.selectFrom('executor').select('id').where('municipality_id', '=', K).orderBy('id').execute();
  const executors = { city: execs[0]!.id, utility: execs[1]!.id };
  const a = await insertMessages(db, [
    { municipalityId: K, point: POINT_A, status: 'new', createdAt: '2026-11-20T05:00:00Z', text: 'Яма у дома 5' },
    { municipalityId: K, point: POINT_A, status: 'in_work', createdAt: '2026-11-01T02:00:00Z', acceptedAt: '2026-11-01T03:00:00Z', executorId: executors.city, channel: 'vk', published: true },
    {
      municipalityId: K,
      point: POINT_A,
      category: 'housing.yard',
      status: 'solved',
      createdAt: '2026-11-02T00:00:00Z',
      acceptedAt: '2026-11-02T01:00:00Z',
      closedAt: '2026-11-03T00:00:00Z',
      stars: 5,
      executorId: executors.city,
      published: true,
    },
    {
      municipalityId: K,
      point: POINT_A,
      status: 'explained',
      createdAt: '2026-11-05T00:00:00Z',
      acceptedAt: '2026-11-05T01:00:00Z',
      firstIntermediateAt: '2026-11-05T06:00:00Z',
      closedAt: '2026-11-08T00:00:00Z',
      stars: 2,
      executorId: executors.utility,
      openSource: true,
      channel: null,
    },
    {
      municipalityId: K,
      point: POINT_A,
      status: 'solved',
      createdAt: '2026-11-10T00:00:00Z',
      acceptedAt: '2026-11-10T01:00:00Z',
      closedAt: '2026-11-10T10:00:00Z',
      stars: 4,
      executorId: executors.city,
    },
    {
      municipalityId: K,
      point: POINT_A,
      status: 'in_work',
      createdAt: '2026-11-12T00:00:00Z',
      acceptedAt: '2026-11-12T01:00:00Z',
      firstIntermediateAt: '2026-11-12T12:00:00Z',
      executorId: executors.utility,
    },
    { municipalityId: K, point: POINT_A, status: 'new', createdAt: '2026-10-31T18:00:00Z' },
  ]);
  const b = await insertMessages(db, [
    {
      municipalityId: K,
      point: POINT_B,
      status: 'solved',
      createdAt: '2026-11-15T00:00:00Z',
      acceptedAt: '2026-11-15T00:00:00Z',
      closedAt: '2026-11-30T00:00:00Z',
      stars: 1,
      executorId: executors.city,
    },
    { municipalityId: K, point: POINT_B, status: 'rejected', createdAt: '2026-11-16T00:00:00Z', closedAt: '2026-11-16T01:00:00Z' },
  ]);
  const [december] = await insertMessages(db, [{ municipalityId: K, point: POINT_A, status: 'new', createdAt: '2026-11-30T18:00:00Z' }]);
  const [belovo] = await insertMessages(db, [
    { municipalityId: municipalities.Belovo, point: { lat: 54.4165, lon: 86.297 }, status: 'in_work', createdAt: '2026-11-20T00:00:00Z', acceptedAt: '2026-11-20T01:00:00Z', published: true },
  ]);
  const [novokuznetsk] = await insertMessages(db, [
    {
      municipalityId: municipalities.Novokuznetsk,
      point: { lat: 53.7574, lon: 87.136 },
      status: 'solved',
      createdAt: '2026-11-03T00:00:00Z',
      acceptedAt: '2026-11-03T01:00:00Z',
      closedAt: '2026-11-04T00:00:00Z',
      stars: 3,
      published: true,
    },
  ]);
  return { a, b, december: december!, belovo: belovo!, novokuznetsk: novokuznetsk!, executors };
}
