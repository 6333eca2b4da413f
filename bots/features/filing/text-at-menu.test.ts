import { beforeEach, describe, expect, it } from 'vitest';
import { dialogStateOf, filedMessageOf, newChat, registeredChat, residentOf } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, press, tap, type ChannelName } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import type { RecordedVkCall } from '../../../test/fakes/vk-api.ts';
import type { VkConversation } from '../../../test/vk/conversation.ts';
import { OFFER_TTL_MS } from '../../dialogs/idle.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
/** How far the app's clock runs ahead of the wall clock (a resident who comes back a day later, without waiting). */
let ahead = 0;
botHarnessPerFile(
  (opened, started) => {
    db = opened;
    harness = started;
  },
  { clock: () => new Date(Date.now() + ahead) },
);
beforeEach(() => {
  ahead = 0;
});

const PROBLEM = 'На улице Ленина 5 третий день не вывозят мусор';
const OFFER = t('ru', 'filing.file_with_text');
const HINT = [t('ru', 'dialog.hint'), t('ru', 'menu.main')];

const registered = async (channel: ChannelName) => (await registeredChat(db, harness, channel)).chat;
/** The chat's dialog data (the filing draft's description). */
const draftText = async (chat: { channel: ChannelName; externalId: string }) => {
  const row = await db.db.selectFrom('dialog_state').select('data').where('channel', '=', chat.channel).where('external_id', '=', chat.externalId).executeTakeFirstOrThrow();
  return (row.data as { data?: { text?: unknown } }).data?.text;
};

describe.each(CHANNELS)('%s: a problem described in words at the main menu', (channel) => {
  it('gets a short hint and the button; its press files the message with the text as the description, the text step skipped', async () => {
    const chat = await registered(channel);
    await chat.say(PROBLEM);
    expect(chat.replyTexts).toEqual([t('ru', 'filing.text_offer')]);
    expect(chat.buttonLabels()).toEqual([OFFER, t('ru', 'menu.back_to_menu')]);
    expect(chat.keyboards()[0]!.inline).toBe(true);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });

    await chat.say(press(OFFER));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.start_with_text'), t('ru', 'filing.sector')]);
    await chat.say(press('ЖКХ'), press('Благоустройство двора'));
    // Straight to the place: the description is there.
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'location' });
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon), press(t('ru', 'filing.skip_photos')));
    expect(chat.replyTexts.at(-1)).toContain(PROBLEM);
    await chat.say(press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toEqual({ text: PROBLEM, photos: 0 });
  });

  it('kept across other things done meanwhile: the menu, my messages, then the button', async () => {
    const chat = await registered(channel);
    await chat.say(PROBLEM);
    await chat.say(press(t('ru', 'menu.back_to_menu')), press(t('ru', 'menu.my')), '/help');
    await chat.say(press(OFFER));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.start_with_text'), t('ru', 'filing.sector')]);
    expect(await draftText(chat)).toBe(PROBLEM);
  });

  it('pressed twice: the second press is quiet, nothing restarted; pressed again after the text was used, filing starts as from the menu', async () => {
    const chat = await registered(channel);
    await chat.say(PROBLEM);
    await chat.say(press(OFFER));
    await chat.say(press(OFFER));
    expect(chat.replyTexts).toEqual([]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'sector' });
    await chat.say(press('ЖКХ'));
    // A minute on, a press of it shows where the filing is, with the description still kept.
    ahead += 2 * 60_000;
    await chat.say(press(OFFER));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.category')]);
    expect(await draftText(chat)).toBe(PROBLEM);

    await chat.say('/cancel');
    await chat.say(press(OFFER));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.sector')]);
    await chat.say(press('ЖКХ'), press('Благоустройство двора'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
    expect(
      await db.db
        .selectFrom('message')
        .select('id')
        .where('author_id', '=', await residentOf(db, chat))
        .execute(),
    ).toEqual([]);
  });

  it('pressed after a day: filing starts as from the menu, nothing said against the press, the text asked', async () => {
    const chat = await registered(channel);
    await chat.say(PROBLEM);
    ahead += OFFER_TTL_MS + 60_000;
    await chat.say(press(OFFER));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.sector')]);
    await chat.say(press('ЖКХ'), press('Благоустройство двора'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
  });

  it('a later text offered: the older button does not take its text; the newer one takes its own', async () => {
    const chat = await registered(channel);
    await chat.say(PROBLEM);
    const older = chat.buttonId(OFFER);
    const later = 'Во дворе дома 12 по улице Весенней разбита детская площадка.';
    await chat.say(later);
    expect(chat.replyTexts).toEqual([t('ru', 'filing.text_offer')]);
    await chat.say(tap(older));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.sector')]);
    await chat.say('/cancel', press(OFFER));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.start_with_text'), t('ru', 'filing.sector')]);
    expect(await draftText(chat)).toBe(later);
  });

  it("no offer for a question, two words, a command word, a main-menu label or the offer's own, emoji or numbers: the hint and the menu as before", async () => {
    const chat = await registered(channel);
    for (const text of [
      'Когда вывезут мусор с улицы Ленина?',
      'Кто уберёт мусор у дома 5?! 😡',
      'Мусор везде',
      '📝 Сообщить о проблеме',
      'Report a problem',
      'Сообщить о проблеме с этим текстом',
      '😡 😡 😡 🗑',
      '12 15 17 !!!',
    ]) {
      await chat.say(text);
      expect(chat.replyTexts, text).toEqual(HINT);
      expect(chat.buttonLabels(), text).not.toContain(OFFER);
    }
    await chat.say('Меню!');
    expect(chat.replyTexts).toEqual([t('ru', 'menu.main')]);
    await chat.say('/foo на улице Ленина мусор');
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.unknown_command')]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('a courtesy gets a polite word and the way back to the menu, no offer; the offer made before it still takes its own text', async () => {
    const chat = await registered(channel);
    await chat.say(PROBLEM);
    const offered = chat.buttonId(OFFER);
    for (const text of ['Спасибо большое, всего доброго', 'Ок, спасибо большое', 'Большое спасибо за помощь!', 'Thank you very much', 'спасибо', 'ок 👍', 'thanks']) {
      await chat.say(text);
      expect(chat.replyTexts, text).toEqual([t('ru', 'dialog.courtesy_reply')]);
      expect(chat.buttonLabels(), text).toEqual([t('ru', 'menu.back_to_menu')]);
    }
    await chat.say(tap(offered));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.start_with_text'), t('ru', 'filing.sector')]);
    expect(await draftText(chat)).toBe(PROBLEM);
  });

  it('a greeting is greeted and gets the menu, no offer; a greeting with a problem after it is offered as before', async () => {
    const chat = await registered(channel);
    for (const text of ['Привет', 'Здравствуйте, добрый день!', 'Всем привет!', 'Hello']) {
      await chat.say(text);
      expect(chat.replyTexts, text).toEqual([t('ru', 'dialog.greeting_reply'), t('ru', 'menu.main')]);
      expect(chat.buttonLabels(), text).not.toContain(OFFER);
    }
    await chat.say(`Здравствуйте! ${PROBLEM}`);
    expect(chat.replyTexts).toEqual([t('ru', 'filing.text_offer')]);
    // Emoji alone are no courtesy here: the hint, as before.
    await chat.say('😡 😡 😡 🗑');
    expect(chat.replyTexts).toEqual(HINT);
  });

  it('while a clarification request waits, the text is its reply, not an offer', async () => {
    const chat = newChat(harness, channel, 'Мария');
    await chat.playFixture('registration.json');
    await chat.playFixture('file-message.json');
    await chat.play([{ $staff: 'accept' }, { $staff: 'clarification', text: 'Уточните, пожалуйста, номер подъезда.' }, { $deliver_outbox: true }]);
    const message = await db.db
      .selectFrom('message')
      .select('id')
      .where('author_id', '=', await residentOf(db, chat))
      .executeTakeFirstOrThrow();
    await chat.say('Второй подъезд, со стороны двора, у контейнеров');
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_attached', { messageId: message.id })]);
    expect(chat.buttonLabels()).not.toContain(OFFER);
  });

  it('a stranger is told how to begin, not offered to file', async () => {
    const chat = newChat(harness, channel);
    await chat.say(PROBLEM);
    expect(chat.buttonLabels()).not.toContain(OFFER);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });
});

/** VK apps that cannot show every button (bots/vk/client.ts): the offer is a button there too, or a numbered option. */
describe('vk: the offer in apps without inline keyboards', () => {
  const NO_INLINE = { button_actions: ['text', 'vkpay', 'open_app', 'location', 'open_link'], keyboard: true, inline_keyboard: false, carousel: false, lang_id: 0 };
  const NO_KEYBOARD = { button_actions: ['text'], keyboard: false, inline_keyboard: false, carousel: false, lang_id: 0 };
  const typed = (clientInfo: object, text: string) => ({ type: 'message_new', object: { message: { text }, client_info: clientInfo } });
  const pressed = (clientInfo: object, label: string) => ({ type: 'message_new', object: { message: { payload: `$press:${label}` }, client_info: clientInfo } });
  const sends = (chat: VkConversation) => chat.replies.filter((c: RecordedVkCall) => c.method === 'messages.send');

  it('regular keyboards only: the button on a one-time keyboard of text buttons; its press files with the text', async () => {
    const chat = (await registered('vk')) as VkConversation;
    await chat.send(typed(NO_INLINE, PROBLEM));
    const [offer] = sends(chat);
    expect(offer?.params.message).toBe(t('ru', 'filing.text_offer'));
    const keyboard = JSON.parse(offer?.params.keyboard ?? '{}') as { inline?: boolean; one_time?: boolean; buttons: { action: { type: string; label: string } }[][] };
    expect(keyboard).toMatchObject({ one_time: true });
    expect(keyboard.inline).toBeUndefined();
    expect(keyboard.buttons.flat().map((b) => [b.action.type, b.action.label])).toEqual([
      ['text', OFFER],
      ['text', t('ru', 'menu.back_to_menu')],
    ]);
    await chat.send(pressed(NO_INLINE, OFFER));
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.start_with_text'));
    expect(await draftText(chat)).toBe(PROBLEM);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'sector' });
  });

  it('no keyboards at all: the button is a numbered option, and its number typed files with the text', async () => {
    const chat = (await registered('vk')) as VkConversation;
    await chat.send(typed(NO_KEYBOARD, PROBLEM));
    expect(chat.replyTexts).toEqual([`${t('ru', 'filing.text_offer')}\n\n1 — ${OFFER}\n2 — ${t('ru', 'menu.back_to_menu')}\n${t('ru', 'dialog.numbered_hint')}`]);
    await chat.send(typed(NO_KEYBOARD, '1'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.start_with_text'));
    expect(await draftText(chat)).toBe(PROBLEM);
    // The label typed (an app that sends it without the payload) is no new problem to offer.
    await chat.send(typed(NO_KEYBOARD, '/cancel'));
    await chat.send(typed(NO_KEYBOARD, OFFER));
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.hint'));
  });
});
