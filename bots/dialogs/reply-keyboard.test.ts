import { describe, expect, it } from 'vitest';
import { actionId } from '../../core/dialogs/action-id.ts';
import { dialogStateOf, newChat, perChannel, type Chat } from '../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, press, tap } from '../../test/bots/player.ts';
import type { TestDatabase } from '../../test/database.ts';
import { BACK_TO_MENU_ENTRY } from '../features/basics/back-to-menu.ts';
import { createTranslator } from '../i18n.ts';
import { MENU_PAGE, menuButton } from './menu.ts';
import { MENU_TAG } from './registry.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const REMOVED = { inline: false, removed: true, rows: [] };
/** ☰ Menu as an older message of the chat shows it (an action button: it works from any step). */
const MENU = menuButton(BACK_TO_MENU_ENTRY, 'menu.back_to_menu').id;

const showsLocationButton = (chat: Chat) => chat.keyboards().some((k) => k.rows.flat().some((b) => b.request === 'location'));

/** The removal as the messenger got it on the answer's first message: Telegram remove_keyboard, VK an empty one-time keyboard. */
function expectRemovalSent(chat: Chat): void {
  if (chat.channel === 'vk') expect(JSON.parse(chat.replies[0]!.params.keyboard!)).toEqual({ one_time: true, buttons: [] });
  else expect(chat.replies[0]!.params.reply_markup).toEqual({ remove_keyboard: true });
}

/** Filing as far as its place step, which shows the location keyboard. */
async function atPlaceStep(chat: Chat): Promise<void> {
  await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у школы №5.');
  expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'location' });
  expect(showsLocationButton(chat)).toBe(true);
}

describe.each(CHANNELS)('%s: a step left by an inline button takes its location keyboard away', (channel) => {
  it('/nearby left by ☰ Menu: a short line takes the keyboard away before the menu; a point shared at the menu then offers filing, nothing more to take away', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/nearby');
    expect(showsLocationButton(chat)).toBe(true);

    // The menu's message has its buttons: a message carries one keyboard, so the removal comes on a line of its own, first.
    await chat.say(press(t('ru', 'menu.back_to_menu')));
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.keyboard_gone'), t('ru', 'menu.main')]);
    const [removal, menu] = chat.keyboards();
    expect(removal).toEqual(REMOVED);
    expect(menu?.inline).toBe(true);
    expectRemovalSent(chat);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });

    // Gone for good: the menu again is the menu alone, as where no keyboard was ever shown.
    await chat.say(press(t('ru', 'menu.back_to_menu')));
    expect(chat.replyTexts).toEqual([t('ru', 'menu.main')]);
    expect(chat.keyboards().every((k) => k.inline)).toBe(true);

    // A point shared at the menu (a phone's attachment, no button left to press) still offers filing there.
    await chat.say(location(KEMEROVO.lat, KEMEROVO.lon));
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.start_at_place', { municipality: 'Кемеровский городской округ' }));
    expect(chat.keyboards().every((k) => k.inline)).toBe(true);
  });

  it("filing's place step left by an old menu button that keeps the draft, by ☰ Menu, or by /cancel: the keyboard goes every time, once", async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await atPlaceStep(chat);

    // «File a message» of an old menu starts at the sector with the text kept, nothing said: the line takes the keyboard away.
    await chat.say(press(t('ru', 'menu.file')));
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.keyboard_gone'), t('ru', 'filing.sector')]);
    expect(chat.keyboards().map((k) => k.inline)).toEqual([false, true]);
    expect(chat.keyboards()[0]).toEqual(REMOVED);
    expectRemovalSent(chat);
    await chat.say(press('Дороги'), press('Ямы на дороге'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'location' });
    expect(showsLocationButton(chat)).toBe(true);

    // ☰ Menu of an older message: the draft's notice (a line without buttons) carries the removal, no extra line.
    await chat.say(tap(MENU));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.draft_discarded'), t('ru', 'menu.main')]);
    expect(chat.keyboards()[0]).toEqual(REMOVED);
    expect(chat.keyboards().filter((k) => !k.inline)).toHaveLength(1);

    // /cancel: «Cancelled.» carries it.
    await atPlaceStep(chat);
    await chat.say('/cancel');
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.cancelled'), t('ru', 'menu.main')]);
    expect(chat.keyboards()[0]).toEqual(REMOVED);
    expectRemovalSent(chat);
  });

  it('a step that keeps asking for the place keeps the keyboard: /help, an old page of the menu, a text that is no place', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await atPlaceStep(chat);
    await chat.say('/help');
    expect(showsLocationButton(chat)).toBe(true);
    // A page of an old main menu is shown in place of that menu: the dialog stays at the place step, keyboard and all.
    await chat.say(tap(actionId(MENU_TAG, MENU_PAGE, '0')));
    expect(chat.replyTexts).toEqual([t('ru', 'menu.main')]);
    expect(chat.keyboards().every((k) => k.inline)).toBe(true);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'location' });
    await chat.say('у моста');
    expect(chat.replyTexts[0]).toBe(t('ru', perChannel(channel, { tg: 'filing.send_location_hint', vk: 'filing.send_location_hint_vk' })));
    expect(chat.keyboards().some((k) => k.removed)).toBe(false);
    expect(chat.replyTexts).not.toContain(t('ru', 'dialog.keyboard_gone'));
  });
});
