import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { type Chat, filedMessageOf, newChat } from '../../../test/bots/chats.ts';
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

  it('seven photos at the photos step: one "5 of 5" line, the summary, and one line for the two not taken', async () => {
    const chat = await atPhotosStep(channel);
    await chat.sayInTurn(photos('b-101', 'b-102', 'b-103', 'b-104', 'b-105', 'b-106', 'b-107'));
    expect(chat.replyTexts).toHaveLength(3);
    expect(chat.replyTexts[0]).toBe(count('filing.photo_last', 5));
    expect(isSummary(chat.replyTexts[1]!)).toBe(true);
    expect(chat.replyTexts[1]).toContain('Фото: 5 фотографий');
    expect(chat.replyTexts[2]).toBe(t('ru', 'dialog.attachments_not_taken'));
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
