import { cellToParent, latLngToCell } from 'h3-js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { POINT_A, POINT_B, seedHandBuiltSet, STATS_NOW, type HandBuiltSet } from '../../test/stats.ts';
import { categoryId, registeredResident } from '../../test/residents.ts';
import { fileMessage } from '../messages/filing.service.ts';
import { fillMessageCells } from './cells.ts';
import { MAX_POINTS, heatmapCells, heatmapPoints, REGION_SCOPE } from './heatmap.ts';
import { parentCellSql, storedCell } from './h3.ts';

let t: TestDatabase;
let set: HandBuiltSet;
const now = STATS_NOW;
const kemerovoScope = () => ({ municipalityId: t.demo.municipalities.Kemerovo, executorId: null });

beforeAll(async () => {
  t = await createTestDatabase();
  set = await seedHandBuiltSet(t.db, t.demo.municipalities);
});
afterAll(() => t.close());

describe('H3 cells', () => {
  it('the SQL parent of a stored cell is h3-js cellToParent at every resolution 0-10', async () => {
    const points = Array.from({ length: 40 }, (_, i) => ({ lat: 53.2 + ((i * 0.071) % 3.1), lon: 84.5 + ((i * 0.137) % 4.2) }));
    for (const p of points) {
      const stored = storedCell(p);
      const cell10 = latLngToCell(p.lat, p.lon, 10);
      expect(BigInt(stored).toString(16)).toBe(cell10);
      const row = await sql<Record<string, string>>`SELECT ${sql.join(Array.from({ length: 11 }, (_, r) => sql`to_hex(${parentCellSql(sql`${stored}::bigint`, r)}) AS ${sql.ref(`r${r}`)}`))}`.execute(
        t.db,
      );
      for (let r = 0; r <= 10; r++) expect(row.rows[0]![`r${r}`], `res ${r}`).toBe(cellToParent(cell10, r));
    }
  });

  it("filing stores the cell of the message's point", async () => {
    const resident = await registeredResident(t.db, { municipalityId: t.demo.municipalities.Kemerovo, now });
    const { message } = await fileMessage(t.db, { residentId: resident, categoryId: await categoryId(t.db, 'roads.pothole'), text: 'Яма', point: POINT_B, channel: 'tg' }, now);
    const row = await t.db.selectFrom('message').select(sql<string>`to_hex(h3_r10)`.as('cell')).where('id', '=', message.id).executeTakeFirstOrThrow();
    expect(row.cell).toBe(latLngToCell(POINT_B.lat, POINT_B.lon, 10));
    await t.db.deleteFrom('message_event').where('message_id', '=', message.id).execute();
    await t.db.deleteFrom('message').where('id', '=', message.id).execute();
  });

  it('messages written without a cell are counted as unplaced, then filled in batches', async () => {
    await t.db.updateTable('message').set({ h3_r10: null }).where('id', 'in', set.b).execute();
    const before = await heatmapCells(t.db, kemerovoScope(), { period: '2026-11' }, 8, now);
    expect(before.unplaced).toBe(2);
    expect(before.cells.map((c) => c.count)).toEqual([7]);
    expect(await fillMessageCells(t.db, 1)).toBe(1);
    expect(await fillMessageCells(t.db)).toBe(1);
    expect(await fillMessageCells(t.db)).toBe(0);
    const after = await heatmapCells(t.db, kemerovoScope(), { period: '2026-11' }, 8, now);
    expect(after.unplaced).toBe(0);
    expect(after.cells.map((c) => c.count).sort()).toEqual([2, 7]);
  });
});

describe('messages without a point', () => {
  it('are off the map: neither in a cell nor counted as unplaced (no cell will ever be filled in for them)', async () => {
    const id = set.b[0]!;
    const saved = await t.db.selectFrom('message').select(['lat', 'lon', 'h3_r10']).where('id', '=', id).executeTakeFirstOrThrow();
    // An open-source item accepted without a point (POST /incidents/{id}/accept): "off the map".
    await t.db.updateTable('message').set({ lat: null, lon: null, h3_r10: null }).where('id', '=', id).execute();
    try {
      const { cells, unplaced } = await heatmapCells(t.db, kemerovoScope(), { period: '2026-11' }, 8, now);
      expect(unplaced).toBe(0);
      expect(cells.map((c) => c.count).sort()).toEqual([1, 7]);
      expect(await fillMessageCells(t.db)).toBe(0);
    } finally {
      await t.db.updateTable('message').set(saved).where('id', '=', id).execute();
    }
  });
});

describe('stars mirrored onto the message', () => {
  it('the rating trigger keeps message.rating_stars equal to the rating, whatever writes it', async () => {
    const id = set.a[0]!;
    const stars = async () => (await t.db.selectFrom('message').select('rating_stars').where('id', '=', id).executeTakeFirstOrThrow()).rating_stars;
    const author = (await t.db.selectFrom('message').select('author_id').where('id', '=', id).executeTakeFirstOrThrow()).author_id!;
    expect(await stars()).toBeNull();
    await t.db.insertInto('rating').values({ message_id: id, resident_id: author, stars: 3, complaint: null, created_at: now }).execute();
    expect(await stars()).toBe(3);
    await t.db.updateTable('rating').set({ stars: 4 }).where('message_id', '=', id).execute();
    expect(await stars()).toBe(4);
    // And when they were given: a month's figures count only the stars given within it.
    const ratedAt = async () => (await t.db.selectFrom('message').select('rated_at').where('id', '=', id).executeTakeFirstOrThrow()).rated_at;
    expect(await ratedAt()).toEqual(now);
    await t.db.deleteFrom('rating').where('message_id', '=', id).execute();
    expect(await stars()).toBeNull();
    expect(await ratedAt()).toBeNull();
  });
});

describe('heat map cells: the arithmetic on the hand-built set', () => {
  it('resolution 8: cells A and B with count, overdue share, median hours to first answer, mean rating', async () => {
    const { cells, unplaced } = await heatmapCells(t.db, kemerovoScope(), { period: '2026-11' }, 8, now);
    expect(unplaced).toBe(0);
    const byCell = new Map(cells.map((c) => [c.cell, c]));
    expect(byCell.get(latLngToCell(POINT_A.lat, POINT_A.lon, 8))).toEqual({
      cell: latLngToCell(POINT_A.lat, POINT_A.lon, 8),
      count: 7,
      overdue: 1,
      accepted: 5,
      overdueShare: 0.2,
      solvedShare: 0.6667,
      medianFirstAnswerHours: 11,
      avgRating: 3.67,
    });
    expect(byCell.get(latLngToCell(POINT_B.lat, POINT_B.lon, 8))).toEqual({
      cell: latLngToCell(POINT_B.lat, POINT_B.lon, 8),
      count: 2,
      overdue: 1,
      accepted: 1,
      overdueShare: 1,
      solvedShare: 1,
      medianFirstAnswerHours: 360,
      avgRating: 1,
    });
    expect(cells).toHaveLength(2);
  });

  it('resolution 7 rolls A and B up into one cell', async () => {
    const { cells } = await heatmapCells(t.db, kemerovoScope(), { period: '2026-11' }, 7, now);
    expect(cells).toEqual([{ cell: latLngToCell(POINT_A.lat, POINT_A.lon, 7), count: 9, overdue: 2, accepted: 6, overdueShare: 0.3333, solvedShare: 0.75, medianFirstAnswerHours: 12, avgRating: 3 }]);
  });

  it("the month is Kemerovo's: 31 Oct 18:00 UTC is in November, 30 Nov 18:00 UTC is not", async () => {
    const nov = await heatmapPoints(t.db, kemerovoScope(), { period: '2026-11' }, {}, now);
    expect(nov.points.map((p) => p.id)).toContain(set.a[6]);
    expect(nov.points.map((p) => p.id)).not.toContain(set.december);
    const dec = await heatmapPoints(t.db, kemerovoScope(), { period: '2026-12' }, {}, now);
    expect(dec.points.map((p) => p.id)).toEqual([set.december]);
  });

  it('filters: status, source, sector, category, overdue only', async () => {
    const ids = async (filter: Parameters<typeof heatmapPoints>[2]) => (await heatmapPoints(t.db, kemerovoScope(), { period: '2026-11', ...filter }, {}, now)).points.map((p) => p.id);
    expect(await ids({ status: ['solved'] })).toEqual([set.a[2], set.a[4], set.b[0]]);
    expect(await ids({ source: ['vk'] })).toEqual([set.a[1]]);
    expect(await ids({ source: ['open_source'] })).toEqual([set.a[3]]);
    expect(await ids({ overdue: true })).toEqual([set.a[1], set.b[0]]);
    const housing = (await t.db.selectFrom('sector').select('id').where('code', '=', 'housing').executeTakeFirstOrThrow()).id;
    expect(await ids({ sectorId: housing })).toEqual([set.a[2]]);
    expect(await ids({ categoryId: await categoryId(t.db, 'housing.yard') })).toEqual([set.a[2]]);
  });
});

describe('heat map points', () => {
  it('carry the dates, the overdue flag and the rating of each message', async () => {
    const { points } = await heatmapPoints(t.db, kemerovoScope(), { period: '2026-11' }, {}, now);
    const k4 = points.find((p) => p.id === set.a[3])!;
    expect(k4).toMatchObject({ status: 'explained', source: 'open_source', overdue: false, rating: 2, lat: POINT_A.lat, lon: POINT_A.lon });
    expect(k4.firstAnswerAt!.toISOString()).toBe('2026-11-05T06:00:00.000Z');
    expect(k4.closedAt!.toISOString()).toBe('2026-11-08T00:00:00.000Z');
    const k7 = points.find((p) => p.id === set.b[0])!;
    expect(k7).toMatchObject({ status: 'solved', overdue: true, rating: 1 });
    expect(points.find((p) => p.id === set.a[0])).toMatchObject({ overdue: false, rating: null, firstAnswerAt: null });
  });

  it('page by cursor in id order, never more than the limit', async () => {
    const first = await heatmapPoints(t.db, kemerovoScope(), {}, { limit: 4 }, now);
    expect(first.points).toHaveLength(4);
    expect(first.nextCursor).not.toBeNull();
    const second = await heatmapPoints(t.db, kemerovoScope(), {}, { limit: 4, cursor: first.nextCursor! }, now);
    const third = await heatmapPoints(t.db, kemerovoScope(), {}, { limit: 4, cursor: second.nextCursor! }, now);
    expect(third.nextCursor).toBeNull();
    const all = [...first.points, ...second.points, ...third.points].map((p) => p.id);
    expect(all).toEqual([...set.a, ...set.b, set.december]);
    expect((await heatmapPoints(t.db, kemerovoScope(), {}, { limit: 50_000 }, now)).points.length).toBeLessThanOrEqual(MAX_POINTS);
  });

  it('scope: Kemerovo never sees Belovo; an executor sees only its own; the region sees all', async () => {
    const kemerovo = await heatmapPoints(t.db, kemerovoScope(), {}, {}, now);
    expect(kemerovo.points.map((p) => p.id)).not.toContain(set.belovo);
    expect(kemerovo.points.every((p) => p.municipalityId === t.demo.municipalities.Kemerovo)).toBe(true);
    const executor = await heatmapPoints(t.db, { municipalityId: t.demo.municipalities.Kemerovo, executorId: set.executors.utility }, {}, {}, now);
    expect(executor.points.map((p) => p.id)).toEqual([set.a[3], set.a[5]]);
    const region = await heatmapCells(t.db, REGION_SCOPE, { period: '2026-11' }, 5, now);
    expect(region.cells.reduce((n, c) => n + c.count, 0)).toBe(11);
    await expect(heatmapPoints(t.db, kemerovoScope(), { municipalityId: t.demo.municipalities.Belovo }, {}, now)).rejects.toMatchObject({ code: 'MUNICIPALITY_NOT_FOUND' });
  });
});
