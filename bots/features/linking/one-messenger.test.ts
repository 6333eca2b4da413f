import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newChat, residentOf } from '../../../test/bots/chats.ts';
import { BotHarness } from '../../../test/bots/harness.ts';
import { press, tap } from '../../../test/bots/player.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { notifyResident } from '../../../core/notifications/notify.ts';
import { createTranslator } from '../../i18n.ts';

/**
 * The bot in one messenger alone (the other's token unset): /link and /notify do not send the
 * resident to a messenger where no bot answers, and the main menu offers no linking.
 */
const t = createTranslator();
const backToMenu = t('ru', 'menu.back_to_menu');

describe.each([
  ['vk', 'tg', { TELEGRAM_BOT_TOKEN: '' }],
  ['tg', 'vk', { VK_GROUP_TOKEN: '' }],
] as const)('only %s is on', (channel, off, env) => {
  let db: TestDatabase;
  let harness: BotHarness;
  beforeAll(async () => {
    db = await createTestDatabase();
    harness = await BotHarness.start({ database: db, env });
  });
  afterAll(async () => {
    await harness?.close();
    await db?.close();
  });

  it(`/link gives no code for ${off}, /notify says notifications come here, and the menu has no "Link ${off}"`, async () => {
    const chat = newChat(harness, channel, 'Дина');
    await chat.playFixture('registration.json');
    const offName = t('ru', off === 'tg' ? 'menu.messenger_tg' : 'menu.messenger_vk');
    expect(chat.buttonLabels()).not.toContain(t('ru', 'menu.link', { other: offName }));

    // /help lists no /link (it has nothing to link), and for Telegram neither does its command menu.
    await chat.say('/help');
    expect(chat.replyTexts.join('\n')).toContain('/notify');
    expect(chat.replyTexts.join('\n')).not.toContain('/link');
    if (channel === 'tg') {
      const published = harness.fake.callsOf('setMyCommands');
      expect(published).toHaveLength(2);
      for (const call of published) expect((call.params.commands as { command: string }[]).map((c) => c.command)).not.toContain('link');
    }

    await chat.say('/link');
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.link_other_off')]);
    expect(chat.replyTexts.join('\n')).not.toContain(offName);
    expect(await db.db.selectFrom('resident_link_code').select('id').execute()).toEqual([]);
    expect(chat.buttonLabels()).toEqual([backToMenu]);
    await chat.say(press(backToMenu));
    expect(chat.replyTexts).toEqual([t('ru', 'menu.main')]);
    expect(chat.buttonLabels()).not.toContain(t('ru', 'menu.link', { other: offName }));

    await chat.say('/notify');
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.notify_only_messenger')]);
    expect(chat.buttonLabels()).toEqual([backToMenu]);
    // A button from an earlier screen (or typed by hand) for the messenger that is off saves nothing.
    await chat.say(tap(`!n:${off}`));
    expect(chat.replyTexts).toEqual([t('ru', 'dialog.notify_only_messenger')]);
    const resident = await db.db
      .selectFrom('resident')
      .select('notify_channel')
      .where('id', '=', await residentOf(db, chat))
      .executeTakeFirstOrThrow();
    expect(resident.notify_channel).toBeNull();
  });
  it(`sends a notice here when the resident chose ${off} (linked while it ran): the choice is kept for when it runs again`, async () => {
    const chat = newChat(harness, channel, 'Олег');
    await chat.playFixture('registration.json');
    const resident = await residentOf(db, chat);
    await db.db
      .insertInto('resident_identity')
      .values({ resident_id: resident, channel: off, external_id: '424242', chat_id: '424242', last_seen_at: new Date(Date.now() - 60_000) })
      .execute();
    await db.db.updateTable('resident').set({ notify_channel: off }).where('id', '=', resident).execute();

    expect(await notifyResident(db.db, resident, 'broadcast.official', { text: 'Ответ готов' }, { kind: 'status' })).toBe(true);
    await chat.deliverOutbox();
    expect(chat.replyTexts.join('\n')).toContain('Ответ готов');
    const notice = await db.db.selectFrom('outbox').select('channel').where('resident_id', '=', resident).where('kind', '=', 'status').executeTakeFirstOrThrow();
    expect(notice.channel).toBe(channel);
    expect((await db.db.selectFrom('resident').select('notify_channel').where('id', '=', resident).executeTakeFirstOrThrow()).notify_channel).toBe(off);
  });
});
