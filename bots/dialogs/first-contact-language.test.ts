import { describe, expect, it } from 'vitest';
import { newChat } from '../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../test/bots/harness.ts';
import { CHANNELS } from '../../test/bots/player.ts';
import { createTranslator } from '../i18n.ts';

let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((_db, started) => {
  harness = started;
});

describe.each(CHANNELS)('%s: a first contact before the language is chosen', (channel) => {
  it("is answered in the messenger's UI language: English for an English client, Russian otherwise; the registration still asks", async () => {
    const english = newChat(harness, channel, 'John', 'en');
    await english.say('Hello');
    expect(english.replyTexts).toEqual([t('en', 'dialog.start_hint')]);
    const russian = newChat(harness, channel, 'Иван', 'ru');
    await russian.say('Привет');
    expect(russian.replyTexts).toEqual([t('ru', 'dialog.start_hint')]);
    await english.say('/start');
    expect(english.replyTexts.join('\n')).toContain('Choose your language');
  });
});
