import { describe, expect, it } from 'vitest';
import { dialogStateOf, newChat, residentOf, type Chat } from '../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, press, tap } from '../../test/bots/player.ts';
import type { TestDatabase } from '../../test/database.ts';
import { createTranslator } from '../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
/** The app's clock runs this far ahead of the wall clock: a tap "a minute later". */
let ahead = 0;
botHarnessPerFile(
  (opened, started) => {
    db = opened;
    harness = started;
  },
  { clock: () => new Date(Date.now() + ahead) },
);

/** The presses the bot answered (the spinner stopped) so far in this chat. */
function pressesAnswered(chat: Chat): number {
  if (chat.channel === 'tg') return harness.fake.calls.filter((c) => c.method === 'answerCallbackQuery' && String(c.params.callback_query_id).startsWith('cb-')).length;
  return harness.vkFake.calls.filter((c) => c.method === 'messages.sendMessageEventAnswer' && c.params.user_id === String(chat.userId)).length;
}

/** A press of the button `id` as the messenger sends it, with a fresh update id each time. */
const tapUpdate = (chat: Chat, id: string) => (chat.channel === 'tg' ? { callback_query: { data: id } } : { type: 'message_event', object: { payload: { b: id } } });

describe.each(CHANNELS)('%s: the same step button tapped twice', (channel) => {
  it('a second tap of the button that just moved the dialog is answered quietly: no «out of date», the step not shown again', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new');
    const roads = chat.buttonId('Дороги');
    await chat.say(tap(roads));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.category')]);
    const answered = pressesAnswered(chat);
    await chat.say(tap(roads));
    expect(chat.replyTexts).toEqual([]);
    expect(pressesAnswered(chat)).toBe(answered + 1);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'category' });
    // The dialog goes on from where it is.
    await chat.say(press('Ямы на дороге'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.text', { max: 4000 })]);
  });

  it('«Send» tapped twice at once files one message; the second press gets no error', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у школы.', location(KEMEROVO.lat, KEMEROVO.lon), press(t('ru', 'filing.skip_photos')));
    const send = chat.buttonId(t('ru', 'filing.send'));
    const texts = () => (channel === 'tg' ? harness.fake.textsTo(chat.externalId) : harness.vkFake.textsTo(chat.externalId));
    const before = texts().length;
    const answered = pressesAnswered(chat);
    await Promise.all([chat.send(tapUpdate(chat, send)), chat.send(tapUpdate(chat, send))]);
    await harness.repliesSent();
    expect(
      await db.db
        .selectFrom('message')
        .select('id')
        .where('author_id', '=', await residentOf(db, chat))
        .execute(),
    ).toHaveLength(1);
    const said = texts().slice(before);
    expect(said.filter((text) => text.startsWith('Сообщение №'))).toHaveLength(1);
    expect(said).not.toContain(t('ru', 'dialog.outdated'));
    expect(pressesAnswered(chat)).toBe(answered + 2);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('the same button a minute later, or another button of an old keyboard, is still «out of date»', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new');
    const roads = chat.buttonId('Дороги');
    await chat.say(tap(roads));
    const pits = chat.buttonId('Ямы на дороге');
    await chat.say(tap(pits));
    // Not the tap that moved the dialog last: out of date.
    await chat.say(tap(roads));
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.outdated'));
    await chat.say(tap(pits));
    expect(chat.replyTexts).toEqual([]);
    ahead = 61_000;
    try {
      await chat.say(tap(pits));
      expect(chat.replyTexts).toEqual([t('ru', 'dialog.outdated'), t('ru', 'filing.text', { max: 4000 })]);
    } finally {
      ahead = 0;
    }
  });
});
