import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { type Chat, filedMessageOf, newChat, registeredChat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, photos, photosWithText, press } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

/** A registered resident at the filing's photos step (text and place given). */
async function atPhotosStep(channel: (typeof CHANNELS)[number]) {
  const chat = newChat(harness, channel);
  await chat.playFixture('registration.json');
  await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у вокзала.', location(KEMEROVO.lat, KEMEROVO.lon));
  return chat;
}

const count = (key: string, n: number) => t('ru', key, { count: n, max: 5 });
/** Every text the messenger's fake was asked to send to the chat, in order. */
function sentTexts(chat: Chat): string[] {
  if (chat.channel === 'tg') return harness.fake.calls.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === chat.externalId).map((c) => String(c.params.text));
  return harness.vkFake.calls.filter((c) => c.method === 'messages.send' && String(c.params.peer_id) === chat.externalId).map((c) => String(c.params.message));
}
/** The chat's replies that were held back before going out (bots/outbox/reply.ts `held`). */
const heldReplies = async (chat: Chat) =>
  (await db.db.selectFrom('outbox').select('id').where('chat_id', '=', chat.externalId).where(sql<boolean>`payload @> '{"held": true}'::jsonb`).execute()).length;
const isSummary = (text: string) => text.startsWith('Проверьте сообщение');

// A Telegram album is one update per photo, posted back to back (sayInTurn); a VK message carries them all.
describe.each(CHANNELS)('%s: photos sent together while filing get one count line, with the final count', (channel) => {
  it('an album at the photos step: one "3 of 5" line with «Готово»; a second album adds to it, again one line', async () => {
    const chat = await atPhotosStep(channel);
    await chat.sayInTurn(photos('a-101', 'a-102', 'a-103'));
    expect(chat.replyTexts).toEqual([count('filing.photo_added', 3)]);
    expect(chat.keyboards().flatMap((k) => k.rows.flat().map((b) => b.label))).toEqual([t('ru', 'filing.photos_done')]);
    // Telegram: the album's last photo's line, held back 1.5 s (the two before it were taken back); VK: the message's one reply, at once.
    expect(await heldReplies(chat)).toBe(channel === 'tg' ? 1 : 0);
    await chat.sayInTurn(photos('a-104', 'a-105'));
    expect(chat.replyTexts[0]).toBe(count('filing.photo_last', 5));
    expect(chat.replyTexts.slice(1).map(isSummary)).toEqual([true]);
    await chat.say(press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toMatchObject({ photos: 5 });
  });

  it('seven photos at the photos step: one "5 of 5" line, the summary, and one line that two were not kept, the limit being five', async () => {
    const chat = await atPhotosStep(channel);
    await chat.sayInTurn(photos('b-101', 'b-102', 'b-103', 'b-104', 'b-105', 'b-106', 'b-107'));
    expect(chat.replyTexts).toHaveLength(3);
    expect(chat.replyTexts[0]).toBe(count('filing.photo_last', 5));
    expect(isSummary(chat.replyTexts[1]!)).toBe(true);
    expect(chat.replyTexts[1]).toContain('Фото: 5 фотографий');
    expect(chat.replyTexts[2]).toBe(count('filing.photos_over', 2));
    expect(chat.replyTexts[2]).toBe('Не сохранено фото: 2 — к сообщению можно приложить не больше 5, лишние не приняты.');
    // Telegram: the sixth photo's line ("1") was held back and taken back by the seventh's; nothing else went out.
    await new Promise((r) => setTimeout(r, 1800));
    expect(sentTexts(chat).slice(-3)).toEqual(chat.replyTexts);
    expect(sentTexts(chat)).not.toContain(t('ru', 'dialog.attachments_not_taken'));
    expect(sentTexts(chat)).not.toContain(count('filing.photos_over', 1));
    // Another album (VK: another message) at the summary: its first photo gets the step's hint and
    // screen, as before; the rest are no photos past a count of the album's own (Telegram: nothing more; VK: one word for the rest).
    await chat.sayInTurn(photos('b-108', 'b-109', 'b-110'));
    expect(chat.replyTexts.slice(0, 1)).toEqual([t('ru', 'filing.summary_hint')]);
    expect(chat.replyTexts.slice(1).map(isSummary)).toEqual(channel === 'tg' ? [true] : [true, false]);
    if (channel === 'vk') expect(chat.replyTexts[2]).toBe(t('ru', 'dialog.attachments_not_taken'));
    await chat.say(press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toMatchObject({ photos: 5 });
  });

  it('seven photos where the description is asked: one "5 of 5 kept" line and one line for the two not kept; a second album is counted on its own', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    await chat.sayInTurn(photos('f-101', 'f-102', 'f-103', 'f-104', 'f-105', 'f-106', 'f-107'));
    expect(chat.replyTexts).toEqual([count('filing.photo_kept_text', 5), count('filing.photos_over', 2)]);
    // Another album (VK: another message) of three, all past the limit: "3", not "5".
    await chat.sayInTurn(photos('f-108', 'f-109', 'f-110'));
    expect(chat.replyTexts).toEqual([count('filing.photo_kept_text', 5), count('filing.photos_over', 3)]);
    // A photo of its own past the limit: told at once (not held back), "1".
    const held = await heldReplies(chat);
    await chat.sayInTurn(photos('f-111'));
    expect(chat.replyTexts).toEqual([count('filing.photo_kept_text', 5), count('filing.photos_over', 1)]);
    expect(await heldReplies(chat)).toBe(held);
  });

  it('seven photos with the description (a caption, a VK text): the place asked, one "5 of 5 kept" line and one for the two not kept', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    await chat.sayInTurn(photosWithText('Яма у школы, глубокая.', 'g-101', 'g-102', 'g-103', 'g-104', 'g-105', 'g-106', 'g-107'));
    expect(chat.replyTexts).toEqual([t('ru', channel === 'vk' ? 'filing.location_vk' : 'filing.location'), count('filing.photo_kept_location', 5), count('filing.photos_over', 2)]);
    expect(sentTexts(chat)).not.toContain(t('ru', 'dialog.attachments_not_taken'));
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.replyTexts.some(isSummary)).toBe(true);
    await chat.say(press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toMatchObject({ text: 'Яма у школы, глубокая.', photos: 5 });
  });

  it('in English: "5 of 5" and "not kept: 2 — at most 5"', async () => {
    const { chat, residentId } = await registeredChat(db, harness, channel);
    await db.db.updateTable('resident').set({ language: 'en' }).where('id', '=', residentId).execute();
    await chat.say('/new', press('Roads'), press('Potholes'), 'A pothole by the station.', location(KEMEROVO.lat, KEMEROVO.lon));
    await chat.sayInTurn(photos('h-101', 'h-102', 'h-103', 'h-104', 'h-105', 'h-106', 'h-107'));
    expect(chat.replyTexts).toHaveLength(3);
    expect(chat.replyTexts[0]).toBe(t('en', 'filing.photo_last', { count: 5, max: 5 }));
    expect(chat.replyTexts[1]).toContain('Photos: 5 photos');
    expect(chat.replyTexts[2]).toBe(t('en', 'filing.photos_over', { count: 2, max: 5 }));
    expect(chat.replyTexts[2]).toBe('Photos not kept: 2 — a message can have at most 5, the extra ones were not taken.');
  });

  it('«Готово» pressed right after an album: the summary comes with the album counted, and no count line follows it', async () => {
    const chat = await atPhotosStep(channel);
    await chat.say(photos('c-100'));
    await chat.postInTurn([...chat.updates(photos('c-101', 'c-102')), ...chat.updates(press(t('ru', 'filing.photos_done')))]);
    // Telegram: the album's line, still held when «Готово» came, is taken back; VK answered the message at once.
    const [summary, ...before] = [...chat.replyTexts].reverse();
    expect(before).toEqual(channel === 'tg' ? [] : [count('filing.photo_added', 3)]);
    expect(isSummary(summary!)).toBe(true);
    expect(summary).toContain('Фото: 3 фотографии');
    await new Promise((r) => setTimeout(r, 1800));
    // Past the hold: the album's line never went out after the summary.
    expect(sentTexts(chat).filter((text) => text === count('filing.photo_added', 3))).toHaveLength(channel === 'tg' ? 0 : 1);
    expect(sentTexts(chat).at(-1)).toBe(summary);
  });

  it('an album where the description is asked: one "kept" line with the count; with a caption, the place asked and one line', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    await chat.sayInTurn(photos('d-101', 'd-102'));
    expect(chat.replyTexts).toEqual([count('filing.photo_kept_text', 2)]);
    await chat.sayInTurn(photosWithText('Яма у школы, глубокая.', 'd-103', 'd-104'));
    expect(chat.replyTexts).toEqual([t('ru', channel === 'vk' ? 'filing.location_vk' : 'filing.location'), count('filing.photo_kept_location', 4)]);
  });

  it('a photo of its own gets its line at once', async () => {
    const chat = await atPhotosStep(channel);
    await chat.sayInTurn(photos('e-101'));
    expect(chat.replyTexts).toEqual([count('filing.photo_added', 1)]);
    // Not held back: a Telegram photo outside an album has no media_group_id.
    expect(await heldReplies(chat)).toBe(0);
  });
});

describe('vk: a message of seven photos and a document while filing', () => {
  it('gets "5 of 5", the summary, one line that two photos were not kept, and the generic line for the document', async () => {
    const chat = await atPhotosStep('vk');
    const [event] = chat.updates(photos('k-101', 'k-102', 'k-103', 'k-104', 'k-105', 'k-106', 'k-107'));
    const message = (event!.object as { message: { attachments: unknown[] } }).message;
    // VK allows at most ten attachments in one message: seven photos and a document.
    message.attachments.push({ type: 'doc', doc: { id: 1, owner_id: chat.userId, title: 'жалоба.pdf', ext: 'pdf', size: 1024, url: 'https://vk.com/doc1_1' } });
    await chat.postInTurn([event!]);
    expect(chat.replyTexts).toHaveLength(4);
    expect(chat.replyTexts[0]).toBe(count('filing.photo_last', 5));
    expect(isSummary(chat.replyTexts[1]!)).toBe(true);
    expect(chat.replyTexts.slice(2)).toEqual([count('filing.photos_over', 2), t('ru', 'dialog.attachments_not_taken')]);
  });
});

describe('tg: an album of seven photos and a video while filing', () => {
  it('gets "5 of 5", the summary, the generic line for the video (not the step\'s hint and screen), and one line that two photos were not kept', async () => {
    const chat = await atPhotosStep('tg');
    const updates = chat.updates(photos('m-101', 'm-102', 'm-103', 'm-104', 'm-105', 'm-106', 'm-107'));
    const album = (updates[0]!.message as { media_group_id: string }).media_group_id;
    // A phone's album may mix photos and videos: the video between the sixth photo and the seventh.
    const video = { message: { video: { file_id: 'BAACvideo', file_unique_id: 'AgADvideo', width: 1280, height: 720, duration: 4, mime_type: 'video/mp4' }, media_group_id: album } };
    await chat.postInTurn([...updates.slice(0, 6), video, updates[6]!]);
    await new Promise((r) => setTimeout(r, 1800));
    expect(chat.replyTexts).toHaveLength(4);
    expect(chat.replyTexts[0]).toBe(count('filing.photo_last', 5));
    expect(isSummary(chat.replyTexts[1]!)).toBe(true);
    // The video's word goes out at once; the line for the photos past the fifth, held for the album's next photo, stays held through it.
    expect(chat.replyTexts.slice(2)).toEqual([t('ru', 'dialog.attachments_not_taken'), count('filing.photos_over', 2)]);
    expect(sentTexts(chat).slice(-4)).toEqual(chat.replyTexts);
    expect(sentTexts(chat)).not.toContain(count('filing.photos_over', 1));
    expect(sentTexts(chat)).not.toContain(t('ru', 'filing.summary_hint'));
  });
});
