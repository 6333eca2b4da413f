import { describe, expect, it } from 'vitest';
import { dialogStateOf, messageCount, newChat } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, press } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const DISCARDED = t('ru', 'filing.draft_discarded');

describe.each(CHANNELS)('%s: leaving a message being filed by /start or the main menu says the draft is discarded', (channel) => {
  it('/start in the middle of filing: told the draft was discarded, then welcomed back with the menu', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма у школы №5.');
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'location' });
    await chat.say('/start');
    expect(chat.replyTexts.slice(0, 3)).toEqual([DISCARDED, t('ru', 'dialog.welcome_back'), t('ru', 'menu.main')]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
    expect(await messageCount(db)).toBe(0);
  });

  it('a main-menu button of an earlier message (my messages) says it too; «file a message» again keeps the draft and says nothing', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'));
    await chat.say(press(t('ru', 'menu.my')));
    expect(chat.replyTexts[0]).toBe(DISCARDED);
    await chat.say(press(t('ru', 'menu.file')));
    expect(chat.replyTexts).toEqual([t('ru', 'filing.sector')]);
    // «File a message» again while filing starts at the sector with what was written kept: nothing is lost, nothing said.
    // From the place step a line comes first, taking its location keyboard away (the sector's message has buttons of its own).
    await chat.say(press('Дороги'), press('Ямы на дороге'), 'Яма у моста.');
    await chat.say(press(t('ru', 'menu.file')));
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.keyboard_gone'), t('ru', 'filing.sector')]);
    await chat.say(press('Дороги'), press('Ямы на дороге'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'location' });
  });

  it('nothing is said where nothing is lost: /help keeps the step, /cancel says «cancelled» alone, /start before any choice', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    await chat.say('/help');
    expect(chat.replyTexts).not.toContain(DISCARDED);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'text' });
    await chat.say('/cancel');
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.cancelled'));
    expect(chat.replyTexts).not.toContain(DISCARDED);
    await chat.say('/new', '/start');
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.welcome_back'));
  });
});
