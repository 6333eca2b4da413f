import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../core/jobs/run-job.ts';
import { createDirectLine, getDirectLine, openDueDirectLines } from '../core/polls/direct-line.ts';
import { createTestDatabase, type TestDatabase } from '../test/database.ts';
import { cronSchedules, JOBS } from './jobs.ts';
import { cronInstanceStarts } from '../test/cron.ts';

/**
 * A direct line created ahead of its collection is announced when the collection begins — by the
 * every-minute `direct-line-announcements` job, as polls are by `poll-announcements` — once, though
 * two instances run it together and one restarts again.
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const instanceStarts = (at: Date, instance: string) => cronInstanceStarts(t.db, at, instance);

const announcements = (id: number) => t.db.selectFrom('broadcast').select(['id', 'kind', 'topic', 'municipality_id']).where('source', '=', `direct_line:${id}`).execute();

/** A campaign of `municipality` created on 1 December, collecting from `collectFrom` for a week. */
const lineFrom = (municipalityId: number, collectFrom: string, title: string) =>
  createDirectLine(
    t.db,
    { municipalityId, title, headName: 'Глава округа', collectFrom: new Date(collectFrom), collectTo: new Date(Date.parse(collectFrom) + 7 * 86_400_000), broadcastOn: '2026-12-31' },
    null,
    new Date('2026-12-01T03:00:00Z'),
  );

describe('direct-line announcements at the start of the collection', () => {
  it('run every minute, each under its own job lock', () => {
    const schedule = cronSchedules([]).find((s) => s.job === JOBS.directLineAnnouncements);
    expect(schedule?.expression).toBe('* * * * *');
    expect(JOBS.directLineAnnouncements.name).toBe('direct-line-announcements');
    expect('batched' in JOBS.directLineAnnouncements).toBe(false);
  });

  it('the job announces a campaign within the minute its collection begins, once', async () => {
    const line = await lineFrom(t.demo.municipalities.Kemerovo, '2026-12-05T02:00:30Z', 'Прямая линия с главой');
    expect(line.openedAt).toBeNull();
    // The minute before: nothing yet.
    await runJob(t.db, JOBS.directLineAnnouncements, () => new Date('2026-12-05T02:00:00Z'));
    expect(await announcements(line.id)).toEqual([]);
    // The next minute's run, 30 s after the start: announced (the polls job, every 5 minutes, would have waited until 02:05).
    const at = new Date('2026-12-05T02:01:00Z');
    const run = await runJob(t.db, JOBS.directLineAnnouncements, () => at);
    expect(run).toMatchObject({ outcome: 'ok', counts: { directLinesOpened: 1 } });
    expect(await announcements(line.id)).toEqual([{ id: expect.any(Number), kind: 'broadcast.direct_line', topic: 'direct_line', municipality_id: t.demo.municipalities.Kemerovo }]);
    expect((await getDirectLine(t.db, line.id)).openedAt).toEqual(at);
    expect(await runJob(t.db, JOBS.directLineAnnouncements, () => new Date('2026-12-05T02:02:00Z'))).toMatchObject({ outcome: 'ok', counts: { directLinesOpened: 0 } });
    expect(await announcements(line.id)).toHaveLength(1);
  });

  it('the catch-up of instances started after the start announces the campaign once', async () => {
    const line = await lineFrom(t.demo.municipalities.Belovo, '2026-12-03T02:00:00Z', 'Прямая линия Белово');
    // An instance that starts before the collection begins announces nothing.
    await instanceStarts(new Date('2026-12-02T00:00:00Z'), 'early');
    expect(await announcements(line.id)).toEqual([]);

    // Two instances start together after it began, then one restarts.
    const later = new Date('2026-12-03T05:00:00Z');
    await Promise.all([instanceStarts(later, 'a'), instanceStarts(later, 'b')]);
    await instanceStarts(new Date('2026-12-03T05:10:00Z'), 'a-restarted');
    expect(await announcements(line.id)).toEqual([{ id: expect.any(Number), kind: 'broadcast.direct_line', topic: 'direct_line', municipality_id: t.demo.municipalities.Belovo }]);
    expect((await getDirectLine(t.db, line.id)).openedAt).toEqual(later);
  });

  it('without the job lock (called directly, in parallel transactions) the row lock still lets one caller announce it', async () => {
    const line = await lineFrom(t.demo.municipalities.Novokuznetsk, '2026-12-14T02:00:00Z', 'Прямая линия Новокузнецк');
    const at = new Date('2026-12-14T02:00:00Z');
    const counts = await Promise.all([openDueDirectLines(t.db, at), openDueDirectLines(t.db, at), openDueDirectLines(t.db, at)]);
    expect(counts.reduce((n, c) => n + c.directLinesOpened, 0)).toBe(1);
    expect(await announcements(line.id)).toHaveLength(1);
  });
});
