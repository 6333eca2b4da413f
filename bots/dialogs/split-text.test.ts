import { describe, expect, it } from 'vitest';
import { dialogStateOf, newChat, perChannel, residentOf, type Chat } from '../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, press } from '../../test/bots/player.ts';
import type { TestDatabase } from '../../test/database.ts';
import { createTranslator } from '../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const toText = ['/new', press('Дороги'), press('Ямы на дороге')];
const SENTENCE = 'Во дворе дома 12 по улице Весенней глубокая яма, машины объезжают её по тротуару. ';
/** A piece of a long text: exactly `length` characters, no space at either end (as a messenger cuts between words). */
const piece = (length: number, from = 0) => `я${SENTENCE.repeat(Math.ceil((length + from) / SENTENCE.length)).slice(from + 1, from + length - 1)}.`;
/** A fixed moment for the pieces of one text (the messages' `date`, Unix seconds); a person's later message is a minute on. */
const SENT = 1_780_000_000;

/** A text message as the messenger delivers it, with its `date` given: the pieces of a split text share it. */
const messageAt = (chat: Chat, text: string, date: number) => (chat.channel === 'tg' ? { message: { text, date } } : { type: 'message_new', object: { message: { text, date } } });

/** One message, its replies awaited before the next is sent. */
async function sendAt(chat: Chat, text: string, date: number): Promise<void> {
  await chat.post(messageAt(chat, text, date));
}

/** The pieces of a split text as the messenger delivers them: each right after the one before, the replies of all awaited at the end. */
async function sendPieces(chat: Chat, pieces: [text: string, date: number][]): Promise<void> {
  expect(await chat.postInTurn(pieces.map(([text, date]) => messageAt(chat, text, date)))).toEqual(pieces.map(() => 200));
}

/** The description kept in the filing draft (dialog_state data), if any. */
const draftText = async (chat: Chat) => {
  const row = await db.db.selectFrom('dialog_state').select('data').where('channel', '=', chat.channel).where('external_id', '=', chat.externalId).executeTakeFirstOrThrow();
  return (row.data as { data?: { text?: string } }).data?.text;
};

const tooLong = (length: number) => t('ru', 'errors.TEXT_TOO_LONG', { max: 4000, length });
const textPrompt = t('ru', 'filing.text', { max: 4000 });
const locationPrompt = (chat: Chat) => t('ru', perChannel(chat.channel, { tg: 'filing.location', vk: 'filing.location_vk' }));

describe.each(CHANNELS)('%s: a text the messenger split into several messages', (channel) => {
  const registered = async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    return chat;
  };

  it('the description step refuses it once, with the limit; no piece becomes the description, the step stays; a shorter text later is taken', async () => {
    const chat = await registered();
    await chat.say(...toText);
    const [first, second, third] = [piece(4096), piece(4096, 4096), piece(700, 8192)];
    await sendAt(chat, first, SENT);
    expect(chat.replyTexts).toEqual([tooLong(4096), textPrompt]);
    // The other pieces, sent at the same moment (the last one's date a second on), get no answer of their own.
    await sendAt(chat, second, SENT);
    expect(chat.replyTexts).toEqual([]);
    await sendAt(chat, third, SENT + 1);
    expect(chat.replyTexts).toEqual([]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
    expect(await draftText(chat)).toBeUndefined();

    // The resident shortens it: a new message, later, is the description.
    await sendAt(chat, 'Глубокая яма во дворе дома 12 по улице Весенней.', SENT + 90);
    expect(chat.replyTexts).toEqual([locationPrompt(chat)]);
    expect(await draftText(chat)).toBe('Глубокая яма во дворе дома 12 по улице Весенней.');
  });

  it('a first piece short enough to be taken (cut at a paragraph) is taken back by the next piece of the same second: one refusal for the whole text, the description step again', async () => {
    const chat = await registered();
    await chat.say(...toText);
    const [first, second, third] = [piece(3900), piece(4000, 3900), piece(300, 7900)];
    await sendAt(chat, first, SENT);
    expect(chat.replyTexts).toEqual([locationPrompt(chat)]);
    await sendAt(chat, second, SENT);
    expect(chat.replyTexts).toEqual([tooLong(3900 + 1 + 4000), textPrompt]);
    // The location button shown for the first piece is taken away with the refusal.
    expect(chat.keyboards()[0]).toMatchObject({ removed: true });
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
    expect(await draftText(chat)).toBeUndefined();
    await sendAt(chat, third, SENT + 1);
    expect(chat.replyTexts).toEqual([]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
    // A location button tapped from the first piece's prompt would be out of date: the step is the description again.
    await sendAt(chat, 'Яма во дворе.', SENT + 60);
    expect(chat.replyTexts).toEqual([locationPrompt(chat)]);
    expect(await draftText(chat)).toBe('Яма во дворе.');
  });

  it('pieces handled out of order (the short tail first) are refused the same', async () => {
    const chat = await registered();
    await chat.say(...toText);
    await sendAt(chat, piece(600, 4096), SENT);
    expect(chat.replyTexts).toEqual([locationPrompt(chat)]);
    await sendAt(chat, piece(4096), SENT);
    expect(chat.replyTexts).toEqual([tooLong(600 + 1 + 4096), textPrompt]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
    expect(await draftText(chat)).toBeUndefined();
  });

  it('any text step with a limit: the address (300 characters) is refused once and stays unset', async () => {
    const chat = await registered();
    await chat.say(...toText, 'Яма.', location(KEMEROVO.lat, KEMEROVO.lon), press(t('ru', 'filing.skip_photos')), press(t('ru', 'filing.add_address')));
    await sendAt(chat, piece(4096), SENT);
    expect(chat.replyTexts).toEqual([t('ru', 'filing.address_too_long', { max: 300, length: piece(4096).length }), t('ru', 'filing.address', { max: 300 })]);
    await sendAt(chat, piece(200, 4096), SENT);
    expect(chat.replyTexts).toEqual([]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'address' });
    await sendAt(chat, 'ул. Весенняя, 12', SENT + 60);
    expect(chat.replyTexts.join('\n')).toContain('ул. Весенняя, 12');
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'summary' });
  });

  it('a long text between flows gets one hint, not one per piece', async () => {
    const chat = await registered();
    await sendAt(chat, piece(4096), SENT);
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.hint'), t('ru', 'menu.main')]);
    await sendAt(chat, piece(900, 4096), SENT);
    expect(chat.replyTexts).toEqual([]);
  });

  it('a first piece taken with an effect that stays (a comment added) is not followed by the rest as another answer: the resident is told once that only the first part was taken', async () => {
    const chat = await registered();
    await chat.playFixture('file-message.json');
    await chat.say('/my', press('№'), press(t('ru', 'my.add_comment')));
    const first = piece(3900);
    await sendAt(chat, first, SENT);
    expect(chat.replyTexts[0]).toContain('добавлен');
    await sendAt(chat, piece(4000, 3900), SENT);
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.split_text_rest'));
    await sendAt(chat, piece(300, 7900), SENT + 1);
    expect(chat.replyTexts).toEqual([]);
    const comments = await db.db
      .selectFrom('comment')
      .innerJoin('message', 'message.id', 'comment.message_id')
      .select('comment.text')
      .where('message.author_id', '=', await residentOf(db, chat))
      .where('comment.author_kind', '=', 'resident')
      .execute();
    expect(comments).toEqual([{ text: first }]);
  });

  it('pieces delivered one right after another: the one refusal gives the length of the whole text, not of its first piece', async () => {
    const chat = await registered();
    await chat.say(...toText);
    await sendPieces(chat, [
      [piece(4096), SENT],
      [piece(4096, 4096), SENT],
      [piece(700, 8192), SENT + 1],
    ]);
    expect(chat.replyTexts).toEqual([tooLong(4096 + 1 + 4096 + 1 + 700), textPrompt]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
    expect(await draftText(chat)).toBeUndefined();
    await sendAt(chat, 'Яма у дома 12.', SENT + 90);
    expect(chat.replyTexts).toEqual([locationPrompt(chat)]);
    expect(await draftText(chat)).toBe('Яма у дома 12.');
  });

  it("pieces delivered one right after another, the first taken at first: one refusal with the whole length, never the next step's prompt", async () => {
    const chat = await registered();
    await chat.say(...toText);
    await sendPieces(chat, [
      [piece(3900), SENT],
      [piece(4000, 3900), SENT],
      [piece(300, 7900), SENT + 1],
    ]);
    // The first piece's answer (the place step's prompt) was held back and withdrawn: the resident is never asked for the place.
    expect(chat.replyTexts).toEqual([tooLong(3900 + 1 + 4000 + 1 + 300), textPrompt]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
    expect(await draftText(chat)).toBeUndefined();
  });

  it('two short texts a person sends in the same second are two answers: only a piece near the limit is taken for part of a split text', async () => {
    const chat = await registered();
    await chat.say(...toText);
    await sendAt(chat, 'Яма у дома 12.', SENT);
    expect(chat.replyTexts).toEqual([locationPrompt(chat)]);
    // The same second: the place step answers it; the description stays the first text.
    await sendAt(chat, 'Второй подъезд.', SENT);
    expect(chat.replyTexts).not.toEqual([]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'location' });
    expect(await draftText(chat)).toBe('Яма у дома 12.');
  });

  it('between flows, short texts of one second, or a second after a hint, each get the hint', async () => {
    const chat = await registered();
    const hint = [t('ru', 'dialog.hint'), t('ru', 'menu.main')];
    await sendAt(chat, 'Эээ', SENT);
    expect(chat.replyTexts).toEqual(hint);
    await sendAt(chat, 'Как сообщить о яме?', SENT);
    expect(chat.replyTexts).toEqual(hint);
    await sendAt(chat, 'Ответьте, пожалуйста', SENT + 1);
    expect(chat.replyTexts).toEqual(hint);
  });

  it('two texts a person sends seconds apart are two answers', async () => {
    const chat = await registered();
    await chat.say(...toText);
    await sendAt(chat, piece(4096), SENT);
    expect(chat.replyTexts).toEqual([tooLong(4096), textPrompt]);
    // Three seconds on: not a piece of the refused text but the resident's next message.
    await sendAt(chat, 'Яма у дома 12.', SENT + 3);
    expect(chat.replyTexts).toEqual([locationPrompt(chat)]);
    expect(await draftText(chat)).toBe('Яма у дома 12.');
  });
});
