import { describe, expect, it } from 'vitest';
import { dialogStateOf, newChat, residentOf } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, photosWithText, press } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

describe.each(CHANNELS)('%s: the description of a problem needs words', (channel) => {
  it('an emoji, punctuation, a number or a link alone is refused with a word on what to write; a short description in words is taken', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    for (const text of ['👍', '!!!', '12', 'ок 👌', 'https://vk.com/wall-12345_678', 'vk.com/kuzbass_online?w=wall-1_2 👀']) {
      await chat.say(text);
      expect(chat.replyTexts).toEqual([t('ru', 'filing.text_no_words'), t('ru', 'filing.text', { max: 4000 })]);
      expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
    }
    await chat.say('Яма! https://vk.com/photo1_2', location(KEMEROVO.lat, KEMEROVO.lon), press(t('ru', 'filing.skip_photos')), press(t('ru', 'filing.send')));
    const message = await db.db
      .selectFrom('message')
      .select('text')
      .where('author_id', '=', await residentOf(db, chat))
      .executeTakeFirstOrThrow();
    expect(message.text).toBe('Яма! https://vk.com/photo1_2'); // words with a link: taken
  });

  it('a photo whose text has no words (a Telegram caption, a VK text with the photo) is kept, and the description is still asked for', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    await chat.say(photosWithText('👍', '457239019'));
    if (chat.channel === 'tg') {
      expect(chat.replyTexts).toEqual([t('ru', 'filing.photo_kept_text', { count: 1, max: 5 })]);
    } else {
      expect(chat.replyTexts).toEqual([t('ru', 'filing.text_no_words'), t('ru', 'filing.text', { max: 4000 }), t('ru', 'filing.photo_kept_text', { count: 1, max: 5 })]);
    }
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
  });

  it('a place shared from the main menu with a text of no words starts filing there and asks for the description', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    if (chat.channel === 'tg') {
      await chat.say(location(KEMEROVO.lat, KEMEROVO.lon));
    } else {
      await chat.send({ type: 'message_new', object: { message: { text: '👆', geo: { type: 'point', coordinates: { latitude: KEMEROVO.lat, longitude: KEMEROVO.lon } } } } });
    }
    expect(chat.replyTexts).toContain(t('ru', 'filing.start_at_place', { municipality: 'Кемеровский городской округ' }));
    await chat.say(press('Дороги'), press('Ямы на дороге'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
  });
});
