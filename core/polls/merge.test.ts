import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { registeredResident } from '../../test/residents.ts';
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
});
