import { describe, expect, it } from 'vitest';
import { dialogStateOf, filedMessageOf, newChat, perChannel } from '../../../test/bots/chats.ts';
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

const DESCRIPTION = 'Яма у школы №5, глубокая';

describe.each(CHANNELS)('%s: a photo sent with the description, or before it is asked for, is kept', (channel) => {
  it('a photo with its description where the text is asked: both are taken, the place is asked, the photo counts in the photos step and is filed', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    // A photo and its description in one message: a Telegram photo with a caption, a VK text with a photo attached.
    await chat.say(photosWithText(DESCRIPTION, '457239017'));
    expect(chat.replyTexts).not.toContain(t('ru', 'filing.send_text'));
    expect(chat.replyTexts).not.toContain(t('ru', 'filing.send_location_hint_vk'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'location' });

    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.replyTexts.at(-1)).toBe(t('ru', 'filing.photo_added', { count: 1, max: 5 }));
    await chat.say(press(t('ru', 'filing.photos_done')));
    const summary = chat.replyTexts.at(-1)!;
    expect(summary).toContain(DESCRIPTION);
    expect(summary).toContain('Фото: 1 фотография');
    await chat.say(press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toEqual({ text: DESCRIPTION, photos: 1 });
  });

  it('a photo alone where the text is asked is kept and the text asked for; a photo where the place is asked is kept too', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), photos('101'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.photo_kept_text', { count: 1, max: 5 })]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
    await chat.say('Яма у остановки.', photos('102'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.photo_kept_location', { count: 2, max: 5 })]);
    // The location button is still there to press.
    expect(chat.keyboards()).toEqual([{ inline: false, removed: false, rows: [[{ label: perChannel(channel, { tg: t('ru', 'filing.send_location'), vk: '' }), request: 'location' }]] }]);
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon), press(t('ru', 'filing.photos_done')), press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toEqual({ text: 'Яма у остановки.', photos: 2 });
  });

  it('the same photo sent twice at the photos step is attached once, and the resident is told', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у моста.', location(KEMEROVO.lat, KEMEROVO.lon), photos('301'));
    await chat.say(photos('301'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.photo_repeat', { count: 1, max: 5 })]);
    expect(chat.keyboardLabels()).toEqual([t('ru', 'filing.photos_done')]);
    await chat.say(photos('302'), press(t('ru', 'filing.photos_done')), press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toEqual({ text: 'Яма у моста.', photos: 2 });
  });

  it('a text at the photos step after a photo points to the button that is there, «Готово», not «Без фото»', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у рынка.', location(KEMEROVO.lat, KEMEROVO.lon));
    await chat.say('Это всё');
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.send_photo'));
    await chat.say(photos('401'), 'Это всё');
    expect(chat.replyTexts).toEqual([t('ru', 'filing.send_photo_or_done'), t('ru', 'filing.photo_added', { count: 1, max: 5 })]);
    expect(chat.replyTexts[0]).toContain('«Готово»');
    expect(chat.replyTexts[0]).not.toContain('Без фото');
  });

  it('seven photos sent together (a Telegram album, one VK message): five are attached, the summary comes once, and one line says two were not kept (at most five)', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у вокзала.', location(KEMEROVO.lat, KEMEROVO.lon));
    await chat.sayOnce(photos('501', '502', '503', '504', '505', '506', '507'));
    const summaries = chat.replyTexts.filter((text) => text.startsWith('Проверьте сообщение'));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toContain('Фото: 5 фотографий');
    expect(chat.replyTexts.filter((text) => text === t('ru', 'filing.photos_over', { count: 2, max: 5 }))).toHaveLength(1);
    expect(chat.replyTexts).not.toContain(t('ru', 'dialog.attachments_not_taken'));
    expect(chat.replyTexts).not.toContain(t('ru', 'filing.summary_hint'));
    await chat.say(press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toMatchObject({ photos: 5 });
  });

  it('an album sent while the sector is chosen is kept for the message with one line, not once per photo, and the list stays', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new');
    await chat.sayOnce(photos('601', '602', '603'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.photo_kept_choose')]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'sector' });
    await chat.say(press('Дороги'), press('Ямы на дороге'), 'Яма у рынка.', location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.replyTexts.at(-1)).toBe(t('ru', 'filing.photo_added', { count: 3, max: 5 }));
  });

  it('Edit → Photos says the earlier photos were removed, then asks for new ones', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у парка.', location(KEMEROVO.lat, KEMEROVO.lon), photos('701'));
    await chat.say(photos('702'));
    await chat.say(press(t('ru', 'filing.photos_done')), press(t('ru', 'filing.edit')), press(t('ru', 'filing.edit_photos')));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.photos_removed', { photos: t('ru', 'filing.photo_count', { count: 2 }) }), t('ru', 'filing.photos', { max: 5 })]);
    expect(chat.replyTexts[0]).toBe('Прежние фото (2 фотографии) убраны: пришлите новые.');
    await chat.say(photos('703'), press(t('ru', 'filing.photos_done')));
    expect(chat.replyTexts.at(-1)).toContain('Фото: 1 фотография');
  });

  it('the fifth photo is the last: its answer does not offer to send more, and the summary follows', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма.', location(KEMEROVO.lat, KEMEROVO.lon));
    for (const id of ['201', '202', '203', '204']) await chat.say(photos(id));
    await chat.say(photos('205'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.photo_last', { count: 5, max: 5 }));
    expect(chat.replyTexts.at(-1)).toContain('Фото: 5 фотографий');
  });
});
