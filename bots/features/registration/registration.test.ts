import { describe, expect, it } from 'vitest';
import { dialogStateOf, newChat, perChannel, residentRowOf } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile, helpText } from '../../../test/bots/harness.ts';
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

const toConsent = ['/start', press('Русский'), press('Понятно, дальше'), press('✅ Согласен(на)')];
const consentCount = async (residentId: number) =>
  Number(
    (
      await db.db
        .selectFrom('consent')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('resident_id', '=', residentId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe.each(CHANNELS)('%s: the phone step', (channel) => {
  it('VK takes a typed number (checked, normalised to +7…); Telegram asks for its share-phone button', async () => {
    const chat = newChat(harness, channel);
    await chat.say(...toConsent);
    expect(chat.replyTexts).toEqual(
      perChannel(channel, {
        tg: [t('ru', 'reg.consent_recorded'), t('ru', 'reg.phone'), t('ru', 'reg.phone_skip_hint')],
        vk: [t('ru', 'reg.consent_recorded'), t('ru', 'reg.phone_typed')],
      }),
    );
    await chat.say('12-34');
    expect(chat.replyTexts[0]).toBe(perChannel(channel, { tg: t('ru', 'reg.phone_wrong_input'), vk: t('ru', 'reg.phone_invalid') }));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'registration', step: 'phone' });
    await chat.say('8 (923) 123-45-67');
    if (channel === 'vk') {
      expect(chat.replyTexts).toEqual([t('ru', 'reg.phone_saved'), t('ru', 'reg.municipality'), t('ru', 'reg.municipality_list')]);
      expect((await residentRowOf(db, chat)).phone).toBe('+79231234567');
    } else {
      // Telegram: only the resident's own contact proves the number is theirs.
      expect(chat.replyTexts[0]).toBe(t('ru', 'reg.phone_wrong_input'));
      expect((await residentRowOf(db, chat)).phone).toBeNull();
      await chat.post({ message: { contact: { phone_number: '79231234567', first_name: 'Иван', user_id: chat.userId } } });
      expect(chat.replyTexts[0]).toBe(t('ru', 'reg.phone_saved'));
      expect((await residentRowOf(db, chat)).phone).toBe('+79231234567');
    }
  });

  it('a sticker at the phone step gets the hint of this messenger', async () => {
    const chat = newChat(harness, channel);
    await chat.say(...toConsent, { other: 'sticker' });
    expect(chat.replyTexts[0]).toBe(perChannel(channel, { tg: t('ru', 'reg.phone_wrong_input'), vk: t('ru', 'reg.phone_wrong_input_vk') }));
  });
});

describe.each(CHANNELS)('%s: an interrupted registration resumes where it stopped', (channel) => {
  it('/new at the municipality step keeps the step (with its location button); /start goes on from there, not from the language', async () => {
    const chat = newChat(harness, channel);
    await chat.say(...toConsent, press('Пропустить'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'registration', step: 'municipality' });

    await chat.say('/new');
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.finish_registration_below'), t('ru', 'reg.municipality'), t('ru', 'reg.municipality_list')]);
    expect(chat.keyboards().some((k) => k.rows.flat().some((b) => b.request === 'location'))).toBe(true);
    expect(chat.keyboards().some((k) => k.removed)).toBe(false);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'registration', step: 'municipality' });

    await chat.say('/start');
    expect(chat.replyTexts).toEqual([t('ru', 'reg.resumed'), t('ru', 'reg.municipality'), t('ru', 'reg.municipality_list')]);
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.replyTexts[0]).toBe(t('ru', 'reg.done', { municipality: 'Кемеровский городской округ' }));
    const resident = await residentRowOf(db, chat);
    expect(resident.registered_at).not.toBeNull();
    expect(await consentCount(resident.id)).toBe(1);
  });

  it('after /cancel past the consent, /start resumes at the phone step without asking for consent again', async () => {
    const chat = newChat(harness, channel);
    await chat.say(...toConsent, '/cancel');
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
    await chat.say('/start');
    expect(chat.replyTexts[0]).toBe(t('ru', 'reg.resumed'));
    expect(chat.replyTexts[1]).toBe(perChannel(channel, { tg: t('ru', 'reg.phone'), vk: t('ru', 'reg.phone_typed') }));
    expect(chat.replyTexts.join('\n')).not.toContain('152-ФЗ');
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'registration', step: 'phone' });
    await chat.say(press('Пропустить'), location(KEMEROVO.lat, KEMEROVO.lon));
    const resident = await residentRowOf(db, chat);
    expect(resident.registered_at).not.toBeNull();
    expect(await consentCount(resident.id)).toBe(1);
  });
});

describe.each(CHANNELS)('%s: the consent declined', (channel) => {
  it('nothing is recorded; /start (or the old consent button) goes back to the consent, not to the language and the introduction', async () => {
    const chat = newChat(harness, channel);
    await chat.say('/start', press('Русский'), press('Понятно, дальше'), press('Не согласен(на)'));
    expect(chat.replyTexts).toEqual([t('ru', 'reg.consent_declined')]);
    const declined = await residentRowOf(db, chat);
    expect(await consentCount(declined.id)).toBe(0);
    expect(declined.registered_at).toBeNull();

    await chat.say('/start');
    expect(chat.replyTexts[0]).toBe(t('ru', 'reg.resumed'));
    expect(chat.replyTexts.join('\n')).toContain('152-ФЗ');
    expect(chat.replyTexts.join('\n')).not.toContain(t('ru', 'reg.choose_language'));
    await chat.say(press('✅ Согласен(на)'), press('Пропустить'), location(KEMEROVO.lat, KEMEROVO.lon));
    const resident = await residentRowOf(db, chat);
    expect(resident.registered_at).not.toBeNull();
    expect(await consentCount(resident.id)).toBe(1);
  });

  it("changing one's mind right away: the agree button of the same message registers on", async () => {
    const chat = newChat(harness, channel);
    await chat.say('/start', press('Русский'), press('Понятно, дальше'), press('Не согласен(на)'), press('✅ Согласен(на)'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'reg.consent_recorded'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'registration', step: 'phone' });
  });
});

describe.each(CHANNELS)('%s: a command in the middle of a step', (channel) => {
  it('/help at the location step answers and shows the step again with its location button', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у дома 3.');
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'location' });
    await chat.say('/help');
    expect(chat.replyTexts[0]).toBe(helpText(t, 'ru'));
    expect(chat.replyTexts).toHaveLength(2);
    expect(chat.keyboards().some((k) => k.rows.flat().some((b) => b.request === 'location'))).toBe(true);
    expect(chat.keyboards().some((k) => k.removed)).toBe(false);
    // An unknown command too; and the step still takes its input.
    await chat.say('/foo');
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.unknown_command'));
    expect(chat.keyboards().some((k) => k.rows.flat().some((b) => b.request === 'location'))).toBe(true);
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(await dialogStateOf(db, chat)).not.toEqual({ flow: 'filing', step: 'location' });
  });
});

describe.each(CHANNELS)('%s: a stranger who writes the start word instead of /start', (channel) => {
  it("«Начать» (the label of VK's own start button) or «Start» typed starts the registration; other text gets the hint, which names it", async () => {
    const chat = newChat(harness, channel);
    await chat.say('Здравствуйте');
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.start_hint')]);
    expect(chat.replyTexts[0]).toContain('«Начать»');
    await chat.say('Начать');
    expect(chat.replyTexts.join('\n')).toContain('Выберите язык');
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'registration', step: 'language' });

    const english = newChat(harness, channel, 'John', 'en');
    await english.say('start!');
    expect(english.replyTexts.join('\n')).toContain('Choose your language');
  });

  it('a registered resident who writes «Помощь» or «меню» gets the help or the main menu, not "I did not understand"', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('Помощь');
    expect(chat.replyTexts).toEqual([helpText(t, 'ru')]);
    await chat.say('меню');
    expect(chat.replyTexts).toEqual([t('ru', 'menu.main')]);
  });

  it('a registered resident who writes «Начать» gets the main menu as with /start', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('начать');
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.welcome_back'), t('ru', 'menu.main')]);
  });
});

describe.each(CHANNELS)('%s: the municipality typed by name', (channel) => {
  it('«Новокузнецк» or «г. Белово» typed at the municipality step registers there; a name that is no connected municipality gets the hint and the list again', async () => {
    const chat = newChat(harness, channel);
    await chat.say(...toConsent, press(t('ru', 'reg.skip')));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'registration', step: 'municipality' });
    await chat.say('Москва');
    expect(chat.replyTexts[0]).toBe(t('ru', 'reg.municipality_wrong_input'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'registration', step: 'municipality' });
    await chat.say('Новокузнецк');
    expect(chat.replyTexts[0]).toBe(t('ru', 'reg.done', { municipality: 'Новокузнецкий городской округ' }));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });

    const other = newChat(harness, channel);
    await other.say(...toConsent, press(t('ru', 'reg.skip')), 'г. Белово');
    expect(other.replyTexts[0]).toBe(t('ru', 'reg.done', { municipality: 'Беловский городской округ' }));
  });
});
