import { describe, expect, it } from 'vitest';
import { dialogStateOf, newChat } from '../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../test/bots/harness.ts';
import { press } from '../../test/bots/player.ts';
import type { TestDatabase } from '../../test/database.ts';
import type { VkConversation } from '../../test/vk/conversation.ts';
import { createTranslator } from '../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const registered = async () => {
  const chat = newChat(harness, 'vk') as VkConversation;
  await chat.playFixture('registration.json');
  return chat;
};

// VK has no command menu: residents type words. Between flows «Меню» and «Помощь» are the
// commands; at a step that takes only its buttons they are the same commands, not a text refused.
describe('vk: a command word typed at a step that takes only buttons', () => {
  it('«Меню» while a problem is chosen: the main menu, the draft said discarded', async () => {
    const chat = await registered();
    await chat.say('/new', press('Дороги'));
    await chat.say('Меню');
    expect(chat.replyTexts).toEqual([t('ru', 'filing.draft_discarded'), t('ru', 'menu.main')]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('«отмена» typed at the sector step cancels, as /cancel does; between flows it is "nothing to cancel"', async () => {
    const chat = await registered();
    await chat.say('/new');
    await chat.say('отмена');
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.cancelled'), t('ru', 'menu.main')]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
    await chat.say('Отмена');
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.nothing_to_cancel'));
  });

  it('«Отмена» typed where the description is asked cancels the report, not taken as its description', async () => {
    const chat = await registered();
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'));
    await chat.say('Отмена');
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.cancelled'), t('ru', 'menu.main')]);
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('«Помощь» at the sector step: the help, and the step stays', async () => {
    const chat = await registered();
    await chat.say('/new');
    await chat.say('помощь');
    expect(chat.replyTexts[0]).toContain('/new — ');
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'filing', step: 'sector' });
  });

  it('after the consent is withdrawn, a button of an old message says what to send to start again, and sending it does', async () => {
    const chat = await registered();
    await chat.say('/my', '/privacy', press('Отозвать согласие'), press('Да, отозвать'));
    await chat.say(press('Сообщить о проблеме'));
    const [said] = chat.replyTexts;
    expect(said).toBe(t('ru', 'errors.CONSENT_REQUIRED'));
    // VK shows a command as plain text, not a button: the word to write is named, and it starts the registration.
    const word = /«([^»]+)»\.?$/.exec(said!)?.[1];
    expect(word).toBe('Начать');
    await chat.say(word!);
    expect(chat.replyTexts[0]).toBe(t('ru', 'reg.choose_language'));
  });
});
