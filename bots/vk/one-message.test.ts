import { describe, expect, it } from 'vitest';
import { dialogStateOf, filedMessageId, filedMessageOf, newChat, residentOf } from '../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../test/bots/harness.ts';
import { KEMEROVO, location, press } from '../../test/bots/player.ts';
import type { TestDatabase } from '../../test/database.ts';
import type { VkConversation } from '../../test/vk/conversation.ts';
import { createTranslator } from '../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const NOT_TAKEN = t('ru', 'dialog.attachments_not_taken');

/** A VK message as a resident sends it: a text with photos attached (one event, one input per part). */
async function sendMessage(chat: VkConversation, text: string, photoIds: number[]): Promise<void> {
  const attachments = photoIds.map((id) => ({ type: 'photo', photo: { id, owner_id: chat.userId, sizes: [{ type: 'x', width: 604, height: 453, url: `https://sun9-1.userapi.com/${id}.jpg` }] } }));
  await chat.send({ type: 'message_new', object: { message: { text, attachments } } });
}

/** A VK map point with its place, as VK attaches it. */
const VESENNYAYA_5 = { type: 'point', coordinates: { latitude: KEMEROVO.lat, longitude: KEMEROVO.lon }, place: { title: 'ул. Весенняя, 5', city: 'Кемерово' } };

/** Skips the photos and sends the report: the text and address it was filed with. */
async function sentWithoutPhotos(chat: VkConversation) {
  await chat.say(press(t('ru', 'filing.skip_photos')), press(t('ru', 'filing.send')));
  return db.db
    .selectFrom('message')
    .select(['text', 'address'])
    .where('author_id', '=', await residentOf(db, chat))
    .executeTakeFirstOrThrow();
}

const registered = async () => {
  const chat = newChat(harness, 'vk') as VkConversation;
  await chat.playFixture('registration.json');
  return chat;
};

// VK brings a message's text and each of its attachments as inputs of one event. Once a part of the
// message has been answered with a screen, a part the step cannot take gets one word, not that
// step's hint and its screen again (a message with a photo where only text is taken); photos past
// the five a message may have get the filing's line with their count instead.
describe('vk: the parts of one message a step does not take', () => {
  it('seven photos in one message at the photos step: five kept, the summary shown once, one line that two were not kept (at most five)', async () => {
    const chat = await registered();
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у школы.', location(KEMEROVO.lat, KEMEROVO.lon));
    await sendMessage(chat, '', [701, 702, 703, 704, 705, 706, 707]);
    const texts = chat.replyTexts;
    expect(texts.filter((text) => text.startsWith('Проверьте сообщение:'))).toHaveLength(1);
    expect(texts).not.toContain(t('ru', 'filing.summary_hint'));
    // The photos past the fifth are past the message's limit: that line, with their count, not the word about other attachments.
    expect(texts.at(-1)).toBe(t('ru', 'filing.photos_over', { count: 2, max: 5 }));
    expect(texts).not.toContain(NOT_TAKEN);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'summary' });
    await chat.say(press(t('ru', 'filing.send')));
    expect((await filedMessageOf(db, chat)).photos).toBe(5);
  });

  it('a comment with a photo attached: the comment is added and the card shown once, then one word about the photo', async () => {
    const chat = await registered();
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у моста.', location(KEMEROVO.lat, KEMEROVO.lon), press(t('ru', 'filing.skip_photos')), press(t('ru', 'filing.send')));
    const messageId = await filedMessageId(db, chat);
    await chat.say('/my', press(t('ru', 'dialog.message_number', { id: messageId })), press(t('ru', 'my.add_comment')));
    await sendMessage(chat, 'Вот как это выглядит сейчас', [801]);
    const texts = chat.replyTexts;
    expect(texts[0]).toBe(t('ru', 'my.comment_added', { messageId }));
    expect(texts).not.toContain(t('ru', 'dialog.use_buttons'));
    expect(texts.filter((text) => text.includes('Вот как это выглядит сейчас'))).toHaveLength(1);
    expect(texts.at(-1)).toBe(NOT_TAKEN);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'messages', step: 'card' });
    const comments = await db.db.selectFrom('comment').select('text').where('message_id', '=', messageId).execute();
    expect(comments).toEqual([{ text: 'Вот как это выглядит сейчас' }]);
  });

  it('a description with a map point attached where the description is asked: the text is the description and the point the place', async () => {
    const chat = await registered();
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    await chat.send({ type: 'message_new', object: { message: { text: 'Глубокая яма у въезда во двор', geo: VESENNYAYA_5 } } });
    expect(chat.replyTexts).not.toContain(t('ru', 'filing.send_text'));
    expect(chat.replyTexts.at(-1)).toBe(t('ru', 'filing.photos', { max: 5 }));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'photos' });
    const message = await sentWithoutPhotos(chat);
    expect(message).toEqual({ text: 'Глубокая яма у въезда во двор', address: 'ул. Весенняя, 5, Кемерово' });
  });

  it('a text with a map point where the place is asked: the point is taken, the text is not a second answer', async () => {
    const chat = await registered();
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у моста.');
    const geo = { type: 'point', coordinates: { latitude: KEMEROVO.lat, longitude: KEMEROVO.lon } };
    await chat.send({ type: 'message_new', object: { message: { text: 'Вот здесь', geo } } });
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.location_ok', { municipality: 'Кемеровский городской округ' }));
    expect(chat.replyTexts).not.toContain(t('ru', 'filing.send_location_hint_vk'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'photos' });
  });

  it('a description written over forwarded messages (VK forwards with a comment): the text is the description, the forwarded ones are only not taken', async () => {
    const chat = await registered();
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    const fwd_messages = [{ from_id: 5, text: 'у нас во дворе яма', date: 1764000000 }];
    await chat.send({ type: 'message_new', object: { message: { text: 'Сосед пишет о той же яме у въезда', fwd_messages } } });
    expect(chat.replyTexts).not.toContain(t('ru', 'dialog.forwarded_not_accepted'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.location_vk'));
    expect(chat.replyTexts.at(-1)).toBe(NOT_TAKEN);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'location' });
    // Forwarded messages alone are still refused as before.
    await chat.send({ type: 'message_new', object: { message: { text: '', fwd_messages } } });
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.forwarded_not_accepted')]);
  });

  it('a description with a document attached: the place is asked with its location button, and the word about the document does not take the button away', async () => {
    const chat = await registered();
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    const doc = { type: 'doc', doc: { id: 1, owner_id: chat.userId, title: 'акт.pdf', ext: 'pdf', url: 'https://vk.com/doc1_1', size: 1000 } };
    await chat.send({ type: 'message_new', object: { message: { text: 'Яма у въезда во двор', attachments: [doc] } } });
    expect(chat.replyTexts).toEqual([t('ru', 'filing.location_vk'), NOT_TAKEN]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'location' });
    // VK shows the last regular keyboard sent: the location button, not an empty one.
    const regular = chat.keyboards().filter((k) => !k.inline);
    expect(regular.at(-1)).toEqual({ inline: false, removed: false, rows: [[{ label: '', request: 'location' }]] });
    // The step still answers a point with the button's keyboard removed once it is taken.
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.keyboards().filter((k) => !k.inline)).toEqual([{ inline: false, removed: true, rows: [] }]);
  });

  it('a map link pasted where the place is asked: the preview VK attaches to it is not an attachment "not taken"', async () => {
    const chat = await registered();
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у моста.');
    // VK brings a pasted URL with its snippet attached (type link), the URL the text's own.
    const url = 'https://yandex.ru/maps/?pt=86.0902,55.3601&z=16&l=map';
    const attachments = [{ type: 'link', link: { url, title: 'Яндекс Карты', caption: 'yandex.ru', description: '' } }];
    await chat.send({ type: 'message_new', object: { message: { text: url, attachments } } });
    expect(chat.replyTexts).toEqual([t('ru', 'filing.location_ok', { municipality: 'Кемеровский городской округ' }), t('ru', 'filing.photos', { max: 5 })]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'photos' });
  });

  it('a description with a link in it: the preview of the link is not "not taken", and the place is asked', async () => {
    const chat = await registered();
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    const text = 'Яма у моста, фото тут: vk.com/wall-1_5';
    const attachments = [{ type: 'link', link: { url: 'https://vk.com/wall-1_5', title: 'Запись сообщества', caption: 'vk.com' } }];
    await chat.send({ type: 'message_new', object: { message: { text, attachments } } });
    expect(chat.replyTexts).toEqual([t('ru', 'filing.location_vk')]);
  });

  it('between flows: a text with a map point starts filing at the point with the text as the description', async () => {
    const chat = await registered();
    await chat.send({ type: 'message_new', object: { message: { text: 'Сломана скамейка во дворе', geo: VESENNYAYA_5 } } });
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.start_at_place_described', { municipality: 'Кемеровский городской округ' }));
    expect(chat.replyTexts).not.toContain(NOT_TAKEN);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'sector' });
    // The category chosen, the description and the place are there: photos come next, not "describe the problem".
    await chat.say(press('Дороги'), press('Ямы на дороге'));
    expect(chat.replyTexts).not.toContain(t('ru', 'filing.text', { max: 4000 }));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'photos' });
    const message = await sentWithoutPhotos(chat);
    expect(message).toEqual({ text: 'Сломана скамейка во дворе', address: 'ул. Весенняя, 5, Кемерово' });
  });

  it('between flows: a map point alone starts filing there and asks for the description', async () => {
    const chat = await registered();
    await chat.send({ type: 'message_new', object: { message: { text: '', geo: { type: 'point', coordinates: { latitude: KEMEROVO.lat, longitude: KEMEROVO.lon } } } } });
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.start_at_place', { municipality: 'Кемеровский городской округ' }));
    await chat.say(press('Дороги'), press('Ямы на дороге'));
    expect(chat.replyTexts.at(-1)).toBe(t('ru', 'filing.text', { max: 4000 }));
  });

  it('between flows: a text with photos starts filing once, with the photos and the text as the description; a text with a document gets the hint and one word about it', async () => {
    const chat = await registered();
    await sendMessage(chat, 'Мусор во дворе', [901, 902]);
    expect(chat.replyTexts).toEqual([t('ru', 'filing.start_with_photo_described'), t('ru', 'filing.sector')]);
    await chat.say('/cancel');
    await chat.send({ type: 'message_new', object: { message: { text: 'вот', attachments: [{ type: 'doc', doc: { id: 1, owner_id: chat.userId, title: 'жалоба.pdf' } }] } } });
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.hint'), t('ru', 'menu.main'), NOT_TAKEN]);
  });
});

describe('vk: content the bot does not take', () => {
  it('graffiti, a poll and a gift between flows get "such messages are not processed", as a sticker does', async () => {
    const chat = await registered();
    const attachments = [
      { type: 'sticker', sticker: { product_id: 1, sticker_id: 9, images: [{ url: 'https://vk.com/sticker/1-9-128', width: 128, height: 128 }] } },
      { type: 'graffiti', graffiti: { id: 456239017, owner_id: chat.userId, url: 'https://sun9-2.userapi.com/graffiti.png', width: 720, height: 720, access_key: 'abc' } },
      {
        type: 'poll',
        poll: { id: 700123, owner_id: chat.userId, question: 'Где поставить урну?', answers: [{ id: 1, text: 'У подъезда', votes: 0, rate: 0 }], anonymous: false, multiple: false, votes: 0 },
      },
      {
        type: 'gift',
        gift: { id: 1055, thumb_256: 'https://vk.com/images/gift/1055/256.jpg', thumb_96: 'https://vk.com/images/gift/1055/96.png', thumb_48: 'https://vk.com/images/gift/1055/48.png' },
      },
    ];
    for (const attachment of attachments) {
      await chat.send({ type: 'message_new', object: { message: { text: '', attachments: [attachment] } } });
      expect(chat.replyTexts, attachment.type).toEqual([t('ru', 'dialog.hint_not_supported'), t('ru', 'menu.main')]);
    }
  });
});
