import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { touchResident, updateResident } from '../residents/resident.repository.ts';
import { ACTIVITY_RETENTION_DAYS, activeResidents, localDay, pruneActivity, sameLocalDay } from './activity.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const days = (residentId: number) =>
  sql<{ day: string; channel: string; municipality_id: number | null; first_at: Date }>`
    SELECT day::text AS day, channel, municipality_id, first_at FROM resident_activity WHERE resident_id = ${residentId} ORDER BY day, channel
  `
    .execute(t.db)
    .then((r) => r.rows);

/** Counts the statements that reach the database while `fn` runs (PostgreSQL and PGlite alike). */
async function statementsDuring(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const db = t.db.withPlugin({
    transformQuery: (args) => {
      seen.push(args.node.kind);
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  const original = t.db;
  (t as { db: typeof db }).db = db;
  try {
    await fn();
  } finally {
    (t as { db: typeof db }).db = original;
  }
  return seen;
}

describe("the residents' activity log (KPI 2)", () => {
  it('records the first interaction of each local day per channel, and writes nothing on later ones that day', async () => {
    const kemerovo = t.demo.municipalities.Kemerovo;
    // 2026-12-01 23:30 in Novokuznetsk time (UTC+7) is 16:30 UTC.
    const first = new Date('2026-12-01T16:30:00Z');
    const { resident } = await touchResident(t.db, { channel: 'tg', externalId: '4242', chatId: '4242' }, first);
    await updateResident(t.db, resident.id, { municipalityId: kemerovo, registeredAt: first });
    expect(await days(resident.id)).toEqual([{ day: '2026-12-01', channel: 'tg', municipality_id: null, first_at: first }]);

    // Later the same local day: the day of the previous last_seen_at matches, so no INSERT is even tried.
    const statements = await statementsDuring(async () => {
      await touchResident(t.db, { channel: 'tg', externalId: '4242', chatId: '4242' }, new Date('2026-12-01T16:50:00Z'));
    });
    expect(statements.filter((k) => k === 'InsertQueryNode')).toEqual([]);
    expect(await days(resident.id)).toHaveLength(1);

    // 17:10 UTC is 00:10 the next local day (the UTC date has not changed): a new row, in the municipality.
    await touchResident(t.db, { channel: 'tg', externalId: '4242', chatId: '4242' }, new Date('2026-12-01T17:10:00Z'));
    // The same resident through VK the same day: one row per channel.
    await touchResident(t.db, { channel: 'vk', externalId: '4242vk', chatId: '4242' }, new Date('2026-12-01T18:00:00Z'));
    await t.db.updateTable('resident_activity').set({ resident_id: resident.id }).where('channel', '=', 'vk').execute();
    expect((await days(resident.id)).map((d) => [d.day, d.channel, d.municipality_id])).toEqual([
      ['2026-12-01', 'tg', null],
      ['2026-12-02', 'tg', kemerovo],
      ['2026-12-02', 'vk', null],
    ]);
    expect(await activeResidents(t.db, kemerovo, '2026-12-01', '2026-12-31')).toBe(1);
    expect(localDay(new Date('2026-12-01T17:10:00Z'), 'Europe/Moscow')).toBe('2026-12-01');
    // Kuzbass is UTC+7: its day (and year) turns at 17:00 UTC.
    expect(localDay(new Date('2026-12-31T16:59:59Z'), 'Asia/Novokuznetsk')).toBe('2026-12-31');
    expect(localDay(new Date('2026-12-31T17:00:00Z'), 'Asia/Novokuznetsk')).toBe('2027-01-01');
  });

  it('retention keeps every row younger than two years and prunes only rows past it', async () => {
    const now = new Date('2029-06-15T03:00:00Z');
    const { resident } = await touchResident(t.db, { channel: 'tg', externalId: '5151', chatId: '5151' }, now);
    const dayAgo = (n: number) => localDay(new Date(now.getTime() - n * 86_400_000), 'Asia/Novokuznetsk');
    for (const age of [1, 365, 2 * 366, 2 * 366 + 30, ACTIVITY_RETENTION_DAYS + 2]) {
      await sql`INSERT INTO resident_activity (resident_id, day, channel, first_at) VALUES (${resident.id}, ${dayAgo(age)}::date, 'vk', now())`.execute(t.db);
    }
    const { activityPruned } = await pruneActivity(t.db, now);
    expect(activityPruned).toBe(1);
    const kept = (await days(resident.id)).filter((d) => d.channel === 'vk').map((d) => d.day);
    expect(kept).toEqual([dayAgo(2 * 366 + 30), dayAgo(2 * 366), dayAgo(365), dayAgo(1)]);
    expect(ACTIVITY_RETENTION_DAYS).toBeGreaterThanOrEqual(2 * 366);
  });

  it('tells the local day and whether two instants share it, whatever was asked before', () => {
    const zone = 'Asia/Novokuznetsk';
    const lateEvening = new Date('2026-12-01T16:59:00Z'); // 23:59 local
    const nextMorning = new Date('2026-12-01T17:01:00Z'); // 00:01 the next local day
    expect(sameLocalDay(nextMorning, new Date('2026-12-01T17:00:00Z'), zone)).toBe(true);
    expect(sameLocalDay(nextMorning, lateEvening, zone)).toBe(false);
    expect(sameLocalDay(lateEvening, new Date('2026-11-30T17:00:00Z'), zone)).toBe(true);
    // Asked in any order (the zone keeps the last day asked), the answers stay the same.
    for (const at of [nextMorning, lateEvening, new Date('2020-02-29T12:00:00Z'), nextMorning]) {
      expect(localDay(at, zone)).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(at));
    }
    // A day with a clock change is 23 hours long: its bounds follow it (Berlin, 29 March 2026).
    const berlin = 'Europe/Berlin';
    expect(localDay(new Date('2026-03-28T23:00:00Z'), berlin)).toBe('2026-03-29');
    expect(sameLocalDay(new Date('2026-03-29T12:00:00Z'), new Date('2026-03-29T21:59:59Z'), berlin)).toBe(true);
    expect(sameLocalDay(new Date('2026-03-29T12:00:00Z'), new Date('2026-03-29T22:00:00Z'), berlin)).toBe(false);
    expect(sameLocalDay(new Date('2026-03-29T12:00:00Z'), new Date('2026-03-28T22:59:59Z'), berlin)).toBe(false);
  });
});
