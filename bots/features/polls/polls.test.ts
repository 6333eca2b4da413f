import { afterEach, describe, expect, it } from 'vitest';
import { listCategories, listSectors } from '../../../core/categories/category.repository.ts';
import { localDateKey } from '../../../core/calendar/working-time.ts';
import { createDirectLine, withdrawDirectLine } from '../../../core/polls/direct-line.ts';
import { closePoll, createPoll, type Poll, publishPoll } from '../../../core/polls/polls.ts';
import { pollResults } from '../../../core/polls/results.ts';
import { dialogStateOf, newChat, registeredChat, residentRowOf } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, press, tap } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { expandFully } from '../../../test/expand.ts';
import { formatDate } from '../../dialogs/format.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

// /polls is paged (four a page in VK): each test's list holds only its own polls, not the file's earlier ones,
// so a test finds its poll where its own count of polls puts it.
afterEach(async () => {
  await db.db.updateTable('poll').set({ state: 'closed' }).where('state', '=', 'published').execute();
  await db.db
    .updateTable('poll')
    .set({ results_published_at: new Date(0) })
    .where('state', '=', 'results_published')
    .execute();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let seq = 0;

/**
 * A published poll (3 questions: single, multiple up to 2, free text) of `municipalityId`; cadence is
 * forced so the tests may publish several a day. The announcement is expanded into outbox rows.
 */
async function publishedPoll(municipalityId: number | null, overrides: Partial<Parameters<typeof createPoll>[1]> = {}): Promise<Poll> {
  const now = harness.now();
  seq += 1;
  const poll = await createPoll(
    db.db,
    {
      municipalityId,
      kind: 'poll',
      title: `Сквер на Весенней ${seq}`,
      description: 'Что сделать в сквере',
      startsAt: new Date(now.getTime() - HOUR),
      endsAt: new Date(now.getTime() + 7 * DAY),
      questions: [
        { kind: 'single', text: 'Что важнее?', options: ['Освещение', 'Скамейки'] },
        { kind: 'multiple', text: 'Что добавить?', maxChoices: 2, options: ['Фонтан', 'Площадка', 'Велопарковка'] },
        { kind: 'text', text: 'Ваши предложения' },
      ],
      ...overrides,
    },
    null,
    now,
  );
  const { broadcastId } = await publishPoll(db.db, poll.id, { force: true }, now);
  await expandFully(db.db, broadcastId!);
  return poll;
}

/** A poll published now that starts in a day: not announced yet, «not started» when opened by its link. */
async function publishedPollStartingLater(municipalityId: number): Promise<Poll> {
  const now = harness.now();
  const poll = await createPoll(
    db.db,
    {
      municipalityId,
      kind: 'poll',
      title: `Каток ${++seq}`,
      description: 'Заливать ли каток',
      startsAt: new Date(now.getTime() + DAY),
      endsAt: new Date(now.getTime() + 7 * DAY),
      questions: [{ kind: 'single', text: 'Нужен каток?', options: ['Да', 'Нет'] }],
    },
    null,
    now,
  );
  await publishPoll(db.db, poll.id, { force: true }, now);
  return poll;
}

const ru = (key: string, params?: Record<string, unknown>) => t('ru', key, params);

/** A direct line headed by «Глава», taking questions from an hour ago for five days. */
const openDirectLine = (municipalityId: number, title: string) =>
  createDirectLine(
    db.db,
    { municipalityId, title, headName: 'Глава', collectFrom: new Date(harness.now().getTime() - HOUR), collectTo: new Date(harness.now().getTime() + 5 * DAY), broadcastOn: '2026-12-30' },
    null,
    harness.now(),
  );

describe.each(CHANNELS)('polls in the bot (%s)', (channel) => {
  it('a full vote from the announcement button: one question per screen, Back, a summary, Send, the results with text bars', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel);
    const poll = await publishedPoll(db.demo.municipalities.Kemerovo);

    await chat.deliverOutbox();
    expect(chat.replyTexts.join('\n')).toContain(poll.title);
    await chat.say(press(ru('polls.answer')));
    expect(chat.replyTexts[0]).toContain(poll.title);
    expect(chat.replyTexts.at(-1)).toBe(ru('polls.question', { index: 1, count: 3, text: 'Что важнее?' }));

    await chat.say(press('Скамейки'));
    expect(chat.replyTexts.at(-1)).toBe(ru('polls.question_multiple', { index: 2, count: 3, max: 2, text: 'Что добавить?' }));
    // Back to the first question, change the answer.
    await chat.say(press(ru('polls.back')));
    expect(chat.replyTexts.at(-1)).toBe(ru('polls.question', { index: 1, count: 3, text: 'Что важнее?' }));
    await chat.say(press('Освещение'));

    // Multiple choice: taps toggle in place; a third choice is refused; Next.
    await chat.say(press(ru('polls.not_chosen', { text: 'Фонтан' })));
    expect(chat.replyKinds()).toEqual(['edit']);
    await chat.say(press(ru('polls.not_chosen', { text: 'Площадка' })));
    await chat.say(press(ru('polls.not_chosen', { text: 'Велопарковка' })));
    expect(chat.replyTexts).toEqual([ru('polls.too_many_choices', { max: 2 })]);
    await chat.say(press(ru('polls.done')));
    expect(chat.replyTexts.at(-1)).toContain('Ваши предложения');

    await chat.say('Больше урн, пожалуйста');
    expect(chat.replyTexts.at(-1)).toContain(ru('polls.summary', { title: poll.title }));
    expect(chat.replyTexts.at(-1)).toContain('Освещение');
    expect(chat.replyTexts.at(-1)).toContain('Фонтан, Площадка');
    expect(chat.replyTexts.at(-1)).toContain('Больше урн, пожалуйста');
    expect(await db.db.selectFrom('poll_ballot').select('id').where('poll_id', '=', poll.id).execute()).toEqual([]);

    await chat.say(press(ru('polls.send')));
    expect(chat.replyTexts[0]).toBe(ru('polls.thanks'));
    const results = chat.replyTexts[1]!;
    expect(results).toContain(ru('polls.results', { title: poll.title, voters: 1, turnout: (await pollResults(db.db, poll.id, { withTexts: false })).turnout }));
    expect(results).toContain(ru('polls.results_option', { bar: '▓▓▓▓▓▓▓▓▓▓', percent: 100, count: 1, text: 'Освещение' }));
    expect(results).toContain(ru('polls.results_option', { bar: '░░░░░░░░░░', percent: 0, count: 0, text: 'Скамейки' }));
    expect(results).not.toContain('Больше урн');

    const ballots = await db.db.selectFrom('poll_ballot').select(['resident_id', 'channel']).where('poll_id', '=', poll.id).execute();
    expect(ballots).toEqual([{ resident_id: residentId, channel }]);
    const stored = await pollResults(db.db, poll.id, { withTexts: true });
    expect(stored.questions.map((q) => q.options.map((o) => o.count))).toEqual([[1, 0], [1, 1, 0], []]);
    expect(stored.questions[2]!.texts).toEqual(['Больше урн, пожалуйста']);

    // A second ballot: the answer, nothing stored.
    await chat.say(press(ru('polls.answer')));
    expect(chat.replyTexts[0]).toBe(ru('polls.already_voted'));
    expect(await db.db.selectFrom('poll_ballot').select('id').where('poll_id', '=', poll.id).execute()).toHaveLength(1);
  });

  it('a button of an earlier question pressed on its old keyboard says it is out of date and shows the current question, taking nothing', async () => {
    const { chat } = await registeredChat(db, harness, channel);
    const poll = await publishedPoll(db.demo.municipalities.Kemerovo);
    await chat.deliverOutbox();
    await chat.say(press(ru('polls.answer')));
    const oldOption = chat.buttonId('Освещение');
    await chat.say(press('Скамейки'));
    const oldDone = chat.buttonId(ru('polls.done'));
    const oldBack = chat.buttonId(ru('polls.back'));
    const multiple = ru('polls.question_multiple', { index: 2, count: 3, max: 2, text: 'Что добавить?' });
    const outdatedThen = (question: string) => [ru('dialog.outdated'), question];

    // The first question's option, pressed at the second: nothing chosen, the second question again.
    await chat.say(tap(oldOption));
    expect(chat.replyTexts).toEqual(outdatedThen(multiple));
    await chat.say(press(ru('polls.not_chosen', { text: 'Фонтан' })));
    await chat.say(press(ru('polls.done')));
    const textQuestion = ru('polls.question_text', { index: 3, count: 3, text: 'Ваши предложения' });
    expect(chat.replyTexts.at(-1)).toBe(textQuestion);

    // The second question's Done and Back, pressed at the third: neither skips nor goes back.
    await chat.say(tap(oldDone));
    expect(chat.replyTexts).toEqual(outdatedThen(textQuestion));
    await chat.say(tap(oldBack));
    expect(chat.replyTexts).toEqual(outdatedThen(textQuestion));
    expect(await dialogStateOf(db, chat)).toMatchObject({ flow: 'polls', step: 'question' });
    await chat.say('Больше урн');
    expect(chat.replyTexts.at(-1)).toContain(ru('polls.summary', { title: poll.title }));
    expect(chat.replyTexts.at(-1)).toContain('Скамейки');
  });

  it('a single-choice answer tapped twice, the second press reaching the next question, is taken once and answered quietly, not «out of date»', async () => {
    const { chat } = await registeredChat(db, harness, channel);
    await publishedPoll(db.demo.municipalities.Kemerovo);
    await chat.deliverOutbox();
    await chat.say(press(ru('polls.answer')));
    const benches = chat.buttonId('Скамейки');
    await chat.say(tap(benches));
    expect(chat.replyTexts.at(-1)).toBe(ru('polls.question_multiple', { index: 2, count: 3, max: 2, text: 'Что добавить?' }));
    await chat.say(tap(benches));
    expect(chat.replyTexts).toEqual([]);
    expect(await dialogStateOf(db, chat)).toMatchObject({ flow: 'polls', step: 'question' });
    await chat.say(press(ru('polls.not_chosen', { text: 'Фонтан' })), press(ru('polls.done')), 'Больше урн');
    const summary = chat.replyTexts.at(-1)!;
    expect(summary).toContain('Скамейки');
    expect(summary).toContain('Фонтан');
  });

  it('a poll closed while the resident answers it: the next press says by name that it is over and ends the poll, no more questions for a Send that cannot count', async () => {
    const { chat } = await registeredChat(db, harness, channel);
    const poll = await publishedPoll(db.demo.municipalities.Kemerovo);
    await chat.deliverOutbox();
    await chat.say(press(ru('polls.answer')));
    await chat.say(press('Скамейки'));
    expect(chat.replyTexts.at(-1)).toBe(ru('polls.question_multiple', { index: 2, count: 3, max: 2, text: 'Что добавить?' }));
    await closePoll(db.db, poll.id, harness.now());
    await chat.say(press(ru('polls.not_chosen', { text: 'Фонтан' })));
    expect(chat.replyTexts[0]).toBe(ru('polls.closed', { title: poll.title }));
    expect(chat.replyTexts.join('\n')).not.toContain('Что добавить?');
    expect(chat.replyTexts.at(-1)).toBe(ru('menu.main'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });

    // Closed with the summary on screen: Send says the same, not "not started yet or over".
    const second = await publishedPoll(db.demo.municipalities.Kemerovo, { questions: [{ kind: 'text', text: 'Мнение?' }] });
    await chat.say('/polls', press(second.title), 'Нужна горка');
    expect(chat.replyTexts.at(-1)).toContain(ru('polls.summary', { title: second.title }));
    await closePoll(db.db, second.id, harness.now());
    await chat.say(press(ru('polls.send')));
    expect(chat.replyTexts[0]).toBe(ru('polls.closed', { title: second.title }));
    expect(await db.db.selectFrom('poll_ballot').select('id').where('poll_id', 'in', [poll.id, second.id]).execute()).toEqual([]);
  });

  it("dates in the announcement, the poll's header and «not started yet» read in each resident's language (English: 04/12/2026, 09:36), in the municipality's zone", async () => {
    const { chat: russian } = await registeredChat(db, harness, channel);
    const { chat: english, residentId } = await registeredChat(db, harness, channel, 'Kemerovo', 'Emma');
    await db.db.updateTable('resident').set({ language: 'en' }).where('id', '=', residentId).execute();
    const poll = await publishedPoll(db.demo.municipalities.Kemerovo);
    const { time_zone: zone } = await db.db.selectFrom('municipality').select('time_zone').where('id', '=', db.demo.municipalities.Kemerovo).executeTakeFirstOrThrow();
    expect(zone).toBe('Asia/Novokuznetsk');
    const en = formatDate(poll.endsAt, 'en', zone);
    expect(en).toMatch(/^\d\d\/\d\d\/\d{4}, \d\d:\d\d$/);

    await english.deliverOutbox();
    expect(english.replyTexts.join('\n')).toContain(t('en', 'polls.announcement', { title: poll.title, description: poll.description, endsAt: en }));
    await english.say(press(t('en', 'polls.answer')));
    expect(english.replyTexts[0]).toContain(`until ${en}.`);
    await russian.deliverOutbox();
    expect(russian.replyTexts.join('\n')).toContain(ru('polls.announcement', { title: poll.title, description: poll.description, endsAt: formatDate(poll.endsAt, 'ru', zone) }));

    const later = await publishedPollStartingLater(db.demo.municipalities.Kemerovo);
    await english.say(`/start poll_${later.id}`);
    expect(english.replyTexts[0]).toContain(formatDate(later.startsAt, 'en', zone));
  });

  it('/polls is paged like the other lists: every open poll is reached, a page fits one keyboard (VK: six rows), the menu button ends each page', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Belovo', 'Лев');
    const polls: Poll[] = [];
    for (let i = 1; i <= 10; i++) polls.push(await publishedPoll(db.demo.municipalities.Belovo, { title: `Страница ${channel} ${i}` }));
    const titles = polls.map((p) => p.title);
    await chat.say('/polls');
    const seen: string[] = [];
    const pageSize = channel === 'vk' ? 4 : 8;
    for (let page = 1; page <= 10; page++) {
      const rows = chat
        .keyboards()
        .at(-1)!
        .rows.map((row) => row.map((b) => b.label));
      expect(rows.at(-1)).toEqual([ru('menu.back_to_menu')]);
      const pager = rows.at(-2)!;
      const pages = Number(pager.find((label) => label.includes(' из '))?.split(' из ')[1]);
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(pager).toContain(ru('dialog.page_of', { page, pages }));
      const list = rows.slice(0, -2).flat();
      expect(list.length).toBeLessThanOrEqual(pageSize);
      seen.push(...list);
      if (!pager.includes(ru('dialog.page_next'))) break;
      await chat.say(press(ru('dialog.page_next')));
      expect(chat.replyKinds()).toEqual(['edit']);
    }
    // Each of the ten reached once, on whichever page it is (labels may be numbered when a title on the page is cut).
    for (const title of titles)
      expect(
        seen.filter((label) => label.endsWith(title)),
        title,
      ).toHaveLength(1);
    // A poll on the last page opens from there.
    await chat.say(press(seen.find((label) => label.endsWith(titles.at(-1)!))!));
    expect(chat.replyTexts[0]).toContain(titles.at(-1)!);
  });

  it('a voter who withdrew their consent since presses "See the results" on the old notice: asked to register, as "Answer" does, not told the poll does not exist', async () => {
    const { chat } = await registeredChat(db, harness, channel);
    const poll = await publishedPoll(db.demo.municipalities.Kemerovo, { questions: [{ kind: 'single', text: 'Нужен каток?', options: ['Да', 'Нет'] }] });
    await chat.say(`/start poll_${poll.id}`, press('Да'), press(ru('polls.send')));
    expect(chat.replyTexts[0]).toBe(ru('polls.thanks'));
    await chat.say('/privacy', press(ru('privacy.withdraw')), press(ru('privacy.withdraw_yes')));
    await chat.say(tap(`!pr:${poll.id}`));
    expect(chat.replyTexts[0]).toBe(ru('errors.CONSENT_REQUIRED'));
    await chat.say(tap(`!pa:${poll.id}`));
    expect(chat.replyTexts[0]).toBe(ru('errors.CONSENT_REQUIRED'));
  });

  it('answers given but not sent, left for /start or the menu, are said not to count; a poll opened and not answered yet leaves quietly', async () => {
    const { chat } = await registeredChat(db, harness, channel);
    const poll = await publishedPoll(db.demo.municipalities.Kemerovo);
    await chat.say(`/start poll_${poll.id}`);
    await chat.say('/start');
    expect(chat.replyTexts).not.toContain(ru('polls.draft_discarded'));
    await chat.say(`/start poll_${poll.id}`, press('Освещение'));
    await chat.say('/start');
    expect(chat.replyTexts[0]).toBe(ru('polls.draft_discarded'));
    // /language in the middle leaves the answers where they are: nothing is said of them.
    await chat.say(`/start poll_${poll.id}`, press('Освещение'), '/language');
    expect(chat.replyTexts).not.toContain(ru('polls.draft_discarded'));
    expect(await db.db.selectFrom('poll_ballot').select('id').where('poll_id', '=', poll.id).execute()).toEqual([]);
  });

  it('/polls marks the polls the resident has answered already, so the list does not ask to answer them again', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Belovo', 'Глеб');
    const vote = { kind: 'vote' as const, questions: [{ kind: 'single' as const, text: 'Нужен светофор?', options: ['Да', 'Нет'] }] };
    const answered = await publishedPoll(db.demo.municipalities.Belovo, { ...vote, title: `Светофор ${channel}` });
    const open = await publishedPoll(db.demo.municipalities.Belovo, { ...vote, title: `Пешеходный переход ${channel}` });
    await chat.say(`/start poll_${answered.id}`);
    await chat.say(press('Да'));
    await chat.say(press(ru('polls.send')));
    expect(chat.replyTexts[0]).toBe(ru('polls.thanks'));

    await chat.say('/polls');
    const labels = chat.keyboardLabels();
    expect(labels).toContain(ru('polls.list_item_answered', { title: answered.title }));
    expect(labels).not.toContain(answered.title);
    expect(labels).toContain(open.title);
  });

  it('/polls also lists polls whose results were published lately, so a resident who did not vote can see them', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Belovo', 'Фаина');
    const finished = await publishedPoll(db.demo.municipalities.Belovo, {
      kind: 'vote',
      title: `Парк или сквер ${channel}`,
      questions: [{ kind: 'single', text: 'Что благоустроить?', options: ['Парк', 'Сквер'] }],
    });
    await closePoll(db.db, finished.id, harness.now());
    await publishPoll(db.db, finished.id, {}, harness.now());

    await chat.say('/polls');
    const labels = chat.keyboardLabels();
    expect(labels).toContain(ru('polls.list_item_results', { title: finished.title }));
    await chat.say(press(ru('polls.list_item_results', { title: finished.title })));
    expect(chat.replyTexts[0]).toBe(ru('polls.closed', { title: finished.title }));
    expect(chat.replyTexts[1]).toContain(ru('polls.results', { title: finished.title, voters: 0, turnout: 0 }));

    // A month after its results it leaves the list.
    await db.db
      .updateTable('poll')
      .set({ results_published_at: new Date(harness.now().getTime() - 31 * DAY) })
      .where('id', '=', finished.id)
      .execute();
    await chat.say('/polls');
    expect(chat.keyboards().flatMap((k) => k.rows.flat().map((b) => b.label))).not.toContain(ru('polls.list_item_results', { title: finished.title }));
  });

  it('the poll fixture plays from the announcement to the results and the decision (npm run replay -- poll.json)', async () => {
    const chat = newChat(harness, channel, 'Ольга');
    await chat.playFixture('poll.json');
    expect(chat.replyTexts.join('\n')).toContain('Весной установим освещение в сквере.');
    // The decision's date (taken today in Kemerovo) as residents write it, dd.mm.yyyy, not the API's yyyy-mm-dd.
    const today = localDateKey('Asia/Novokuznetsk', harness.now()).split('-').reverse().join('.');
    expect(chat.replyTexts.at(-1)).toBe(
      ru('polls.decision_notice', { title: 'Благоустройство сквера на Весенней', decidedBy: 'Глава города', decidedOn: today, text: 'Весной установим освещение в сквере.' }),
    );
  });

  it('/polls lists the open polls of the municipality and the region; /start poll_<id> opens one; closed and foreign polls are refused', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Novokuznetsk', 'Пётр');
    const own = await publishedPoll(db.demo.municipalities.Novokuznetsk, { kind: 'vote', questions: [{ kind: 'single', text: 'Переименовать парк?', options: ['Да', 'Нет'] }] });
    const region = await publishedPoll(null, { title: 'Областной опрос' });
    const foreign = await publishedPoll(db.demo.municipalities.Kemerovo, { title: 'Кемеровский опрос' });

    await chat.say('/polls');
    expect(chat.replyTexts).toEqual([ru('polls.list_title')]);
    const labels = chat.keyboardLabels();
    expect(labels).toEqual(expect.arrayContaining([own.title, region.title]));
    expect(labels).not.toContain(foreign.title);

    // The main menu leads there too.
    await chat.say('/menu');
    await chat.say(press(ru('polls.menu')));
    expect(chat.replyTexts).toEqual([ru('polls.list_title')]);

    await chat.say(`/start poll_${foreign.id}`);
    expect(chat.replyTexts).toEqual([ru('errors.POLL_OTHER_MUNICIPALITY')]);
    await chat.say('/start poll_99999999');
    expect(chat.replyTexts).toEqual([ru('errors.POLL_NOT_FOUND')]);

    await chat.say(`/start poll_${own.id}`);
    expect(chat.replyTexts.at(-1)).toBe(ru('polls.question', { index: 1, count: 1, text: 'Переименовать парк?' }));
    await chat.say(press('Да'));
    // Meanwhile the poll is closed: Send is refused (it is over, by name), nothing stored.
    await closePoll(db.db, own.id, harness.now());
    await chat.say(press(ru('polls.send')));
    expect(chat.replyTexts[0]).toBe(ru('polls.closed', { title: own.title }));
    expect(await db.db.selectFrom('poll_ballot').select('id').where('poll_id', '=', own.id).execute()).toEqual([]);
    await chat.say(`/start poll_${own.id}`);
    expect(chat.replyTexts).toEqual([ru('polls.closed', { title: own.title })]);
  });

  it('a resident comments on a poll from its card and reads the comments under the results', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel, 'Kemerovo', 'Лев');
    const poll = await publishedPoll(db.demo.municipalities.Kemerovo, { kind: 'vote', questions: [{ kind: 'single', text: 'Нужен каток?', options: ['Да', 'Нет'] }] });

    await chat.say(`/start poll_${poll.id}`);
    expect(chat.replyTexts[0]).toContain(poll.title);
    const card = chat.keyboardLabels();
    expect(card).toEqual([ru('polls.comment'), ru('polls.comments', { count: 0 })]);
    await chat.say(press(ru('polls.comment')));
    expect(chat.replyTexts).toEqual([ru('item_comments.prompt', { max: 1000 })]);
    await chat.say('Каток нужен у школы');
    expect(chat.replyTexts).toEqual([ru('item_comments.published')]);
    const stored = await db.db.selectFrom('item_comment').select(['target_kind', 'poll_id', 'text', 'state']).where('resident_id', '=', residentId).execute();
    expect(stored).toEqual([{ target_kind: 'poll', poll_id: poll.id, text: 'Каток нужен у школы', state: 'published' }]);

    // The vote goes on; the results (shown right after voting) carry the count and list the comment.
    await chat.say(`/start poll_${poll.id}`);
    await chat.say(press('Да'));
    await chat.say(press(ru('polls.send')));
    expect(chat.replyTexts[0]).toBe(ru('polls.thanks'));
    await chat.say(press(ru('polls.comments', { count: 1 })));
    expect(chat.replyTexts).toContain(ru('item_comments.item', { text: 'Каток нужен у школы' }));
  });

  it("/start poll_<id> from a resident not registered yet (a poster's QR code): the registration, then the poll opens", async () => {
    const poll = await publishedPoll(db.demo.municipalities.Kemerovo, { kind: 'vote', questions: [{ kind: 'single', text: 'Открыть библиотеку по субботам?', options: ['Да', 'Нет'] }] });
    const chat = newChat(harness, channel, 'Новый житель');
    await chat.say(`/start poll_${poll.id}`);
    expect(chat.replyTexts).toEqual([ru('reg.choose_language')]);
    await chat.say(press('Русский'), press('Понятно, дальше'), press('✅ Согласен(на)'), press('Пропустить'));
    expect(chat.replyTexts.at(-1)).toBe(ru('reg.municipality_list'));
    // /start with the link again in the middle resumes the registration; the poll still follows it.
    await chat.say(`/start poll_${poll.id}`);
    expect(chat.replyTexts).toEqual([ru('reg.resumed'), ru('reg.municipality'), ru('reg.municipality_list')]);
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.replyTexts[0]).toBe(ru('reg.done', { municipality: 'Кемеровский городской округ' }));
    expect(chat.replyTexts[1]).toContain(poll.title);
    expect(chat.replyTexts.at(-1)).toBe(ru('polls.question', { index: 1, count: 1, text: 'Открыть библиотеку по субботам?' }));
    await chat.say(press('Да'));
    await chat.say(press(ru('polls.send')));
    expect(chat.replyTexts[0]).toBe(ru('polls.thanks'));
    const resident = await residentRowOf(db, chat);
    expect(resident.municipality_id).toBe(db.demo.municipalities.Kemerovo);
    expect(await db.db.selectFrom('poll_ballot').select(['resident_id', 'channel']).where('poll_id', '=', poll.id).execute()).toEqual([{ resident_id: resident.id, channel }]);

    // A foreign poll's link: the registration completes with the reason, then the menu.
    const foreign = await publishedPoll(db.demo.municipalities.Novokuznetsk, { title: 'Новокузнецкий опрос' });
    const other = newChat(harness, channel, 'Ещё житель');
    await other.say(`/start poll_${foreign.id}`, press('Русский'), press('Понятно, дальше'), press('✅ Согласен(на)'), press('Пропустить'), location(KEMEROVO.lat, KEMEROVO.lon));
    expect(other.replyTexts.slice(0, 2)).toEqual([ru('reg.done', { municipality: 'Кемеровский городской округ' }), ru('errors.POLL_OTHER_MUNICIPALITY')]);
  });

  it('/ask sends up to 5 questions to an open direct line; the menu entry shows only while it collects; the answer reaches the author', async () => {
    // Each messenger's run uses its own municipality, so each starts without a campaign.
    const town = channel === 'tg' ? 'Novokuznetsk' : 'Belovo';
    const { chat, residentId } = await registeredChat(db, harness, channel, town, 'Анна');
    await chat.say('/ask');
    expect(chat.replyTexts).toEqual([ru('polls.ask_none')]);
    await chat.say('/menu');
    expect(chat.keyboards().flatMap((k) => k.rows.flat().map((b) => b.label))).not.toContain(ru('polls.ask_menu'));
    await openDirectLine(db.demo.municipalities[town], 'Прямая линия');
    await chat.say('/menu');
    expect(chat.keyboards().flatMap((k) => k.rows.flat().map((b) => b.label))).toContain(ru('polls.ask_menu'));
    await chat.say(press(ru('polls.ask_menu')));
    // Nothing asked yet: how many may be asked in all, not "5 more".
    expect(chat.replyTexts.at(-1)).toBe(ru('polls.ask_prompt_first', { title: 'Прямая линия', head: 'Глава', max: 5 }));
    await chat.say('x'.repeat(1001));
    expect(chat.replyTexts[0]).toBe(ru('errors.TEXT_TOO_LONG', { max: 1000, length: 1001 }));
    // The first question with a category of the shared directory: a sector, then one of its categories (Back returns to the sectors).
    const [sector] = await listSectors(db.db);
    const [category] = await listCategories(db.db, { sectorId: sector!.id, activeOnly: true });
    await chat.say('Вопрос номер 1');
    expect(chat.replyTexts).toEqual([ru('polls.ask_sector')]);
    const sectorKeyboard = chat.keyboards()[0]!.rows;
    expect(sectorKeyboard.at(-1)!.map((b) => b.label)).toEqual([ru('polls.skip'), ru('polls.cancel')]);
    if (channel === 'vk') {
      expect(sectorKeyboard.length).toBeLessThanOrEqual(6);
      expect(sectorKeyboard.flat().length).toBeLessThanOrEqual(10);
    }
    expect(await db.db.selectFrom('direct_line_question').select('id').where('resident_id', '=', residentId).execute()).toEqual([]);
    await chat.say(press(sector!.titleRu));
    expect(chat.replyTexts).toEqual([ru('polls.ask_category')]);
    const categoryKeyboard = chat.keyboards()[0]!.rows;
    expect(categoryKeyboard.at(-1)!.map((b) => b.label)).toEqual([ru('polls.back'), ru('polls.skip')]);
    if (channel === 'vk') {
      expect(categoryKeyboard.length).toBeLessThanOrEqual(6);
      expect(categoryKeyboard.flat().length).toBeLessThanOrEqual(10);
    }
    await chat.say(press(ru('polls.back')));
    expect(chat.replyTexts).toEqual([ru('polls.ask_sector')]);
    await chat.say(press(sector!.titleRu));
    await chat.say(press(category!.titleRu));
    expect(chat.replyTexts[0]).toBe(ru('polls.ask_saved', { left: 4 }));
    // The others skip the category: at the sector step, or at the category step.
    for (let i = 2; i <= 5; i++) {
      await chat.say('/ask');
      expect(chat.replyTexts.at(-1)).toBe(ru('polls.ask_prompt', { title: 'Прямая линия', head: 'Глава', left: 6 - i }));
      await chat.say(`Вопрос номер ${i}`);
      if (i === 5) await chat.say(press(sector!.titleRu));
      await chat.say(press(ru('polls.skip')));
      // The last one allowed says so, not "you may ask 0 more".
      expect(chat.replyTexts[0]).toBe(i < 5 ? ru('polls.ask_saved', { left: 5 - i }) : ru('polls.ask_saved_last', { max: 5 }));
    }
    await chat.say('/ask');
    expect(chat.replyTexts).toEqual([ru('errors.DIRECT_LINE_QUESTION_LIMIT', { max: 5 })]);
    const questions = await db.db.selectFrom('direct_line_question').select(['id', 'direct_line_id', 'text', 'category_id']).where('resident_id', '=', residentId).orderBy('id').execute();
    expect(questions.map((q) => [q.text, q.category_id])).toEqual([
      ['Вопрос номер 1', category!.id],
      ['Вопрос номер 2', null],
      ['Вопрос номер 3', null],
      ['Вопрос номер 4', null],
      ['Вопрос номер 5', null],
    ]);

    const { answerQuestion } = await import('../../../core/polls/direct-line.ts');
    await answerQuestion(db.db, questions[0]!.direct_line_id, questions[0]!.id, { text: 'Отвечаем: весной.' }, null, harness.now());
    await chat.deliverOutbox();
    expect(chat.replyTexts.join('\n')).toContain('Отвечаем: весной.');
    expect(chat.replyTexts.join('\n')).toContain('Вопрос номер 1');
  });
});

describe('a long poll title on a VK button', () => {
  it("the list's «📊 Итоги: …» button is cut to 40 characters as VK counts them (an emoji is two) and still opens the results", async () => {
    const { chat } = await registeredChat(db, harness, 'vk', 'Belovo', 'Зоя');
    const finished = await publishedPoll(db.demo.municipalities.Belovo, {
      kind: 'vote',
      title: 'Благоустройство сквера на Весенней улице у школы',
      questions: [{ kind: 'single', text: 'Что благоустроить?', options: ['Парк', 'Сквер'] }],
    });
    await closePoll(db.db, finished.id, harness.now());
    await publishPoll(db.db, finished.id, {}, harness.now());

    await chat.say('/polls');
    const labels = chat.keyboards().flatMap((k) => k.rows.flat().map((b) => b.label));
    // Cut, so the list names it in full and the button by its number (see the next test).
    const number = new RegExp(`^(\\d+)\\. ${finished.title}$`, 'm').exec(chat.replyTexts[0]!)?.[1];
    const results = labels.find((l) => l.startsWith(`📊 Итоги: ${number}. Благоустройство`));
    expect(results).toMatch(/^📊 Итоги: \d+\. Благоустройство сквера .*…$/);
    for (const shown of labels) expect(shown.length).toBeLessThanOrEqual(40);
    await chat.say(press(results!));
    expect(chat.replyTexts[0]).toBe(ru('polls.closed', { title: finished.title }));
  });
});

describe.each(CHANNELS)('poll options too long for a VK button (%s)', (channel) => {
  it('are numbered: the question lists them in full, each button starts with its number, so no two read the same once VK cuts them', async () => {
    const { chat } = await registeredChat(db, harness, channel);
    const school = 'Во дворе дома номер 5 по улице Весенней, у школы';
    const square = 'Во дворе дома номер 5 по улице Весенней, у сквера';
    const park = 'Освещение вдоль всей пешеходной дорожки у парка';
    const river = 'Освещение вдоль всей пешеходной дорожки у реки';
    const poll = await publishedPoll(db.demo.municipalities.Kemerovo, {
      questions: [
        { kind: 'single', text: 'Где поставить площадку?', options: [school, square, 'Нигде'] },
        { kind: 'multiple', text: 'Что добавить?', maxChoices: 2, options: [park, river] },
      ],
    });
    const shownOptions = () =>
      chat
        .keyboards()
        .at(-1)!
        .rows.slice(0, -1)
        .flat()
        .map((b) => b.label);
    await chat.say(`/start poll_${poll.id}`);
    const option = (number: number, text: string) => ru('polls.option_line', { number, text });
    expect(chat.replyTexts.at(-1)).toBe([ru('polls.question', { index: 1, count: 2, text: 'Где поставить площадку?' }), option(1, school), option(2, square), option(3, 'Нигде')].join('\n'));
    const single = shownOptions();
    expect(single).toHaveLength(3);
    expect(new Set(single).size).toBe(3);
    for (const [i, label] of single.entries()) expect(label.startsWith(`${i + 1}. `)).toBe(true);
    await chat.say(press(single[1]!));
    const multiple = shownOptions().slice(0, 2);
    expect(new Set(multiple).size).toBe(2);
    expect(chat.replyTexts.at(-1)).toContain(option(2, river));
    await chat.say(press(multiple[1]!), press(ru('polls.done')));
    // What was chosen is what the summary says, in full.
    expect(chat.replyTexts.at(-1)).toContain(ru('polls.summary_line', { index: 1, question: 'Где поставить площадку?', answer: square }));
    expect(chat.replyTexts.at(-1)).toContain(ru('polls.summary_line', { index: 2, question: 'Что добавить?', answer: river }));
  });
});

describe.each(CHANNELS)('polls whose titles are too long for a VK button (%s)', (channel) => {
  it('/polls lists the titles in full, numbered, and each button starts with its number, so two cut alike are told apart', async () => {
    // A town with few polls of the file's other tests: the list shows 20.
    const town = channel === 'tg' ? 'Novokuznetsk' : 'Belovo';
    const { chat } = await registeredChat(db, harness, channel, town);
    const single = [{ kind: 'single' as const, text: 'Нужно?', options: ['Да', 'Нет'] }];
    const school = await publishedPoll(db.demo.municipalities[town], { title: `Благоустройство двора на Весенней улице у школы ${channel}`, questions: single });
    const square = await publishedPoll(db.demo.municipalities[town], { title: `Благоустройство двора на Весенней улице у сквера ${channel}`, questions: single });
    await chat.say('/polls');
    const list = chat.replyTexts[0]!;
    const numberOf = (title: string) => Number(new RegExp(`^(\\d+)\\. ${title}$`, 'm').exec(list)?.[1]);
    const labels = chat.buttonLabels();
    expect(new Set(labels).size).toBe(labels.length);
    const squareLabel = labels.find((l) => l.startsWith(`${numberOf(square.title)}. `))!;
    expect(labels.find((l) => l.startsWith(`${numberOf(school.title)}. `))).not.toBe(squareLabel);
    await chat.say(press(squareLabel));
    expect(chat.replyTexts[0]).toContain(square.title);
  });
});

describe('one resident, two messengers, one ballot', () => {
  it('the same resident through Telegram and VK is one voter: the second Send is refused and counts nothing', async () => {
    const { chat: tg, residentId } = await registeredChat(db, harness, 'tg', 'Kemerovo', 'Мария');
    const vk = newChat(harness, 'vk', 'Мария');
    await db.db.insertInto('resident_identity').values({ resident_id: residentId, channel: 'vk', external_id: vk.externalId, chat_id: vk.externalId, last_seen_at: harness.now() }).execute();
    const poll = await publishedPoll(db.demo.municipalities.Kemerovo, { kind: 'vote', questions: [{ kind: 'single', text: 'Ремонт моста?', options: ['Да', 'Нет'] }] });

    for (const chat of [tg, vk]) {
      await chat.say(`/start poll_${poll.id}`);
      await chat.say(press('Да'));
      expect(chat.replyTexts.at(-1)).toContain(ru('polls.summary', { title: poll.title }));
    }
    await tg.say(press(ru('polls.send')));
    expect(tg.replyTexts[0]).toBe(ru('polls.thanks'));
    await vk.say(press(ru('polls.send')));
    expect(vk.replyTexts).toContain(ru('errors.POLL_ALREADY_VOTED'));
    const results = await pollResults(db.db, poll.id, { withTexts: false });
    expect(results.voters).toBe(1);
    expect(results.questions[0]!.options.map((o) => o.count)).toEqual([1, 0]);
  });
});

describe.each(CHANNELS)('a direct line called off (%s)', (channel) => {
  it("its announcement's Ask button says it was called off; /ask and the menu no longer offer it", async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Лев');
    const line = await openDirectLine(db.demo.municipalities.Kemerovo, `Прямая линия ${channel}`);
    const announcement = await db.db.selectFrom('broadcast').select('id').where('source', '=', `direct_line:${line.id}`).executeTakeFirstOrThrow();
    await expandFully(db.db, announcement.id);
    await chat.deliverOutbox();
    expect(chat.replyTexts.join('\n')).toContain(`Прямая линия ${channel}`);

    await withdrawDirectLine(db.db, line.id, harness.now());
    await chat.say(press(ru('polls.ask_button')));
    expect(chat.replyTexts).toEqual([ru('errors.DIRECT_LINE_WITHDRAWN')]);
    await chat.say('/ask');
    expect(chat.replyTexts).toEqual([ru('polls.ask_none')]);
    await chat.say('/menu');
    expect(chat.keyboards().flatMap((k) => k.rows.flat().map((b) => b.label))).not.toContain(ru('polls.ask_menu'));
  });

  it('called off while a resident is asking: Skip (or a category) says so once and ends the question, not the same refusal on every press', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel, 'Kemerovo', 'Ада');
    const line = await openDirectLine(db.demo.municipalities.Kemerovo, `Прямая линия, отозванная при вопросе ${channel}`);
    await chat.say('/ask', 'Когда отремонтируют мост?');
    expect(chat.replyTexts).toEqual([ru('polls.ask_sector')]);
    await withdrawDirectLine(db.db, line.id, harness.now());
    await chat.say(press(ru('polls.skip')));
    expect(chat.replyTexts[0]).toBe(ru('errors.DIRECT_LINE_WITHDRAWN'));
    expect(chat.replyTexts).not.toContain(ru('polls.ask_sector'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
    expect(await db.db.selectFrom('direct_line_question').select('id').where('resident_id', '=', residentId).execute()).toEqual([]);
  });

  it('a question written but not sent (its category not chosen), left for /start, is said not to be sent', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel, 'Kemerovo', 'Зина');
    const line = await openDirectLine(db.demo.municipalities.Kemerovo, `Прямая линия, вопрос брошен ${channel}`);
    await chat.say('/ask', 'Будет ли новая школа?');
    expect(chat.replyTexts).toEqual([ru('polls.ask_sector')]);
    await chat.say('/start');
    expect(chat.replyTexts[0]).toBe(ru('polls.ask_draft_discarded'));
    expect(await db.db.selectFrom('direct_line_question').select('id').where('resident_id', '=', residentId).where('direct_line_id', '=', line.id).execute()).toEqual([]);
    // One campaign collects at a time: the next tests open their own.
    await withdrawDirectLine(db.db, line.id, harness.now());
  });

  it('called off with a reason: a resident who asked is told why, once, and its Ask button says why', async () => {
    const { chat } = await registeredChat(db, harness, channel, 'Kemerovo', 'Ада');
    const title = `Прямая линия с причиной ${channel}`;
    const line = await openDirectLine(db.demo.municipalities.Kemerovo, title);
    const announcement = await db.db.selectFrom('broadcast').select('id').where('source', '=', `direct_line:${line.id}`).executeTakeFirstOrThrow();
    await expandFully(db.db, announcement.id);
    await chat.deliverOutbox();
    expect(chat.replyTexts.join('\n')).toContain(title);
    // Two questions from the announcement's button, each without a category.
    for (const question of ['Когда починят дорогу?', 'А мост?']) {
      await chat.say(press(ru('polls.ask_button')));
      await chat.say(question);
      await chat.say(press(ru('polls.skip')));
    }
    expect(chat.replyTexts[0]).toBe(ru('polls.ask_saved', { left: 3 }));
    const reason = 'Глава в командировке, линия переносится';
    await withdrawDirectLine(db.db, line.id, harness.now(), reason);
    await chat.deliverOutbox();
    expect(chat.replyTexts).toEqual([ru('polls.direct_line_withdrawn_notice_reason', { title, head: 'Глава', reason })]);
    await chat.deliverOutbox();
    expect(chat.replyTexts).toEqual([]);
    await chat.say(press(ru('polls.ask_button')));
    expect(chat.replyTexts).toEqual([`${ru('errors.DIRECT_LINE_WITHDRAWN')}\n${ru('errors.withdrawn_reason', { reason })}`]);
  });
});
