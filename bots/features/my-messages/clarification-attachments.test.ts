import { beforeEach, describe, expect, it } from 'vitest';
import { dialogStateOf, newChat, residentOf, type Chat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, other, photos } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
/** How far the app's clock runs ahead of the wall clock (a resident who waits minutes, without waiting). */
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

/**
 * A resident whose filed message (two photos, at KEMEROVO) got a clarification request, delivered;
 * the message's executor has linked `channel` first, so the reply's alert reaches them there.
 */
async function askedToClarify(channel: (typeof CHANNELS)[number]): Promise<{ chat: Chat; official: Chat; messageId: number; residentId: number }> {
  const official = newChat(harness, channel, 'Исполнитель');
  await official.play([{ $link_staff: 'executor' }]);
  const chat = newChat(harness, channel, 'Мария');
  await chat.playFixture('registration.json');
  await chat.playFixture('file-message.json');
  await chat.play([{ $staff: 'accept' }, { $staff: 'clarification', text: 'Уточните, пожалуйста, номер подъезда.' }, { $deliver_outbox: true }]);
  // The card of the accepted message went to the executor: what follows is the reply's alone.
  await official.deliverOutbox();
  const residentId = await residentOf(db, chat);
  const message = await db.db.selectFrom('message').select('id').where('author_id', '=', residentId).executeTakeFirstOrThrow();
  return { chat, official, messageId: message.id, residentId };
}

const messagesOf = async (residentId: number) => (await db.db.selectFrom('message').select('id').where('author_id', '=', residentId).execute()).length;
const commentsOn = async (messageId: number) =>
  db.db.selectFrom('comment').select(['id', 'text', 'photos', 'lat', 'lon']).where('message_id', '=', messageId).where('author_kind', '=', 'resident').orderBy('id').execute();
const photosOf = async (messageId: number) =>
  db.db.selectFrom('message_photo').select(['file_id', 'comment_id', 'position', 'copy_due_at']).where('message_id', '=', messageId).orderBy('position').execute();
const historyOf = async (messageId: number) =>
  (await db.db.selectFrom('message_event').select(['kind', 'data']).where('message_id', '=', messageId).orderBy('id').execute()).filter(
    (e) => e.kind === 'comment' || e.kind === 'clarification_photos',
  );
const over = (messageId: number) => t('ru', 'my.clarification_photos_over', { messageId, max: 5, total: 10 });
const messagePlace = async (messageId: number) => db.db.selectFrom('message').select(['lat', 'lon']).where('id', '=', messageId).executeTakeFirstOrThrow();

describe.each(CHANNELS)('%s: photos or a place sent while a clarification is awaited are the reply', (channel) => {
  it('photos alone (a Telegram album, a VK message with two): they join the message, its history records them, the executor gets them', async () => {
    const { chat, official, messageId, residentId } = await askedToClarify(channel);
    await chat.say(photos('c-901', 'c-902'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_attached', { messageId })]);
    const [reply] = await commentsOn(messageId);
    expect(reply).toMatchObject({ text: '', photos: 2, lat: null, lon: null });
    const added = (await photosOf(messageId)).filter((p) => p.comment_id !== null);
    expect(added).toHaveLength(2);
    expect(added.every((p) => p.comment_id === reply!.id && p.copy_due_at !== null)).toBe(true);
    expect((await photosOf(messageId)).map((p) => p.position)).toEqual([0, 1, 2, 3]);
    expect(await historyOf(messageId)).toEqual([
      { kind: 'comment', data: { commentId: reply!.id, clarification: true, photos: 1 } },
      { kind: 'clarification_photos', data: { commentId: reply!.id, photos: 1 } },
    ]);
    expect(await messagesOf(residentId)).toBe(1);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });

    // The executor: the reply with its first photo, then the next one, each with the Reply button.
    await official.deliverOutbox();
    const texts = official.replyTexts.join('\n');
    expect(texts).toContain(t('ru', 'alert.clarification_reply', { messageId, text: '', photos: t('ru', 'alert.clarification_photos', { count: 1 }), place: '', photosNote: '' }));
    expect(texts).toContain(t('ru', 'alert.clarification_more_photos', { messageId, count: 1, photosNote: '' }));
    expect(official.replyKinds().filter((k) => k === 'photo')).toHaveLength(2);
    const buttons = official.keyboards().flatMap((k) => (k.inline ? k.rows.flat() : []));
    expect(buttons.map((b) => b.id)).toContain(`!cmr:${reply!.id}`);
  });

  it('a photo with a text (a Telegram caption, a VK message with both): one reply with the words and the photo', async () => {
    const { chat, messageId, residentId } = await askedToClarify(channel);
    const words = 'Второй подъезд, вот фото.';
    if (chat.channel === 'tg') await chat.send({ message: { photo: [{ file_id: 'cl-1', file_unique_id: 'cl-u1', width: 1280, height: 853 }], caption: words } });
    else {
      const photo = { id: 457239099, owner_id: chat.userId, sizes: [{ type: 'x', width: 604, height: 453, url: 'https://sun9-1.userapi.com/cl.jpg' }] };
      await chat.send({ type: 'message_new', object: { message: { text: words, attachments: [{ type: 'photo', photo }] } } });
    }
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_attached', { messageId })]);
    expect(await commentsOn(messageId)).toMatchObject([{ text: words, photos: 1 }]);
    expect((await photosOf(messageId)).filter((p) => p.comment_id !== null)).toHaveLength(1);
    expect(await messagesOf(residentId)).toBe(1);
  });

  it('photos past the reply’s five are not taken, and the resident is told once', async () => {
    const { chat, messageId } = await askedToClarify(channel);
    // Two photos were filed: the reply brings five of its own.
    await chat.say(photos('o-1', 'o-2', 'o-3', 'o-4', 'o-5', 'o-6'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_attached', { messageId }), over(messageId)]);
    expect(await photosOf(messageId)).toHaveLength(7);
    expect(await commentsOn(messageId)).toMatchObject([{ photos: 5 }]);
  });

  it('a place: kept with the reply and shown to the executor as a point and coordinates; the message keeps its own point', async () => {
    const { chat, official, messageId, residentId } = await askedToClarify(channel);
    const before = await messagePlace(messageId);
    await chat.say(location(55.3612, 86.0877));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_place_attached', { messageId })]);
    const [reply] = await commentsOn(messageId);
    expect(reply).toMatchObject({ text: '', photos: 0, lat: 55.3612, lon: 86.0877 });
    expect(await messagePlace(messageId)).toEqual(before);
    expect(await historyOf(messageId)).toEqual([{ kind: 'comment', data: { commentId: reply!.id, clarification: true, photos: 0, place: { lat: 55.3612, lon: 86.0877 } } }]);
    expect(await messagesOf(residentId)).toBe(1);
    await official.deliverOutbox();
    expect(official.replyTexts.join('\n')).toContain('55.361200, 86.087700');
    expect(official.replyKinds()).toContain('location');
    // The resident's data (/mydata) shows the place the reply gave.
    await chat.say('/mydata');
    expect(chat.replyTexts.join('\n')).toContain('55.36120, 86.08770');
    // The request is answered: a later text is no second reply.
    await chat.say('Второй подъезд.');
    expect(chat.replyTexts).not.toContain(t('ru', 'my.clarification_attached', { messageId }));
  });
});

describe('vk: a message with a text and a point during a clarification', () => {
  it('is the reply, with the words and the place, and starts no new message', async () => {
    const { chat, messageId, residentId } = await askedToClarify('vk');
    const words = 'Вот здесь, у второго подъезда.';
    await chat.send({ type: 'message_new', object: { message: { text: words, geo: { type: 'point', coordinates: { latitude: KEMEROVO.lat, longitude: KEMEROVO.lon } } } } });
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_place_attached', { messageId })]);
    expect(await commentsOn(messageId)).toMatchObject([{ text: words, lat: KEMEROVO.lat, lon: KEMEROVO.lon }]);
    expect(await messagesOf(residentId)).toBe(1);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('a command word with a photo («Меню» and a photo) is the command: the photo is no reply', async () => {
    const { chat, messageId, residentId } = await askedToClarify('vk');
    const photo = { id: 457239111, owner_id: chat.userId, sizes: [{ type: 'x', width: 604, height: 453, url: 'https://sun9-1.userapi.com/menu.jpg' }] };
    await chat.send({ type: 'message_new', object: { message: { text: 'Меню', attachments: [{ type: 'photo', photo }] } } });
    expect(await commentsOn(messageId)).toEqual([]);
    expect(chat.replyTexts).toContain(t('ru', 'dialog.attachments_not_taken'));
    expect(await messagesOf(residentId)).toBe(1);
  });

  it.each(['Меню', '/help'])('a command («%s») with a point is the command: the point is no reply and starts no message, the request still waits', async (text) => {
    const { chat, messageId, residentId } = await askedToClarify('vk');
    await chat.send({ type: 'message_new', object: { message: { text, geo: { type: 'point', coordinates: { latitude: KEMEROVO.lat, longitude: KEMEROVO.lon } } } } });
    expect(chat.replyTexts).toContain(t('ru', 'dialog.attachments_not_taken'));
    expect(chat.replyTexts).not.toContain(t('ru', 'my.clarification_place_attached', { messageId }));
    expect(await commentsOn(messageId)).toEqual([]);
    expect(await messagesOf(residentId)).toBe(1);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
    // The request still waits: the next text is its reply.
    await chat.say('Второй подъезд.');
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_attached', { messageId })]);
  });
});

describe.each(CHANNELS)('%s: photos sent one by one right after a clarification reply', (channel) => {
  const added = (messageId: number) => t('ru', 'my.clarification_photo_added', { messageId });

  it('after a text reply: each photo joins the reply, the resident is told it was added to the message, the executor gets each', async () => {
    const { chat, official, messageId, residentId } = await askedToClarify(channel);
    await chat.say('Второй подъезд, сейчас пришлю фото.');
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_attached', { messageId })]);
    await official.deliverOutbox();
    ahead = 40_000;
    await chat.say(photos('p-701'));
    expect(chat.replyTexts).toEqual([added(messageId)]);
    ahead = 80_000;
    await chat.say(photos('p-702'));
    expect(chat.replyTexts).toEqual([added(messageId)]);
    const [reply] = await commentsOn(messageId);
    expect(reply).toMatchObject({ text: 'Второй подъезд, сейчас пришлю фото.', photos: 2 });
    expect((await photosOf(messageId)).filter((p) => p.comment_id === reply!.id)).toHaveLength(2);
    expect(await historyOf(messageId)).toEqual([
      { kind: 'comment', data: { commentId: reply!.id } },
      { kind: 'clarification_photos', data: { commentId: reply!.id, photos: 1 } },
      { kind: 'clarification_photos', data: { commentId: reply!.id, photos: 1 } },
    ]);
    expect(await messagesOf(residentId)).toBe(1);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
    await official.deliverOutbox();
    expect(official.replyTexts.filter((x) => x === t('ru', 'alert.clarification_more_photos', { messageId, count: 1, photosNote: '' }))).toHaveLength(2);
    expect(official.replyKinds().filter((k) => k === 'photo')).toHaveLength(2);
  });

  it('after a photo reply: the next photo, a message of its own, joins the same reply', async () => {
    const { chat, messageId, residentId } = await askedToClarify(channel);
    await chat.say(photos('p-711'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_attached', { messageId })]);
    ahead = 20_000;
    await chat.say(photos('p-712'));
    expect(chat.replyTexts).toEqual([added(messageId)]);
    expect(await commentsOn(messageId)).toMatchObject([{ photos: 2 }]);
    expect(await messagesOf(residentId)).toBe(1);
  });

  it('photos past the reply’s five: the one that does not fit is told so and not added', async () => {
    const { chat, messageId } = await askedToClarify(channel);
    await chat.say('Вот фото подъезда.');
    // Two photos were filed: the reply brings five of its own.
    for (const [i, id] of ['p-721', 'p-722', 'p-723', 'p-724', 'p-725'].entries()) {
      ahead = (i + 1) * 30_000;
      await chat.say(photos(id));
      expect(chat.replyTexts).toEqual([added(messageId)]);
    }
    ahead = 180_000;
    await chat.say(photos('p-726'));
    expect(chat.replyTexts).toEqual([over(messageId)]);
    expect(await photosOf(messageId)).toHaveLength(7);
    expect(await commentsOn(messageId)).toMatchObject([{ photos: 5 }]);
  });

  it('a photo after the window starts a new message as before', async () => {
    const { chat, messageId } = await askedToClarify(channel);
    await chat.say('Второй подъезд.');
    ahead = 3 * 60_000 + 5_000;
    await chat.say(photos('p-731'));
    expect(chat.replyTexts).not.toContain(added(messageId));
    expect((await dialogStateOf(db, chat)).flow).toBe('filing');
    expect(await commentsOn(messageId)).toMatchObject([{ photos: 0 }]);
  });

  it('a photo after something else sent (a sticker) starts a new message as before', async () => {
    const { chat, messageId } = await askedToClarify(channel);
    await chat.say('Второй подъезд.');
    await chat.say(other('sticker'));
    await chat.say(photos('p-761'));
    expect(chat.replyTexts).not.toContain(added(messageId));
    expect((await dialogStateOf(db, chat)).flow).toBe('filing');
  });

  it('a photo after a command starts a new message as before', async () => {
    const { chat, messageId } = await askedToClarify(channel);
    await chat.say('Второй подъезд.');
    await chat.say('/help');
    await chat.say(photos('p-741'));
    expect(chat.replyTexts).not.toContain(added(messageId));
    expect((await dialogStateOf(db, chat)).flow).toBe('filing');
    expect(await commentsOn(messageId)).toMatchObject([{ photos: 0 }]);
  });

  it('a photo after the message left work (solved) starts a new message', async () => {
    const { chat, messageId } = await askedToClarify(channel);
    await chat.say('Второй подъезд.');
    await db.db.updateTable('message').set({ status: 'solved' }).where('id', '=', messageId).execute();
    await chat.say(photos('p-751'));
    expect(chat.replyTexts).not.toContain(added(messageId));
    expect((await dialogStateOf(db, chat)).flow).toBe('filing');
  });
});

describe('a later photo delivered twice, or sent again', () => {
  /** One resident's later photo as its messenger delivers it: the same update (update_id / event_id) each time. */
  const laterPhoto = (chat: Chat, delivery: string, id: number) =>
    chat.channel === 'tg'
      ? { update_id: 7_000_000 + id, message: { message_id: 70_000 + id, photo: [{ file_id: `lp-${id}`, file_unique_id: `lp-u${id}`, width: 1280, height: 853 }] } }
      : {
          type: 'message_new',
          event_id: `${delivery}-${id}`,
          object: {
            message: {
              id: 70_000 + id,
              attachments: [{ type: 'photo', photo: { id: 800_000 + id, owner_id: chat.userId, sizes: [{ type: 'x', width: 604, height: 453, url: 'https://sun9-1.userapi.com/lp.jpg' }] } }],
            },
          },
        };

  it.each(CHANNELS)('%s: the same update re-delivered is answered once, nothing doubled', async (channel) => {
    const { chat, official, messageId } = await askedToClarify(channel);
    await chat.say('Второй подъезд.');
    await official.deliverOutbox();
    const update = laterPhoto(chat, `redelivered-${channel}`, channel === 'tg' ? 1 : 2);
    await chat.send(update);
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_added', { messageId })]);
    await chat.send(update);
    expect(chat.replyTexts).toEqual([]);
    expect(await commentsOn(messageId)).toMatchObject([{ photos: 1 }]);
    expect((await photosOf(messageId)).filter((p) => p.comment_id !== null)).toHaveLength(1);
    expect(await historyOf(messageId)).toHaveLength(2);
    await official.deliverOutbox();
    expect(official.replyTexts.filter((x) => x === t('ru', 'alert.clarification_more_photos', { messageId, count: 1, photosNote: '' }))).toHaveLength(1);
  });

  it.each(CHANNELS)('%s: the same photo sent again as a new message is said to be there already, not added twice', async (channel) => {
    const { chat, official, messageId, residentId } = await askedToClarify(channel);
    await chat.say('Второй подъезд.');
    await chat.say(photos('p-771'));
    await official.deliverOutbox();
    await chat.say(photos('p-771'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_already', { messageId })]);
    expect(await commentsOn(messageId)).toMatchObject([{ photos: 1 }]);
    expect((await photosOf(messageId)).filter((p) => p.comment_id !== null)).toHaveLength(1);
    expect(await messagesOf(residentId)).toBe(1);
    await official.deliverOutbox();
    expect(official.replyTexts).toEqual([]);
  });
});

describe.each(CHANNELS)('%s: a place sent right after a clarification reply', (channel) => {
  const placeAdded = (messageId: number) => t('ru', 'my.clarification_place_added', { messageId });

  it.each(['text', 'photo'] as const)('after a %s reply: the place joins the reply, the executor gets it, no new message', async (kind) => {
    const { chat, official, messageId, residentId } = await askedToClarify(channel);
    const before = await messagePlace(messageId);
    await chat.say(kind === 'text' ? 'Второй подъезд, вот где.' : photos('p-781'));
    await official.deliverOutbox();
    ahead = 30_000;
    await chat.say(location(55.3612, 86.0877));
    expect(chat.replyTexts).toEqual([placeAdded(messageId)]);
    const [reply] = await commentsOn(messageId);
    expect(reply).toMatchObject({ lat: 55.3612, lon: 86.0877, photos: kind === 'photo' ? 1 : 0 });
    expect(await messagePlace(messageId)).toEqual(before);
    expect((await historyOf(messageId)).length).toBe(1);
    const events = await db.db.selectFrom('message_event').select(['kind', 'data']).where('message_id', '=', messageId).where('kind', '=', 'clarification_place').execute();
    expect(events).toEqual([{ kind: 'clarification_place', data: { commentId: reply!.id, place: { lat: 55.3612, lon: 86.0877 } } }]);
    expect(await messagesOf(residentId)).toBe(1);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
    await official.deliverOutbox();
    expect(official.replyTexts.join('\n')).toContain('55.361200, 86.087700');
    expect(official.replyKinds()).toContain('location');
    // A photo right after the place still joins the same reply.
    ahead = 60_000;
    await chat.say(photos('p-782'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_added', { messageId })]);
  });

  it('a place after the window starts filing at it as before', async () => {
    const { chat, messageId } = await askedToClarify(channel);
    await chat.say('Второй подъезд.');
    ahead = 3 * 60_000 + 5_000;
    await chat.say(location(55.3612, 86.0877));
    expect(chat.replyTexts).not.toContain(placeAdded(messageId));
    expect((await dialogStateOf(db, chat)).flow).toBe('filing');
    expect(await commentsOn(messageId)).toMatchObject([{ lat: null, lon: null }]);
  });
});

describe.each(CHANNELS)('%s: words sent with a photo or a place right after a clarification reply', (channel) => {
  /** A photo with words as one message: a Telegram photo with a caption, a VK message with a text and the photo. */
  const captioned = (chat: Chat, id: number, words: string) =>
    chat.channel === 'tg'
      ? { message: { photo: [{ file_id: `cap-${id}`, file_unique_id: `cap-u${id}`, width: 1280, height: 853 }], caption: words } }
      : {
          type: 'message_new',
          object: {
            message: {
              text: words,
              attachments: [{ type: 'photo', photo: { id: 900_000 + id, owner_id: chat.userId, sizes: [{ type: 'x', width: 604, height: 453, url: 'https://sun9-1.userapi.com/cap.jpg' }] } }],
            },
          },
        };

  it.each(['text', 'photo'] as const)('after a %s reply, a photo with words: a further reply with both, no new message', async (kind) => {
    const { chat, official, messageId, residentId } = await askedToClarify(channel);
    await chat.say(kind === 'text' ? 'Второй подъезд.' : photos('p-791'));
    await official.deliverOutbox();
    ahead = 20_000;
    const words = 'А это вход в подвал, там и течёт.';
    await chat.send(captioned(chat, 1, words));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_words_added', { messageId })]);
    const replies = await commentsOn(messageId);
    expect(replies).toHaveLength(2);
    expect(replies[1]).toMatchObject({ text: words, photos: 1 });
    expect((await photosOf(messageId)).filter((p) => p.comment_id === replies[1]!.id)).toHaveLength(1);
    expect(await messagesOf(residentId)).toBe(1);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
    await official.deliverOutbox();
    expect(official.replyTexts.join('\n')).toContain(words);
    expect(official.replyKinds()).toContain('photo');
  });
});

describe('vk: a text with a point right after a clarification reply (a Telegram place carries no words)', () => {
  it('a VK message with a text and a point right after a text reply: a further reply with both, no new message', async () => {
    const { chat, messageId, residentId } = await askedToClarify('vk');
    await chat.say('Второй подъезд.');
    ahead = 20_000;
    const words = 'Вот здесь вход.';
    await chat.send({ type: 'message_new', object: { message: { text: words, geo: { type: 'point', coordinates: { latitude: 55.3612, longitude: 86.0877 } } } } });
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_place_words_added', { messageId })]);
    expect(await commentsOn(messageId)).toMatchObject([{ text: 'Второй подъезд.' }, { text: words, lat: 55.3612, lon: 86.0877 }]);
    expect(await messagesOf(residentId)).toBe(1);
  });
});

describe.each(CHANNELS)('%s: a text sent on its own right after a reply of photos or a place', (channel) => {
  it.each(['photo', 'place'] as const)('after a %s reply: the text is a comment on the message, alerted, not "not understood"', async (kind) => {
    const { chat, official, messageId, residentId } = await askedToClarify(channel);
    await chat.say(kind === 'photo' ? photos('p-801') : location(55.3612, 86.0877));
    await official.deliverOutbox();
    ahead = 30_000;
    const words = 'Это второй подъезд, со двора.';
    await chat.say(words);
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_text_added', { messageId })]);
    expect((await commentsOn(messageId)).map((r) => r.text)).toEqual(['', words]);
    expect(await messagesOf(residentId)).toBe(1);
    await official.deliverOutbox();
    expect(official.replyTexts.join('\n')).toContain(words);
    // A photo right after the words joins too.
    ahead = 60_000;
    await chat.say(photos('p-802'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_added', { messageId })]);
  });

  it('after the window, a text is not taken as before', async () => {
    const { chat, messageId } = await askedToClarify(channel);
    await chat.say(photos('p-811'));
    ahead = 3 * 60_000 + 5_000;
    await chat.say('Это второй подъезд.');
    expect(chat.replyTexts).not.toContain(t('ru', 'my.clarification_text_added', { messageId }));
    expect(await commentsOn(messageId)).toHaveLength(1);
  });
});

describe.each(CHANNELS)('%s: a new clarification request within the window of the last reply', (channel) => {
  it('a photo answers the new request, not the reply before it', async () => {
    const { chat, messageId } = await askedToClarify(channel);
    await chat.say('Второй подъезд.');
    await chat.play([{ $staff: 'clarification', text: 'Пришлите, пожалуйста, фото подъезда.' }, { $deliver_outbox: true }]);
    ahead = 30_000;
    await chat.say(photos('p-821'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_attached', { messageId })]);
    const replies = await commentsOn(messageId);
    expect(replies).toMatchObject([
      { text: 'Второй подъезд.', photos: 0 },
      { text: '', photos: 1 },
    ]);
  });
});

describe.each(CHANNELS)('%s: an album sent one message after a text reply', (channel) => {
  it('joins the reply with one line for the album; photos past the five are told once', async () => {
    const { chat, messageId, residentId } = await askedToClarify(channel);
    await chat.say('Второй подъезд, вот фото.');
    ahead = 30_000;
    // Two photos were filed: the reply brings five of its own.
    await chat.say(photos('p-831', 'p-832', 'p-833', 'p-834', 'p-835', 'p-836'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_added', { messageId }), over(messageId)]);
    expect(await commentsOn(messageId)).toMatchObject([{ photos: 5 }]);
    expect(await photosOf(messageId)).toHaveLength(7);
    expect(await messagesOf(residentId)).toBe(1);
  });
});

describe.each(CHANNELS)('%s: a second place right after a place reply', (channel) => {
  it('is the correction: the reply keeps the newest point, the executor is alerted once per new point, the same point again changes nothing', async () => {
    const { chat, official, messageId, residentId } = await askedToClarify(channel);
    await chat.say(location(55.3612, 86.0877));
    await official.deliverOutbox();
    ahead = 20_000;
    await chat.say(location(55.3615, 86.0881));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_place_added', { messageId })]);
    expect(await commentsOn(messageId)).toMatchObject([{ lat: 55.3615, lon: 86.0881 }]);
    await official.deliverOutbox();
    expect(official.replyTexts.join('\n')).toContain('55.361500, 86.088100');
    ahead = 40_000;
    await chat.say(location(55.3615, 86.0881));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_place_added', { messageId })]);
    const events = await db.db.selectFrom('message_event').select('kind').where('message_id', '=', messageId).where('kind', '=', 'clarification_place').execute();
    expect(events).toHaveLength(1);
    await official.deliverOutbox();
    expect(official.replyTexts).toEqual([]);
    expect(await messagesOf(residentId)).toBe(1);
  });
});

describe.each(CHANNELS)('%s: a later part’s window runs by when the resident sent it (the messenger’s date), not when it was handled', (channel) => {
  /** A text or a photo as the messenger delivers it, dated `date` (Unix seconds). */
  const dated = (chat: Chat, date: number, what: { text: string } | { photo: string }) => {
    if (chat.channel === 'tg')
      return { message: { date, ...('text' in what ? { text: what.text } : { photo: [{ file_id: what.photo, file_unique_id: `${what.photo}-u`, width: 1280, height: 853 }] }) } };
    const photo = 'photo' in what && {
      attachments: [
        { type: 'photo', photo: { id: 457_300_000 + what.photo.length, owner_id: chat.userId, sizes: [{ type: 'x', width: 604, height: 453, url: `https://sun9-1.userapi.com/${what.photo}.jpg` }] } },
      ],
    };
    return { type: 'message_new', object: { message: { date, ...('text' in what ? { text: what.text } : photo) } } };
  };

  it('a photo sent two minutes after the reply, handled ten minutes later (re-delivered after an outage), joins it', async () => {
    const { chat, messageId, residentId } = await askedToClarify(channel);
    const sentAt = Math.floor(Date.now() / 1000);
    await chat.send(dated(chat, sentAt, { text: 'Второй подъезд, фото следом.' }));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_attached', { messageId })]);
    ahead = 10 * 60_000;
    await chat.send(dated(chat, sentAt + 120, { photo: 'late-1' }));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_added', { messageId })]);
    expect(await commentsOn(messageId)).toMatchObject([{ text: 'Второй подъезд, фото следом.', photos: 1 }]);
    expect(await messagesOf(residentId)).toBe(1);
  });

  it('a photo sent four minutes after the reply, handled at once, starts a new message', async () => {
    const { chat, messageId } = await askedToClarify(channel);
    const sentAt = Math.floor(Date.now() / 1000);
    await chat.send(dated(chat, sentAt, { text: 'Второй подъезд.' }));
    await chat.send(dated(chat, sentAt + 240, { photo: 'late-2' }));
    expect(chat.replyTexts).not.toContain(t('ru', 'my.clarification_photo_added', { messageId }));
    expect((await dialogStateOf(db, chat)).flow).toBe('filing');
    expect(await commentsOn(messageId)).toMatchObject([{ photos: 0 }]);
  });
});

describe.each(CHANNELS)('%s: a message filed with five photos, asked for a photo', (channel) => {
  it('takes five of its own with the reply; a later request’s reply takes none past the message’s ten, and the resident is told', async () => {
    const { chat, official, messageId } = await askedToClarify(channel);
    // Filed with five (the fixture's two and three more).
    await db.db
      .insertInto('message_photo')
      .values([2, 3, 4].map((position) => ({ message_id: messageId, channel, file_id: `filed-${position}`, file_unique_id: `filed-u${position}`, position })))
      .execute();
    await chat.say(photos('f-1', 'f-2', 'f-3', 'f-4', 'f-5', 'f-6'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_attached', { messageId }), over(messageId)]);
    const [reply] = await commentsOn(messageId);
    expect(reply).toMatchObject({ photos: 5 });
    expect((await photosOf(messageId)).filter((p) => p.comment_id === reply!.id)).toHaveLength(5);
    await official.deliverOutbox();
    expect(official.replyKinds().filter((k) => k === 'photo')).toHaveLength(5);

    // Asked again: the message has its ten, so the photo is not taken (nothing stored, the request still waits).
    await chat.play([{ $staff: 'clarification', text: 'И ещё фото двора, пожалуйста.' }, { $deliver_outbox: true }]);
    ahead = 5 * 60_000;
    await chat.say(photos('f-7'));
    expect(chat.replyTexts).toEqual([over(messageId)]);
    expect(await photosOf(messageId)).toHaveLength(10);
    expect(await commentsOn(messageId)).toHaveLength(1);
  });
});

describe.each(CHANNELS)('%s: a courtesy sent right after a clarification reply', (channel) => {
  it.each(['Спасибо!', 'ок 👍', 'Спасибо большое))', 'THANK YOU', '🙏'])('«%s» is acknowledged, not stored with the reply, and alerts nobody', async (courtesy) => {
    const { chat, official, messageId } = await askedToClarify(channel);
    await chat.say('Второй подъезд.');
    await official.deliverOutbox();
    ahead = 30_000;
    await chat.say(courtesy);
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_courtesy', { messageId })]);
    expect((await commentsOn(messageId)).map((r) => r.text)).toEqual(['Второй подъезд.']);
    await official.deliverOutbox();
    expect(official.replyTexts).toEqual([]);
    // The reply's window still runs: a photo right after joins it.
    ahead = 60_000;
    await chat.say(photos('p-901'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_added', { messageId })]);
  });

  it('words with more to them are still added and alerted', async () => {
    const { chat, official, messageId } = await askedToClarify(channel);
    await chat.say(photos('p-911'));
    await official.deliverOutbox();
    ahead = 30_000;
    await chat.say('Спасибо, и ещё: там второй подъезд.');
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_text_added', { messageId })]);
    expect((await commentsOn(messageId)).map((r) => r.text)).toEqual(['', 'Спасибо, и ещё: там второй подъезд.']);
    await official.deliverOutbox();
    expect(official.replyTexts.join('\n')).toContain('Спасибо, и ещё: там второй подъезд.');
  });
});

describe.each(CHANNELS)('%s: a bare courtesy sent first while a clarification request waits', (channel) => {
  it.each(['Спасибо', 'спасибо!', 'ок', '🙏'])('«%s» is not the reply: the bot waits for it, and the answer that follows is the reply', async (courtesy) => {
    const { chat, official, messageId } = await askedToClarify(channel);
    await chat.say(courtesy);
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_courtesy_first', { messageId })]);
    expect(await commentsOn(messageId)).toEqual([]);
    await official.deliverOutbox();
    expect(official.replyTexts).toEqual([]);

    ahead = 40_000;
    await chat.say('Второй подъезд, со двора.');
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_attached', { messageId })]);
    expect((await commentsOn(messageId)).map((r) => r.text)).toEqual(['Второй подъезд, со двора.']);
    await official.deliverOutbox();
    expect(official.replyTexts.join('\n')).toContain('Второй подъезд, со двора.');
  });

  it('the courtesy sent again is the reply (an «ок» to a yes-or-no question)', async () => {
    const { chat, official, messageId } = await askedToClarify(channel);
    await chat.say('Ок');
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_courtesy_first', { messageId })]);
    ahead = 30_000;
    await chat.say('ок');
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_attached', { messageId })]);
    expect((await commentsOn(messageId)).map((r) => r.text)).toEqual(['ок']);
    await official.deliverOutbox();
    expect(official.replyTexts.join('\n')).toContain('ок');
  });

  it('on a screen of buttons (the list of my messages) the courtesy sent again is the reply too', async () => {
    const { chat, messageId } = await askedToClarify(channel);
    await chat.say('/my');
    await chat.say('ок');
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_courtesy_first', { messageId })]);
    await chat.say('ок');
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_attached', { messageId })]);
    expect((await commentsOn(messageId)).map((r) => r.text)).toEqual(['ок']);
  });

  it('a thank-you sticker is no reply either: the request still waits, and the resident is told how to answer', async () => {
    const { chat, official, messageId } = await askedToClarify(channel);
    await chat.say(other('sticker'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_other_not_reply', { messageId })]);
    expect(await commentsOn(messageId)).toEqual([]);
    await official.deliverOutbox();
    expect(official.replyTexts).toEqual([]);
    await chat.say('Второй подъезд.');
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_attached', { messageId })]);
  });

  it('a photo after the courtesy is the reply, as it is without one', async () => {
    const { chat, messageId } = await askedToClarify(channel);
    await chat.say('Спасибо!');
    await chat.say(photos('cf-1'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_attached', { messageId })]);
    expect(await commentsOn(messageId)).toHaveLength(1);
  });
});

describe("tg: a clarification request asked while the reply's album is still coming", () => {
  it("the album's later photos join the reply and count against its own request's five, not the new request's", async () => {
    const { chat, official, messageId } = await askedToClarify('tg');
    const album = chat.updates(photos('m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6', 'm-7'));
    await chat.postInTurn(album.slice(0, 3));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_attached', { messageId })]);
    await official.deliverOutbox();
    // The official asks again before the album's last photos arrive.
    await chat.play([{ $staff: 'clarification', text: 'И фото двора, пожалуйста.' }, { $deliver_outbox: true }]);
    await chat.postInTurn(album.slice(3));
    expect(chat.replyTexts).toEqual([over(messageId)]);
    const [reply] = await commentsOn(messageId);
    expect(reply).toMatchObject({ photos: 5 });
    expect((await photosOf(messageId)).filter((p) => p.comment_id === reply!.id)).toHaveLength(5);
    // The new request still waits for its reply, with five photos of its own.
    await chat.say(photos('m-8'));
    expect(chat.replyTexts).toEqual([t('ru', 'my.clarification_photo_attached', { messageId })]);
    expect(await commentsOn(messageId)).toHaveLength(2);
  });
});
