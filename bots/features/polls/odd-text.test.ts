import { describe, expect, it } from 'vitest';
import { createDirectLine } from '../../../core/polls/direct-line.ts';
import { createPoll, type Poll, publishPoll } from '../../../core/polls/polls.ts';
import { registeredChat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, location, press } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

/**
 * Texts PostgreSQL cannot store (a NUL) and inputs of the wrong kind in the polls' text steps (a
 * free-text question, a comment on a poll, a question to the direct line): the usual answer and
 * the step again, never "something went wrong".
 */
let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const HOUR = 3_600_000;
const ru = (key: string, params?: Record<string, unknown>) => t('ru', key, params);
const NUL_TEXT = 'Больше урн \u0000 у школы';
/** Texts that show nothing: blank, control characters, zero-width characters, a Hangul filler. */
const BLANK_TEXTS = ['   ', '\u0007\u0008', '\u200b\u200d', '\u3164'];
let seq = 0;

async function textPoll(municipalityId: number): Promise<Poll> {
  const now = harness.now();
  seq += 1;
  const questions = [{ kind: 'text' as const, text: 'Ваши предложения' }];
  const poll = await createPoll(
    db.db,
    { municipalityId, kind: 'poll', title: `Сквер ${seq}`, description: 'Что сделать', startsAt: new Date(now.getTime() - HOUR), endsAt: new Date(now.getTime() + 48 * HOUR), questions },
    null,
    now,
  );
  await publishPoll(db.db, poll.id, { force: true }, now);
  return poll;
}

describe.each(CHANNELS)("%s: odd input in the polls' text steps", (channel) => {
  it('a free-text question: a location gets "write or skip", a NUL the invalid-characters answer, both with the question again; a good text goes on', async () => {
    const { chat } = await registeredChat(db, harness, channel);
    const poll = await textPoll(db.demo.municipalities.Kemerovo);
    await chat.say(`/start poll_${poll.id}`);
    const question = chat.replyTexts.at(-1)!;
    expect(question).toContain('Ваши предложения');

    await chat.say(location(55.36, 86.09));
    expect(chat.replyTexts).toEqual([ru('polls.write_or_skip'), question]);
    await chat.say(NUL_TEXT);
    expect(chat.replyTexts).toEqual([ru('errors.TEXT_INVALID_CHARACTERS'), question]);
    await chat.say('Больше урн у школы');
    expect(chat.replyTexts.at(-1)).toContain(ru('polls.summary', { title: poll.title }));
  });

  it('a free-text answer that shows nothing (blank, control or zero-width characters) gets "write or skip" and the question again, in both messengers; nothing goes to the summary', async () => {
    const { chat } = await registeredChat(db, harness, channel);
    const poll = await textPoll(db.demo.municipalities.Kemerovo);
    await chat.say(`/start poll_${poll.id}`);
    const question = chat.replyTexts.at(-1)!;
    for (const blank of BLANK_TEXTS) {
      await chat.say(blank);
      expect(chat.replyTexts, JSON.stringify(blank)).toEqual([ru('polls.write_or_skip'), question]);
    }
    await chat.say(press(ru('polls.skip')));
    expect(chat.replyTexts.at(-1)).toContain(ru('polls.summary_line', { index: 1, question: 'Ваши предложения', answer: ru('polls.summary_skipped') }));
  });

  it('a free-text answer over 1000 characters is refused with its length and the question again (its Skip button with it), as the other refusals there', async () => {
    const { chat } = await registeredChat(db, harness, channel);
    const poll = await textPoll(db.demo.municipalities.Kemerovo);
    await chat.say(`/start poll_${poll.id}`);
    const question = chat.replyTexts.at(-1)!;
    await chat.say('о'.repeat(1001));
    expect(chat.replyTexts).toEqual([ru('errors.TEXT_TOO_LONG', { max: 1000, length: 1001 }), question]);
    expect(chat.buttonLabels()).toContain(ru('polls.skip'));
  });

  it('a comment on a poll with a NUL, or one that shows nothing, is refused with the usual answer and the prompt again, and nothing is stored', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel);
    const poll = await textPoll(db.demo.municipalities.Kemerovo);
    await chat.say(`/start poll_${poll.id}`, press(ru('polls.comment')));
    await chat.say(NUL_TEXT);
    expect(chat.replyTexts).toEqual([ru('errors.TEXT_INVALID_CHARACTERS'), ru('item_comments.prompt', { max: 1000 })]);
    // Nor is a comment that shows nothing (it would be listed as an empty line).
    for (const blank of BLANK_TEXTS.slice(1)) {
      await chat.say(blank);
      expect(chat.replyTexts, JSON.stringify(blank)).toEqual([ru('errors.TEXT_EMPTY'), ru('item_comments.prompt', { max: 1000 })]);
    }
    expect(await db.db.selectFrom('item_comment').select('id').where('resident_id', '=', residentId).execute()).toEqual([]);
  });

  it('a question to the direct line with a NUL, or one that shows nothing, is refused with the usual answer and the prompt again', async () => {
    const town = channel === 'tg' ? 'Novokuznetsk' : 'Belovo';
    const { chat } = await registeredChat(db, harness, channel, town);
    const now = harness.now();
    const line = {
      municipalityId: db.demo.municipalities[town],
      title: 'Прямая линия',
      headName: 'Глава',
      collectFrom: new Date(now.getTime() - HOUR),
      collectTo: new Date(now.getTime() + 48 * HOUR),
      broadcastOn: '2026-12-30',
    };
    await createDirectLine(db.db, line, null, now);
    await chat.say('/ask');
    const prompt = chat.replyTexts.at(-1)!;
    await chat.say(NUL_TEXT);
    expect(chat.replyTexts).toEqual([ru('errors.TEXT_INVALID_CHARACTERS'), prompt]);
    for (const blank of BLANK_TEXTS.slice(1)) {
      await chat.say(blank);
      expect(chat.replyTexts, JSON.stringify(blank)).toEqual([ru('errors.TEXT_EMPTY'), prompt]);
    }
  });
});
