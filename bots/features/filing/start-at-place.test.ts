import { describe, expect, it } from 'vitest';
import { dialogStateOf, newChat, residentOf } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, press } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

describe.each(CHANNELS)('%s: a place pasted as text where the messenger cannot share one (desktop apps)', (channel) => {
  it('a map link or coordinates at the place step are the place; other text gets the hint and the location button again', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у остановки.');
    await chat.say('у магазина');
    expect(chat.replyTexts[0]).toBe(t('ru', channel === 'vk' ? 'filing.send_location_hint_vk' : 'filing.send_location_hint'));
    expect(chat.keyboards().at(-1)!.rows[0]![0]!.request).toBe('location');
    await chat.say(`https://yandex.ru/maps/64/kemerovo/?ll=${KEMEROVO.lon}%2C${KEMEROVO.lat}&z=17`);
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.location_ok', { municipality: 'Кемеровский городской округ' }));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'photos' });
    await chat.say(press(t('ru', 'filing.skip_photos')), press(t('ru', 'filing.send')));
    const message = await db.db
      .selectFrom('message')
      .select(['lat', 'lon'])
      .where('author_id', '=', await residentOf(db, chat))
      .executeTakeFirstOrThrow();
    expect(message).toEqual({ lat: KEMEROVO.lat, lon: KEMEROVO.lon });
  });
});

describe.each(CHANNELS)('%s: a place shared from the main menu starts filing there', (channel) => {
  it('keeps the place, asks the category and the text, skips the place step, and files the message at that point', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.start_at_place', { municipality: 'Кемеровский городской округ' }));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'sector' });
    await chat.say(press('Дороги'), press('Ямы на дороге'), 'Яма во дворе дома 7.');
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'photos' });
    expect(chat.replyTexts.join('\n')).not.toContain(t('ru', 'filing.location'));
    await chat.say(press(t('ru', 'filing.skip_photos')), press(t('ru', 'filing.send')));
    const message = await db.db
      .selectFrom('message')
      .select(['text', 'lat', 'lon'])
      .where('author_id', '=', await residentOf(db, chat))
      .executeTakeFirstOrThrow();
    expect(message).toEqual({ text: 'Яма во дворе дома 7.', lat: KEMEROVO.lat, lon: KEMEROVO.lon });
  });

  it('a place outside every municipality, or no place at all (0,0), is refused and the resident stays at the menu', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say(location(55.7558, 37.6173));
    expect(chat.replyTexts[0]).toBe(t('ru', 'errors.OUTSIDE_MUNICIPALITY'));
    await chat.say(location(0, 0));
    expect(chat.replyTexts[0]).toBe(t('ru', 'errors.INVALID_POINT'));
    expect((await dialogStateOf(db, chat)).flow).not.toBe('filing');
  });
});
