import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceDuePolls, createPoll, getPoll, publishPoll } from '../core/polls/polls.ts';
import { createTestDatabase, type TestDatabase } from '../test/database.ts';
import { cronInstanceStarts } from '../test/cron.ts';

/**
 * A poll published ahead of its start, with the app down when it opens: the instances' start-up
 * catch-up announces it — once, though two instances start together and one restarts again.
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const instanceStarts = (at: Date, instance: string) => cronInstanceStarts(t.db, at, instance);

describe('poll announcements across restarts and instances', () => {
  it('the catch-up of instances started after the start announces the poll once', async () => {
    const publishedAt = new Date('2026-12-01T03:00:00Z');
    const startsAt = new Date('2026-12-03T02:00:00Z');
    const poll = await createPoll(
      t.db,
      {
        municipalityId: t.demo.municipalities.Belovo,
        kind: 'vote',
        title: 'Каток у школы',
        startsAt,
        endsAt: new Date('2026-12-10T02:00:00Z'),
        questions: [{ kind: 'single', text: 'Залить каток?', options: ['Да', 'Нет'] }],
      },
      null,
      publishedAt,
    );
    expect((await publishPoll(t.db, poll.id, {}, publishedAt)).broadcastId).toBeUndefined();

    // An instance that starts before the poll opens announces nothing.
    await instanceStarts(new Date('2026-12-02T00:00:00Z'), 'early');
    expect(await t.db.selectFrom('broadcast').select('id').where('source', '=', `poll:${poll.id}`).execute()).toEqual([]);

    // Two instances start together after it opened, then one restarts.
    const later = new Date('2026-12-03T05:00:00Z');
    await Promise.all([instanceStarts(later, 'a'), instanceStarts(later, 'b')]);
    await instanceStarts(new Date('2026-12-03T05:10:00Z'), 'a-restarted');
    const broadcasts = await t.db.selectFrom('broadcast').select(['id', 'kind', 'topic', 'municipality_id']).where('source', '=', `poll:${poll.id}`).execute();
    expect(broadcasts).toEqual([{ id: expect.any(Number), kind: 'broadcast.poll', topic: 'polls', municipality_id: t.demo.municipalities.Belovo }]);
    expect((await getPoll(t.db, poll.id)).announcedAt).toEqual(later);
  });

  it('without the job lock (called directly, in parallel transactions) the row lock still lets one caller announce it', async () => {
    const at = new Date('2026-12-14T03:00:00Z');
    const poll = await createPoll(
      t.db,
      {
        municipalityId: t.demo.municipalities.Novokuznetsk,
        kind: 'vote',
        title: 'Ёлка на площади',
        startsAt: new Date('2026-12-14T02:00:00Z'),
        endsAt: new Date('2026-12-20T02:00:00Z'),
        questions: [{ kind: 'single', text: 'Ставить ёлку?', options: ['Да', 'Нет'] }],
      },
      null,
      new Date('2026-12-01T03:00:00Z'),
    );
    await publishPoll(t.db, poll.id, {}, new Date('2026-12-01T03:00:00Z'));
    const counts = await Promise.all([announceDuePolls(t.db, at), announceDuePolls(t.db, at), announceDuePolls(t.db, at)]);
    expect(counts.reduce((n, c) => n + c.pollsAnnounced, 0)).toBe(1);
    expect(await t.db.selectFrom('broadcast').select('id').where('source', '=', `poll:${poll.id}`).execute()).toHaveLength(1);
  });
});
