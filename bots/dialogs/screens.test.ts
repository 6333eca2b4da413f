import { describe, expect, it } from 'vitest';
import { dialogStateOf, newChat } from '../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile, helpText } from '../../test/bots/harness.ts';
import { CHANNELS, tap } from '../../test/bots/player.ts';
import type { TestDatabase } from '../../test/database.ts';
import { createTranslator } from '../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

describe.each(CHANNELS)('%s: a screen to look at (the /my list) is left by whatever comes next', (channel) => {
  it('a command or another button answered after /my does not bring the list back; text is then answered as between flows', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.playFixture('file-message.json');
    await chat.say('/my');
    const list = chat.replyTexts[0]!;
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'messages', step: 'list' });

    await chat.say('/help');
    expect(chat.replyTexts).toEqual([helpText(t, 'ru')]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });

    await chat.say('/my', tap('!m:settings'));
    expect(chat.replyTexts).not.toContain(list);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
    await chat.say('спасибо');
    expect(chat.replyTexts).not.toContain(t('ru', 'dialog.use_buttons'));
    expect(chat.replyTexts).not.toContain(list);
  });
});
