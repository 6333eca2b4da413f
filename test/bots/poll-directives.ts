import { expandBatch } from '../../core/broadcasts/broadcasts.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import { recordDecision } from '../../core/polls/decisions.ts';
import { closePoll, createPoll, publishPoll, timeZoneOf } from '../../core/polls/polls.ts';
import { localDateKey } from '../../core/calendar/working-time.ts';

const HOUR = 3_600_000;

/**
 * The fixtures' `{ "$poll": … }` directive: Kemerovo's officials act on a poll through core, as the
 * admin API would. `publish`: a new poll (a single-choice and a multiple-choice question, results
 * shown once published) is published and its announcement written to the outbox; `close`, `results`
 * (publish the results: voters are told) and `decision` (taken today, the local date) act on Kemerovo's newest poll. Returns the
 * transcript line.
 */
export async function pollDirective(db: Kysely<Database>, action: string, now: Date): Promise<string> {
  const kemerovo = (await db.selectFrom('municipality').select('id').where('name_en', '=', 'Kemerovo').executeTakeFirstOrThrow()).id;
  if (action === 'publish') {
    const poll = await createPoll(
      db,
      {
        municipalityId: kemerovo,
        kind: 'poll',
        title: 'Благоустройство сквера на Весенней',
        description: 'Помогите выбрать, что сделать в сквере в первую очередь.',
        resultsVisibility: 'after_publication',
        startsAt: new Date(now.getTime() - HOUR),
        endsAt: new Date(now.getTime() + 7 * 24 * HOUR),
        questions: [
          { kind: 'single', text: 'Что важнее всего?', options: ['Освещение', 'Скамейки', 'Дорожки'] },
          { kind: 'multiple', text: 'Что ещё добавить?', maxChoices: 2, options: ['Фонтан', 'Детская площадка', 'Велопарковка'] },
        ],
      },
      null,
      now,
    );
    const { broadcastId } = await publishPoll(db, poll.id, { force: true }, now);
    while (!(await expandBatch(db, broadcastId!, 500)).done);
    return `🏛 curator: poll #${poll.id} «${poll.title}» published and announced`;
  }
  const poll = await db.selectFrom('poll').select(['id', 'title']).where('municipality_id', '=', kemerovo).orderBy('id', 'desc').executeTakeFirstOrThrow();
  if (action === 'close') {
    await closePoll(db, poll.id, now);
    return `🏛 curator: poll #${poll.id} closed`;
  }
  if (action === 'results') {
    await publishPoll(db, poll.id, {}, now);
    return `🏛 curator: results of poll #${poll.id} published`;
  }
  if (action === 'decision') {
    // Taken today (Kemerovo's local date): a decision cannot be dated after the day it is recorded.
    await recordDecision(db, poll.id, { decidedOn: localDateKey(await timeZoneOf(db, kemerovo), now), text: 'Весной установим освещение в сквере.', decidedBy: 'Глава города' }, null, now);
    return `🏛 curator: decision on poll #${poll.id} recorded`;
  }
  throw new Error(`unknown $poll action "${action}"`);
}
