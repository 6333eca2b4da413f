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

describe.each(CHANNELS)('%s: the summary shows the place', (channel) => {
  it('a bare point: the point and its municipality, no "—"; an address or landmark can be added in words, and is filed with the message', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у остановки.', location(KEMEROVO.lat, KEMEROVO.lon), press(t('ru', 'filing.skip_photos')));
    const summary = chat.replyTexts.at(-1)!;
    expect(summary).toContain('Место: 55.36010, 86.09020 — Кемеровский городской округ');
    expect(summary).toContain(`Адрес или ориентир: ${t('ru', 'filing.address_none')}`);
    expect(summary).not.toContain('Адрес: —');

    await chat.say(press(t('ru', 'filing.add_address')));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.address', { max: 300 })]);
    await chat.say('ab');
    // Too short: the answer asks for more, not for a shorter text.
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.address_too_short', { min: 3 }));
    expect(chat.replyTexts[0]).not.toContain('короче');
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'address' });
    await chat.say('  остановка «Школа №5»,   напротив аптеки ');
    expect(chat.replyTexts.at(-1)).toContain('Адрес или ориентир: остановка «Школа №5», напротив аптеки');
    expect(chat.replyTexts.at(-1)).toContain('Место: 55.36010, 86.09020 — Кемеровский городской округ');

    await chat.say(press(t('ru', 'filing.send')));
    const message = await db.db
      .selectFrom('message')
      .select(['address', 'lat', 'lon'])
      .where('author_id', '=', await residentOf(db, chat))
      .executeTakeFirstOrThrow();
    expect(message).toEqual({ address: 'остановка «Школа №5», напротив аптеки', lat: KEMEROVO.lat, lon: KEMEROVO.lon });
  });

  it('an address can be removed again; Back keeps it', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма.', location(KEMEROVO.lat, KEMEROVO.lon), press(t('ru', 'filing.skip_photos')));
    await chat.say(press(t('ru', 'filing.add_address')), 'ул. Весенняя, 12');
    await chat.say(press(t('ru', 'filing.add_address')), press(t('ru', 'dialog.back')));
    expect(chat.replyTexts.at(-1)).toContain('Адрес или ориентир: ул. Весенняя, 12');
    await chat.say(press(t('ru', 'filing.add_address')), press(t('ru', 'filing.address_clear')));
    expect(chat.replyTexts.at(-1)).toContain(`Адрес или ориентир: ${t('ru', 'filing.address_none')}`);
  });
});
