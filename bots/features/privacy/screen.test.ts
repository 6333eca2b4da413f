import { describe, expect, it } from 'vitest';
import { dialogStateOf, newChat } from '../../../test/bots/chats.ts';
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

describe.each(CHANNELS)('%s: the /privacy screen', (channel) => {
  it('is no step the resident stays in: a later command or text does not bring it back; "Withdraw consent" still asks', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.say('/privacy');
    const screen = chat.replyTexts[0]!;
    expect(screen).toContain(t('ru', 'privacy.info'));
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });

    await chat.say('/help');
    expect(chat.replyTexts.join('\n')).not.toContain(screen);
    await chat.say('привет');
    expect(chat.replyTexts.join('\n')).not.toContain(screen);
    expect(chat.replyTexts).not.toContain(t('ru', 'dialog.use_buttons'));

    await chat.say('/privacy', press(t('ru', 'privacy.withdraw')));
    expect(chat.replyTexts[0]).toBe(t('ru', 'privacy.confirm_withdraw'));
    await chat.say(press(t('ru', 'privacy.withdraw_no')));
    expect(chat.replyTexts).toEqual([t('ru', 'privacy.kept')]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });
});
