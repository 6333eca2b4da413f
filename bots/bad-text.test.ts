import { describe, expect, it } from 'vitest';
import { draftAnswer } from '../core/messages/answers.service.ts';
import { fileMessage } from '../core/messages/filing.service.ts';
import type { TestDatabase } from '../test/database.ts';
import { categoryId, KEMEROVO_CENTER } from '../test/residents.ts';
import { staffAct } from '../test/staff-actions.ts';
import { CHATS, linkedOfficial, residentOf, type Chat, type MakeChat } from '../test/chats.ts';
import { demoStaff, messageInWork } from '../test/staff.ts';
import { Conversation } from '../test/telegram/conversation.ts';
import { type BotHarness, botHarnessPerFile } from '../test/bots/harness.ts';
import { newVkUser, VkConversation } from '../test/vk/conversation.ts';
import { newUser, text } from '../test/telegram/updates.ts';
import { createTranslator } from './i18n.ts';

/**
 * NUL and lone UTF-16 surrogates in every text step of both bots (Telegram and VK updates carry
 * them as "\u0000" and "\ud800" JSON escapes): the resident gets the step's usual validation
 * answer and its prompt again, never the generic apology, and nothing is stored. Strings that are
 * not typed text (names, payloads) are made storable instead.
 */
let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

/** Where the dialog is and the step's data; the engine's `lastText` (a split text's pieces are told by it) is left out. */
const stepOf = async (chat: Chat) => {
  const row = await db.db.selectFrom('dialog_state').select(['flow', 'step', 'data']).where('channel', '=', chat.channel).where('external_id', '=', chat.externalId).executeTakeFirstOrThrow();
  const { lastText: _lastText, ...data } = row.data as Record<string, unknown>;
  return { ...row, data };
};
const counts = async () => {
  const n = async (table: 'comment' | 'answer' | 'message') =>
    Number(
      (
        await db.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    comments: await n('comment'),
    answers: await n('answer'),
    messages: await n('message'),
    complaints: (await db.db.selectFrom('rating').select('complaint').where('complaint', 'is not', null).execute()).length,
  };
};

async function filedMessage(chat: Chat): Promise<number> {
  const { message } = await fileMessage(
    db.db,
    { residentId: await residentOf(db.db, chat), categoryId: await categoryId(db.db, 'roads.pothole'), text: 'Яма во дворе', point: KEMEROVO_CENTER, channel: chat.channel },
    new Date(),
  );
  return message.id;
}

/** Each text step: how a fresh chat gets there, and the prompt it shows there. */
const TEXT_STEPS: { name: string; reach(make: MakeChat): Promise<{ chat: Chat; prompt: string }> }[] = [
  {
    name: 'filing: the message text',
    async reach(make) {
      const chat = make(harness);
      await chat.register();
      await chat.say('/new');
      await chat.press('Дороги');
      await chat.press('Ямы на дороге');
      return { chat, prompt: t('ru', 'filing.text', { max: 4000 }) };
    },
  },
  {
    name: "a comment on one's message",
    async reach(make) {
      const chat = make(harness);
      await chat.register();
      const messageId = await filedMessage(chat);
      await chat.tap(`!c:${messageId}`);
      return { chat, prompt: t('ru', 'my.comment_prompt', { messageId }) };
    },
  },
  {
    name: 'what is wrong, after a low rating',
    async reach(make) {
      const chat = make(harness);
      await chat.register();
      const messageId = await filedMessage(chat);
      await staffAct(db.db, chat.channel, chat.externalId, 'accept', {});
      await staffAct(db.db, chat.channel, chat.externalId, 'final_solved', {});
      await chat.tap(`!r:${messageId}:2`);
      return { chat, prompt: t('ru', 'my.complaint_prompt', { messageId }) };
    },
  },
  {
    name: 'the reply to a clarification request (free text)',
    async reach(make) {
      const chat = make(harness);
      await chat.register();
      await filedMessage(chat);
      await staffAct(db.db, chat.channel, chat.externalId, 'accept', {});
      await staffAct(db.db, chat.channel, chat.externalId, 'clarification', { text: 'Уточните адрес.' });
      // Free text outside any step: after the refusal comes the main menu, and the request still waits.
      return { chat, prompt: '' };
    },
  },
  {
    name: "an official's answer text",
    async reach(make) {
      const staff = await demoStaff(db.db, db.demo.municipalities.Kemerovo);
      const messageId = await messageInWork(db.db, { municipalityId: db.demo.municipalities.Kemerovo, acceptedAt: new Date() });
      const chat = await linkedOfficial(db.db, make(harness), staff.executor, harness.now());
      await chat.tap(`ans1:i:${messageId}`);
      return { chat, prompt: t('ru', 'official.write_text', { kind: t('ru', 'official.kind_intermediate'), messageId, max: 4000 }) };
    },
  },
  {
    name: "a curator's remark when returning an answer",
    async reach(make) {
      const staff = await demoStaff(db.db, db.demo.municipalities.Kemerovo);
      const messageId = await messageInWork(db.db, { municipalityId: db.demo.municipalities.Kemerovo, acceptedAt: new Date() });
      const { answer } = await draftAnswer(db.db, { messageId, kind: 'intermediate', text: 'В работе.', actor: { kind: 'staff', staffId: staff.executor } }, new Date());
      expect(answer.state).toBe('draft');
      const chat = await linkedOfficial(db.db, make(harness), staff.curator, harness.now());
      await chat.tap(`apr1:r:${answer.id}`);
      return { chat, prompt: t('ru', 'official.write_remark', { messageId }) };
    },
  },
];

const BAD = [
  ['NUL', 'Яма\u0000 во дворе'],
  ['a lone high surrogate', 'Яма \ud83d во дворе'],
  ['a lone low surrogate', '\ude00'],
] as const;

describe.each(CHATS)('%s: bad characters in text steps', (_, make) => {
  it.each(TEXT_STEPS.map((s) => [s.name, s] as const))('%s: the validation answer and the prompt again; nothing stored', async (_name, step) => {
    const { chat, prompt } = await step.reach(make);
    const before = { state: await stepOf(chat), counts: await counts() };
    for (const [what, value] of BAD) {
      const replies = await chat.say(value);
      expect(replies[0], what).toBe(t('ru', 'errors.TEXT_INVALID_CHARACTERS'));
      expect(replies).not.toContain(t('ru', 'errors.unexpected'));
      if (prompt) expect(replies.join('\n'), what).toContain(prompt);
      expect(await stepOf(chat), what).toEqual(before.state);
    }
    expect(await counts()).toEqual(before.counts);
    // The step still works: a clean text goes through (the filing step moves on to the location).
    const replies = await chat.say('Яма во дворе, второй подъезд.');
    expect(replies[0]).not.toBe(t('ru', 'errors.TEXT_INVALID_CHARACTERS'));
    expect(replies).not.toContain(t('ru', 'errors.unexpected'));
  });
});

describe('strings the resident did not type are made storable, not refused', () => {
  it('Telegram: a username and a /start payload with NUL and a lone surrogate', async () => {
    const user = { ...newUser(), username: 'anna\u0000_k\ud800' };
    const conversation = new Conversation(harness, user);
    expect(await conversation.send(text('/start poll\u0000_4\udc002'))).toBe(200);
    expect(conversation.replyTexts[0]).toBe(t('ru', 'reg.choose_language'));
    const identity = await db.db.selectFrom('resident_identity').select('username').where('channel', '=', 'tg').where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    expect(identity.username).toBe('anna_k\ufffd');
    const payloads = await db.db.selectFrom('start_payload').select('payload').where('external_id', '=', String(user.id)).execute();
    expect(payloads).toEqual([{ payload: 'poll_4\ufffd2' }]);
  });

  it('VK: an event_id and a deep-link ref with NUL', async () => {
    const user = newVkUser();
    const conversation = new VkConversation(harness, user);
    const answer = await conversation.send({ type: 'message_new', event_id: 'evt\u0000-1', object: { message: { text: 'Привет', ref: 'poll\u0000_7' } } });
    expect(answer).toEqual({ status: 200, body: 'ok' });
    expect(conversation.replyTexts[0]).toBe(t('ru', 'reg.choose_language'));
    expect(await db.db.selectFrom('processed_update').select('update_id').where('channel', '=', 'vk').where('update_id', '=', 'evt-1').execute()).toHaveLength(1);
    const payloads = await db.db.selectFrom('start_payload').select('payload').where('channel', '=', 'vk').where('external_id', '=', String(user.id)).execute();
    expect(payloads).toEqual([{ payload: 'poll_7' }]);
  });
});

/** Texts that show nothing: control characters, zero-width ones, the blank "letters" sent to post an empty-looking message. */
const BLANK = [
  ['control characters', '\u0007\u0008'],
  ['zero-width characters', '\u200b\u200d\ufeff'],
  ['a Hangul filler', '\u3164'],
  ['a braille blank', '\u2800 \u2800'],
] as const;

describe.each(CHATS)('%s: texts that show nothing in text steps', (_, make) => {
  it.each(TEXT_STEPS.map((s) => [s.name, s] as const))('%s: refused as empty with the prompt again; nothing stored', async (_name, step) => {
    const { chat, prompt } = await step.reach(make);
    const before = { state: await stepOf(chat), counts: await counts() };
    for (const [what, value] of BLANK) {
      const replies = await chat.say(value);
      expect(replies[0], what).toBe(t('ru', 'errors.TEXT_EMPTY'));
      if (prompt) expect(replies.join('\n'), what).toContain(prompt);
      expect(await stepOf(chat), what).toEqual(before.state);
    }
    expect(await counts()).toEqual(before.counts);
  });
});
