import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { registeredResident } from '../../test/residents.ts';
import { addComment, reportComment } from '../item-comments/comments.service.ts';
import { createEvent, publishEvent, remindMe } from '../news/events.service.ts';
import { eventDraft } from '../../test/event-draft.ts';
import { createNews, publishNews } from '../news/news.service.ts';
import { mergeResidents } from '../residents/identity-link.ts';
import { askQuestion, createDirectLine } from './direct-line.ts';
import { castBallot, createPoll, publishPoll } from './polls.ts';
import { pollResults } from './results.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const now = new Date('2026-12-01T03:00:00Z');

describe('linking two messengers keeps one voter', () => {
  it('a ballot follows the merged resident; when both had voted, one ballot stays; direct-line questions follow too', async () => {
    const kemerovo = t.demo.municipalities.Kemerovo;
    const poll = async (title: string) => {
      const p = await createPoll(
        t.db,
        {
          municipalityId: kemerovo,
          kind: 'vote',
          title,
          startsAt: new Date(now.getTime() - 3_600_000),
          endsAt: new Date(now.getTime() + 86_400_000),
          questions: [{ kind: 'single', text: '?', options: ['Да', 'Нет'] }],
        },
        null,
        now,
      );
      await publishPoll(t.db, p.id, { force: true }, now);
      return p;
    };
    const both = await poll('Оба ответили');
    const onlyFrom = await poll('Ответил только второй аккаунт');
    const into = await registeredResident(t.db, { municipalityId: kemerovo, channel: 'tg', now });
    const from = await registeredResident(t.db, { municipalityId: kemerovo, channel: 'vk', now });
    const vote = (p: typeof both, residentId: number, option: number) =>
      castBallot(t.db, { pollId: p.id, residentId, channel: residentId === into ? 'tg' : 'vk', answers: [{ questionId: p.questions[0]!.id, optionIds: [p.questions[0]!.options[option]!.id] }] }, now);
    await vote(both, into, 0);
    await vote(both, from, 1);
    await vote(onlyFrom, from, 1);
    const line = await createDirectLine(
      t.db,
      { municipalityId: kemerovo, title: 'Линия', headName: 'Глава', collectFrom: new Date(now.getTime() - 1000), collectTo: new Date(now.getTime() + 86_400_000), broadcastOn: '2026-12-10' },
      null,
      now,
    );
    await askQuestion(t.db, { directLineId: line.id, residentId: from, channel: 'vk', text: 'Вопрос из VK' }, now);

    await t.db.transaction().execute((trx) => mergeResidents(trx, from, into, now));

    const ballots = await t.db.selectFrom('poll_ballot').select(['poll_id', 'resident_id']).where('poll_id', 'in', [both.id, onlyFrom.id]).orderBy('poll_id').execute();
    expect(ballots).toEqual([
      { poll_id: both.id, resident_id: into },
      { poll_id: onlyFrom.id, resident_id: into },
    ]);
    expect((await pollResults(t.db, both.id, { withTexts: false })).voters).toBe(1);
    await expect(vote(onlyFrom, into, 0)).rejects.toMatchObject({ code: 'POLL_ALREADY_VOTED' });
    expect(await t.db.selectFrom('direct_line_question').select('resident_id').where('direct_line_id', '=', line.id).execute()).toEqual([{ resident_id: into }]);
  });
  it("the other account's comments on news, its reports and its event reminders follow the merged resident (one each when both had them)", async () => {
    const kemerovo = t.demo.municipalities.Kemerovo;
    const into = await registeredResident(t.db, { municipalityId: kemerovo, channel: 'tg', now });
    const from = await registeredResident(t.db, { municipalityId: kemerovo, channel: 'vk', now });
    const someone = await registeredResident(t.db, { municipalityId: kemerovo, now });
    const draft = await createNews(t.db, { municipalityId: kemerovo, title: 'Каток', body: 'Открыт', categoryId: null, mediaIds: [], link: null, pollId: null, publishAt: null, staffId: null }, now);
    await publishNews(t.db, draft.id, now, null);
    const target = { kind: 'news' as const, id: draft.id };
    const own = await addComment(t.db, { residentId: from, residentMunicipalityId: kemerovo, target, text: 'Спасибо, каток отличный' }, now);
    const other = await addComment(t.db, { residentId: someone, residentMunicipalityId: kemerovo, target, text: 'Реклама' }, now);
    expect(await reportComment(t.db, other.id, from, now)).toBe('reported');
    expect(await reportComment(t.db, other.id, into, now)).toBe('reported');
    const event = await createEvent(t.db, eventDraft({ municipalityId: kemerovo, startsAt: new Date(now.getTime() + 2 * 86_400_000) }), now);
    await publishEvent(t.db, event.id, now, null);
    const both = await createEvent(t.db, { ...event, title: 'Спектакль', municipalityId: kemerovo, staffId: null }, now);
    await publishEvent(t.db, both.id, now, null);
    expect(await remindMe(t.db, event.id, from, now)).toBe('scheduled');
    expect(await remindMe(t.db, both.id, from, now)).toBe('scheduled');
    expect(await remindMe(t.db, both.id, into, now)).toBe('scheduled');

    await t.db.transaction().execute((trx) => mergeResidents(trx, from, into, now));

    expect(await t.db.selectFrom('item_comment').select('resident_id').where('id', '=', own.id).executeTakeFirst()).toEqual({ resident_id: into });
    expect(await t.db.selectFrom('item_comment_report').select('resident_id').where('comment_id', '=', other.id).execute()).toEqual([{ resident_id: into }]);
    expect((await t.db.selectFrom('item_comment').select('reports').where('id', '=', other.id).executeTakeFirstOrThrow()).reports).toBe(1);
    expect(await reportComment(t.db, other.id, into, now)).toBe('already');
    const reminders = await t.db.selectFrom('event_reminder').select(['event_id', 'resident_id']).where('event_id', 'in', [event.id, both.id]).orderBy('event_id').execute();
    expect(reminders).toEqual([
      { event_id: event.id, resident_id: into },
      { event_id: both.id, resident_id: into },
    ]);
  });
});
