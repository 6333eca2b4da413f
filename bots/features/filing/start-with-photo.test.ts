import { describe, expect, it } from 'vitest';
import { dialogStateOf, filedMessageOf, newChat } from '../../../test/bots/chats.ts';
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

const CAPTION = 'Яма у школы №5, глубокая';

describe.each(CHANNELS)('%s: a photo sent between flows starts filing a message with it', (channel) => {
  it('a photo with a caption: filing starts with the photo kept and the caption as the description; sector, category and place are all that is asked', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say(photosWithText(CAPTION, '801'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.start_with_photo_described'), t('ru', 'filing.sector')]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'sector' });
    await chat.say(press('Дороги'), press('Ямы на дороге'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'location' });
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.replyTexts.at(-1)).toBe(t('ru', 'filing.photo_added', { count: 1, max: 5 }));
    await chat.say(press(t('ru', 'filing.photos_done')));
    expect(chat.replyTexts.at(-1)).toContain(CAPTION);
    await chat.say(press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toEqual({ text: CAPTION, photos: 1 });
  });

  it('three photos with a caption (a Telegram album, one VK message): all three kept, one answer', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say(photosWithText(CAPTION, '811', '812', '813'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.start_with_photo_described'), t('ru', 'filing.sector')]);
    await chat.say(press('Дороги'), press('Ямы на дороге'), location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.replyTexts.at(-1)).toBe(t('ru', 'filing.photo_added', { count: 3, max: 5 }));
    await chat.say(press(t('ru', 'filing.photos_done')), press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toEqual({ text: CAPTION, photos: 3 });
  });

  it('seven photos (a Telegram album, one VK message): five kept, and the resident is told at the choice that two were not', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say(photosWithText(CAPTION, '831', '832', '833', '834', '835', '836', '837'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.start_with_photo_described'), t('ru', 'filing.sector')]);
    await chat.say(press('Дороги'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.photos_over', { count: 2, max: 5 }), t('ru', 'filing.category')]);
    // Told once: the category's choice says nothing of them again.
    await chat.say(press('Ямы на дороге'));
    expect(chat.replyTexts.join('\n')).not.toContain(t('ru', 'filing.photos_over', { count: 2, max: 5 }));
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon), press(t('ru', 'filing.send')));
    expect(await filedMessageOf(db, chat)).toEqual({ text: CAPTION, photos: 5 });
  });

  it('a photo of its own past the fifth while the sector is chosen is told at once that it was not kept', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say(photosWithText(CAPTION, '841', '842', '843', '844', '845'));
    await chat.say(photos('846'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.photo_over_choose', { max: 5 })]);
    await chat.say(press('Дороги'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.category')]);
  });

  it('a photo alone starts filing with it, and the description is asked after the category', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say(photos('821'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.start_with_photo'), t('ru', 'filing.sector')]);
    await chat.say(press('Дороги'), press('Ямы на дороге'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
    await chat.say('Яма у остановки.', location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.replyTexts.at(-1)).toBe(t('ru', 'filing.photo_added', { count: 1, max: 5 }));
  });

  it('a caption without words is no description: the photo is kept and the text asked for', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say(photosWithText('!!!', '831'));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.start_with_photo'), t('ru', 'filing.sector')]);
    await chat.say(press('Дороги'), press('Ямы на дороге'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
  });
});
