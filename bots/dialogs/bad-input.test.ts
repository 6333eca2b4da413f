import { beforeEach, describe, expect, it } from 'vitest';
import { dialogStateOf, messageCount, newChat, perChannel, registeredChat, residentRowOf, type Chat } from '../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile, helpText } from '../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, MOSCOW, other, photos, press, tap } from '../../test/bots/player.ts';
import type { TestDatabase } from '../../test/database.ts';
import { createTranslator } from '../i18n.ts';
import { VK_LIMITS } from '../vk/render.ts';
import { MAX_BUTTON_ID_BYTES, stampId } from './buttons.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const toText = ['/new', press('Дороги'), press('Ямы на дороге')];

describe.each(CHANNELS)('%s: bad input gets a clear answer and changes nothing', (channel) => {
  let bot: Chat;
  beforeEach(() => {
    bot = newChat(harness, channel);
  });
  const registered = async () => {
    await bot.playFixture('registration.json');
    return bot;
  };

  it('a sticker, a voice message or a document where text is expected', async () => {
    await (await registered()).say(...toText);
    for (const what of ['sticker', 'voice', 'document'] as const) {
      await bot.say(other(what));
      expect(bot.replyTexts[0], what).toBe(t('ru', 'filing.send_text'));
    }
    expect(await dialogStateOf(db, bot)).toEqual({ flow: 'filing', step: 'text' });
  });

  it('a 10,000-character text is refused with the limit, a blank one as empty', async () => {
    await (await registered()).say(...toText);
    await bot.say('я'.repeat(10_000));
    expect(bot.replyTexts[0]).toBe(t('ru', 'errors.TEXT_TOO_LONG', { max: 4000, length: 10_000 }));
    expect(await dialogStateOf(db, bot)).toEqual({ flow: 'filing', step: 'text' });
    await bot.say('   ');
    // Telegram delivers the blank text (refused as empty); VK's parser sees a message with nothing in it.
    expect(bot.replyTexts[0]).toBe(perChannel(channel, { tg: t('ru', 'errors.TEXT_EMPTY'), vk: t('ru', 'filing.send_text') }));
  });

  it('a location at 0,0 or outside every municipality gets a retry with the location button again', async () => {
    await (await registered()).say(...toText, 'Яма.');
    await bot.say(location(0, 0));
    expect(bot.replyTexts[0]).toBe(t('ru', 'errors.INVALID_POINT'));
    await bot.say(location(MOSCOW.lat, MOSCOW.lon));
    expect(bot.replyTexts[0]).toBe(t('ru', 'errors.OUTSIDE_MUNICIPALITY'));
    const retry = bot.keyboards().at(-1)!;
    expect([retry.inline, retry.rows[0]![0]!.request]).toEqual([false, 'location']);
    expect(await dialogStateOf(db, bot)).toEqual({ flow: 'filing', step: 'location' });
    await bot.say(other('sticker'));
    expect(bot.replyTexts[0]).toBe(t('ru', perChannel(channel, { tg: 'filing.send_location_hint', vk: 'filing.send_location_hint_vk' })));
  });

  it('a tap on a keyboard from an earlier step is "out of date", not applied; every keyboard is within the messenger\'s limits', async () => {
    await (await registered()).say('/new', press('Дороги'));
    const oldCategory = bot.buttonId('Ямы на дороге');
    await bot.say(press('Ямы на дороге'), 'Яма у школы.');
    await bot.say(tap(oldCategory));
    expect(bot.replyTexts[0]).toBe(t('ru', 'dialog.outdated'));
    expect(bot.replyTexts[1]).toBe(t('ru', perChannel(channel, { tg: 'filing.location', vk: 'filing.location_vk' })));
    expect(await dialogStateOf(db, bot)).toEqual({ flow: 'filing', step: 'location' });
    for (const garbage of ['zz:garbage', '!zz:1', '!r:1:9', '!m:nope']) {
      await bot.say(tap(garbage));
      expect(bot.replyTexts[0], garbage).toBe(t('ru', 'dialog.outdated'));
    }
    if (bot.channel === 'tg') {
      // Every button fits Telegram's 64-byte callback_data.
      const all = harness.fake.calls.flatMap((c) => ((c.params.reply_markup as { inline_keyboard?: { callback_data: string }[][] } | undefined)?.inline_keyboard ?? []).flat());
      expect(all.length).toBeGreaterThan(20);
      for (const b of all) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(MAX_BUTTON_ID_BYTES);
    } else {
      const keyboards = harness.vkFake.calls
        .filter((c) => c.params.keyboard)
        .map((c) => JSON.parse(c.params.keyboard!) as { inline?: boolean; buttons: { action: { label?: string; payload?: string } }[][] });
      expect(keyboards.length).toBeGreaterThan(10);
      for (const k of keyboards) {
        const limits = k.inline ? VK_LIMITS.inline : VK_LIMITS.regular;
        expect(k.buttons.length).toBeLessThanOrEqual(limits.rows);
        expect(k.buttons.flat().length).toBeLessThanOrEqual(limits.total);
        for (const row of k.buttons) expect(row.length).toBeLessThanOrEqual(limits.perRow);
        for (const b of k.buttons.flat()) {
          expect((b.action.payload ?? '').length).toBeLessThanOrEqual(VK_LIMITS.payload);
          expect([...(b.action.label ?? '')].length).toBeLessThanOrEqual(VK_LIMITS.label);
        }
      }
    }
  });

  it('a step\'s button tapped in a chat that never had a dialog (its version is 1, as every first step\'s) is "out of date", not "not understood"', async () => {
    // Registered through core (another messenger, the console): this chat has no dialog yet.
    const { chat: fresh } = await registeredChat(db, harness, channel);
    for (const id of [stampId(1, 'yes'), stampId(1, 'sector:1')]) {
      await fresh.say(tap(id));
      expect(fresh.replyTexts, id).toEqual([t('ru', 'dialog.outdated'), t('ru', 'menu.main')]);
    }
    expect(await dialogStateOf(db, fresh)).toEqual({ flow: 'idle', step: 'idle' });
    // Not registered at all: out of date too, then what such a chat is told between flows.
    await bot.say(tap(stampId(1, 'yes')));
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.outdated'), t('ru', 'dialog.start_hint')]);
    // Typed text in the same chat still gets the hint (idle's answer to what it does not take).
    await fresh.say('абракадабра');
    expect(fresh.replyTexts[0]).toBe(t('ru', 'dialog.hint'));
  });

  it('an action button whose id is past the database\'s integer range is "out of date", not an apology', async () => {
    await (await registered()).say(...toText);
    // Row ids are PostgreSQL integers: 2^31 and past it used to reach a query and fail there.
    for (const id of ['!o:2147483648', '!c:99999999999', '!r:99999999999:5', '!pa:2147483648', '!pr:99999999999', '!dla:99999999999']) {
      await bot.say(tap(id));
      expect(bot.replyTexts[0], id).toBe(t('ru', 'dialog.outdated'));
    }
    expect(await dialogStateOf(db, bot)).toEqual({ flow: 'filing', step: 'text' });
    // The same id printed in a poll's link (a poster's QR code) is a poll that does not exist.
    await bot.say('/start poll_9999999999');
    expect(bot.replyTexts[0]).toBe(t('ru', 'errors.POLL_NOT_FOUND'));
  });

  it('an edited message, a forwarded message and a shared post get their own answer; a moving live location is ignored', async () => {
    await (await registered()).say(...toText);
    await bot.say(other('edited'));
    // Both messengers deliver the resident's edit (Telegram edited_message, VK message_edit): answered the same.
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.edited_ignored')]);
    await bot.say(other('forwarded'));
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.forwarded_not_accepted')]);
    await bot.say(other('shared'));
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.forwarded_not_accepted')]);
    expect(await dialogStateOf(db, bot)).toEqual({ flow: 'filing', step: 'text' });
    await bot.say(other('live_location'));
    expect(bot.replyTexts).toEqual([]);
  });

  it('an edit or a forward at the location step is answered without taking the location button away', async () => {
    await (await registered()).say(...toText, 'Яма.');
    for (const what of ['edited', 'forwarded'] as const) {
      await bot.say(other(what));
      expect(bot.keyboards(), what).toEqual([]);
    }
    expect(await dialogStateOf(db, bot)).toEqual({ flow: 'filing', step: 'location' });
    // The button goes once the place is taken.
    await bot.say(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(bot.keyboards()[0]).toMatchObject({ removed: true });
  });

  it('the bad-input fixture (fixtures/<messenger>/bad-input.json) gets each of its expected answers', async () => {
    await bot.playFixture('bad-input.json');
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.cancelled'), t('ru', 'menu.main')]);
    expect(await dialogStateOf(db, bot)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('an unregistered resident cannot file', async () => {
    await bot.say('/new');
    expect(bot.replyTexts).toEqual([t('ru', 'errors.CONSENT_REQUIRED')]);
    await bot.say(tap('!m:file'));
    expect(bot.replyTexts).toEqual([t('ru', 'errors.CONSENT_REQUIRED')]);
    await bot.say('Просто текст');
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.start_hint')]);
    expect(await dialogStateOf(db, bot)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it("the phone step takes only the sender's own contact (Telegram) or a typed number (VK), or Skip", async () => {
    await bot.say('/start', press('Русский'), press('Понятно, дальше'), press('✅ Согласен(на)'));
    // Telegram offers its share-phone button and Skip; VK has no share-phone button, so only Skip.
    const labels = bot.keyboards().flatMap((k) => k.rows.flat().map((b) => [b.label, b.request ?? '']));
    expect(labels).toEqual(
      perChannel(channel, {
        tg: [
          [t('ru', 'reg.share_phone'), 'contact'],
          [t('ru', 'reg.skip'), ''],
        ],
        vk: [[t('ru', 'reg.skip'), '']],
      }),
    );
    if (bot.channel === 'tg') {
      // Telegram: a typed number is refused, only the share-phone button proves it is the sender's.
      await bot.say('+79001234567');
      expect(bot.replyTexts[0]).toBe(t('ru', 'reg.phone_wrong_input'));
      await bot.post({ message: { contact: { phone_number: '+79990000000', first_name: 'Сосед', user_id: 42 } } });
      expect(bot.replyTexts[0]).toBe(t('ru', 'reg.contact_not_own'));
      await bot.post({ message: { contact: { phone_number: '+79990000001', first_name: 'Без id' } } });
      expect(bot.replyTexts[0]).toBe(t('ru', 'reg.contact_not_own'));
    }
    const resident = await residentRowOf(db, bot);
    expect(resident.phone).toBeNull();
    await bot.say(press('Пропустить'));
    expect(bot.replyTexts[0]).toBe(t('ru', 'reg.municipality'));
  });

  it('unknown input and unknown commands get a short hint, never silence', async () => {
    await registered();
    // A greeting or thanks is answered politely instead (bots/features/filing/text-at-menu.test.ts).
    await bot.say('абракадабра');
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.hint'), t('ru', 'menu.main')]);
    await bot.say('/foo');
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.unknown_command')]);
    // A photo between flows starts filing a message with it (bots/features/filing/start-with-photo.test.ts).
    await bot.say(photos('lonely1'));
    expect(bot.replyTexts).toEqual([t('ru', 'filing.start_with_photo'), t('ru', 'filing.sector')]);
    await bot.say('/cancel');
    await bot.say(other('sticker'));
    expect(bot.replyTexts[0]).toBe(t('ru', 'dialog.hint_not_supported'));
    if (bot.channel === 'tg') {
      // A poll, a dice, a game, a story: content the bot does not take, answered as a sticker is (not "I did not understand").
      const parts = [
        {
          poll: {
            id: '5001',
            question: 'Где поставить урну?',
            options: [
              { text: 'У подъезда', voter_count: 0 },
              { text: 'У остановки', voter_count: 0 },
            ],
            total_voter_count: 0,
            is_closed: false,
            is_anonymous: true,
            type: 'regular',
            allows_multiple_answers: false,
          },
        },
        { dice: { emoji: '🎲', value: 4 } },
        { game: { title: 'Игра', description: 'Игра', photo: [{ file_id: 'g1', file_unique_id: 'g1u', width: 320, height: 180 }] } },
        { story: { chat: { id: 777, type: 'channel', title: 'Канал' }, id: 12 } },
      ];
      for (const part of parts) {
        await bot.post({ message: part });
        expect(bot.replyTexts[0], Object.keys(part)[0]).toBe(t('ru', 'dialog.hint_not_supported'));
      }
    }
  });
});

describe.each(CHANNELS)('%s: commands anywhere', (channel) => {
  let bot: Chat;
  beforeEach(async () => {
    bot = newChat(harness, channel);
    await bot.playFixture('registration.json');
  });

  it('/cancel mid-filing drops the draft and shows the menu', async () => {
    const before = await messageCount(db);
    await bot.say(...toText, 'Яма.', location(KEMEROVO.lat, KEMEROVO.lon));
    await bot.say('/cancel');
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.cancelled'), t('ru', 'menu.main')]);
    expect(await dialogStateOf(db, bot)).toEqual({ flow: 'idle', step: 'idle' });
    expect(await messageCount(db)).toBe(before);
    await bot.say('/cancel');
    expect(bot.replyTexts[0]).toBe(t('ru', 'dialog.nothing_to_cancel'));
  });

  it('/language switches mid-flow and the current step is shown again in the new language', async () => {
    await bot.say(...toText);
    await bot.say('/language');
    expect(bot.replyTexts).toEqual([t('ru', 'dialog.choose_language'), t('ru', 'filing.text', { max: 4000 })]);
    await bot.say(press('English'));
    expect(bot.replyTexts).toEqual([t('en', 'dialog.language_set'), t('en', 'filing.text', { max: 4000 })]);
    expect(await dialogStateOf(db, bot)).toEqual({ flow: 'filing', step: 'text' });
    const resident = await residentRowOf(db, bot);
    expect(resident.language).toBe('en');
    await bot.say('/help');
    expect(bot.replyTexts).toEqual([helpText(t, 'en'), t('en', 'filing.text', { max: 4000 })]);
  });
});
