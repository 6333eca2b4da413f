import { describe, expect, it } from 'vitest';
import { filedMessageOf, newChat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { KEMEROVO, location, photos, press } from '../../../test/bots/player.ts';
import type { RecordedCall } from '../../../test/fakes/telegram-api.ts';
import type { Conversation } from '../../../test/telegram/conversation.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const count = (key: string, n: number) => t('ru', key, { count: n, max: 5 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The hold of an album's line is 1.5 s: photos further apart than this come after the line went out. */
const SLOW_UPLOAD_MS = 2000;

async function registered(): Promise<Conversation> {
  const chat = newChat(harness, 'tg') as Conversation;
  await chat.playFixture('registration.json');
  return chat;
}

/** A registered resident at the filing's photos step (text and place given). */
async function atPhotosStep(): Promise<Conversation> {
  const chat = await registered();
  await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у вокзала.', location(KEMEROVO.lat, KEMEROVO.lon));
  return chat;
}

/** The text calls (sent and edited) that reached the fake Bot API for the chat since `from`. */
const textCalls = (chat: Conversation, from = 0): RecordedCall[] =>
  harness.fake.calls.slice(from).filter((c) => (c.method === 'sendMessage' || c.method === 'editMessageText') && String(c.params.chat_id) === String(chat.chatId));
const messageIdOf = (call: RecordedCall) => Number((call.result as { message_id: number }).message_id);
const labels = (call: RecordedCall) => ((call.params.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined)?.inline_keyboard ?? []).flat().map((b) => b.text);

/** An album's photos as Telegram posts them, one update each, `gapMs` apart (a slow upload). */
async function albumSlowly(chat: Conversation, ids: string[], gapMs = SLOW_UPLOAD_MS): Promise<void> {
  const updates = chat.updates(photos(...ids));
  for (const [i, update] of updates.entries()) {
    const started = Date.now();
    await chat.postInTurn([update]);
    // postInTurn waits for the held line to go out; the next photo comes `gapMs` after this one.
    if (i < updates.length - 1) await sleep(Math.max(0, gapMs - (Date.now() - started)));
  }
}

describe('tg: an album whose photos come further apart than the line is held', () => {
  it('two photos 2 s apart: one count line, sent for the first and edited to the final count by the second', async () => {
    const chat = await atPhotosStep();
    const from = harness.fake.calls.length;
    await albumSlowly(chat, ['s-101', 's-102']);
    const calls = textCalls(chat, from);
    expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'editMessageText']);
    const [sent, edited] = calls as [RecordedCall, RecordedCall];
    expect(sent.params.text).toBe(count('filing.photo_added', 1));
    expect(edited.params.message_id).toBe(messageIdOf(sent));
    expect(edited.params.text).toBe(count('filing.photo_added', 2));
    // The edited line keeps «Готово», its button of the step as it is now.
    expect(labels(edited)).toEqual([t('ru', 'filing.photos_done')]);
    await chat.say(press(t('ru', 'filing.photos_done')));
    expect(chat.replyTexts.at(-1)).toContain('Фото: 2 фотографии');
    await chat.say(press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toMatchObject({ photos: 2 });
  });

  it('the line deleted meanwhile (400 "message to edit not found"): a new line is sent, and the album\'s next photo edits that one', async () => {
    const chat = await atPhotosStep();
    const from = harness.fake.calls.length;
    harness.fake.failNext({ status: 400, description: 'Bad Request: message to edit not found' }, { method: 'editMessageText', chatId: chat.chatId });
    await albumSlowly(chat, ['n-101', 'n-102', 'n-103']);
    const calls = textCalls(chat, from);
    expect(calls.map((c) => [c.method, c.params.text])).toEqual([
      ['sendMessage', count('filing.photo_added', 1)],
      ['sendMessage', count('filing.photo_added', 2)],
      ['editMessageText', count('filing.photo_added', 3)],
    ]);
    expect(harness.fake.rejected.filter((c) => c.method === 'editMessageText' && String(c.params.chat_id) === String(chat.chatId))).toHaveLength(1);
    expect(calls[2]!.params.message_id).toBe(messageIdOf(calls[1]!));
    expect(await db.db.selectFrom('outbox').select('state').where('chat_id', '=', String(chat.chatId)).where('state', '!=', 'sent').execute()).toEqual([]);
  });

  it('the fifth photo late: the line edited to "5 of 5" (its «Готово» gone), the summary after it; a later album gets a line of its own', async () => {
    const chat = await atPhotosStep();
    const from = harness.fake.calls.length;
    await chat.sayInTurn(photos('f-100'));
    await albumSlowly(chat, ['f-101', 'f-102', 'f-103', 'f-104'], SLOW_UPLOAD_MS);
    const calls = textCalls(chat, from);
    // The photo of its own: a line of its own; the album: one line, edited per photo that came late.
    expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'sendMessage', 'editMessageText', 'editMessageText', 'editMessageText', 'sendMessage']);
    const albumLine = messageIdOf(calls[1]!);
    expect(calls.slice(2, 5).map((c) => c.params.message_id)).toEqual([albumLine, albumLine, albumLine]);
    expect(calls[4]!.params.text).toBe(count('filing.photo_last', 5));
    expect(labels(calls[4]!)).toEqual([]);
    expect(String(calls[5]!.params.text)).toMatch(/^Проверьте сообщение/);
  });

  it('at the place step: the line with the place button is edited in its text, the button stays from the line it edits', async () => {
    const chat = await registered();
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у вокзала.');
    const from = harness.fake.calls.length;
    await albumSlowly(chat, ['l-101', 'l-102']);
    const calls = textCalls(chat, from);
    expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'editMessageText']);
    expect(calls[0]!.params.text).toBe(count('filing.photo_kept_location', 1));
    expect((calls[0]!.params.reply_markup as { keyboard?: unknown }).keyboard).toBeDefined();
    expect(calls[1]!.params).toMatchObject({ message_id: messageIdOf(calls[0]!), text: count('filing.photo_kept_location', 2) });
    expect(calls[1]!.params.reply_markup).toBeUndefined();
    // The place given: the photos step counts the two kept, in a line of its own (no album answered).
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.replies.map((c) => c.method)).toEqual(['sendMessage', 'sendMessage']);
    expect(chat.replyTexts.at(-1)).toBe(count('filing.photo_added', 2));
  });

  it("a second album, even slow, does not edit the first one's line", async () => {
    const chat = await atPhotosStep();
    await albumSlowly(chat, ['a-101', 'a-102']);
    const from = harness.fake.calls.length;
    await albumSlowly(chat, ['b-101', 'b-102']);
    const calls = textCalls(chat, from);
    expect(calls.map((c) => [c.method, c.params.text])).toEqual([
      ['sendMessage', count('filing.photo_added', 3)],
      ['editMessageText', count('filing.photo_added', 4)],
    ]);
    expect(calls[1]!.params.message_id).toBe(messageIdOf(calls[0]!));
  });
});
