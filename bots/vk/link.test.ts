import { describe, expect, it } from 'vitest';
import { addStaffComment } from '../../core/messages/feedback.service.ts';
import { createResidentLinkCode } from '../../core/residents/identity-link.ts';
import type { TestDatabase } from '../../test/database.ts';
import { Conversation, fixturePath, loadFixture } from '../../test/telegram/conversation.ts';
import { BotHarness, botHarnessPerFile } from '../../test/telegram/harness.ts';
import { newUser, press, text } from '../../test/telegram/updates.ts';
import { loadVkFixture, newVkUser, VkConversation, vkFixturePath } from '../../test/vk/conversation.ts';
import { createTranslator } from '../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const vkText = (value: string) => ({ type: 'message_new', object: { message: { text: value } } });
const vkPress = (label: string) => ({ type: 'message_event', object: { payload: `$press:${label}` } });
const identity = (channel: 'tg' | 'vk', id: number) => db.db.selectFrom('resident_identity').selectAll().where('channel', '=', channel).where('external_id', '=', String(id)).executeTakeFirstOrThrow();
const executorId = async () =>
  (await db.db.selectFrom('staff').select('id').where('municipality_id', '=', db.demo.municipalities.Kemerovo).where('role', '=', 'executor').orderBy('id').executeTakeFirstOrThrow()).id;
const codeIn = (texts: string[]) => /\/link ([a-z0-9]+)/.exec(texts.join('\n'))?.[1];

describe('one resident, two messengers', () => {
  it('file in Telegram, link VK with the code, see and comment on the message in VK; notifications follow the channel last used', async () => {
    const tgUser = newUser('Анна');
    const tg = new Conversation(harness, tgUser);
    await tg.play(loadFixture(fixturePath('registration.json')).updates);
    await tg.play(loadFixture(fixturePath('file-message.json')).updates);
    const resident = (await identity('tg', tgUser.id)).resident_id;
    const [message] = await db.db.selectFrom('message').select('id').where('author_id', '=', resident).execute();

    await tg.send(text('/link'));
    const code = codeIn(tg.replyTexts);
    expect(code).toMatch(/^[a-z2-9]{8}$/);
    expect(tg.replyTexts[0]).toContain('VK');
    // Only the hash is stored.
    const stored = await db.db.selectFrom('resident_link_code').selectAll().where('resident_id', '=', resident).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.code_hash).not.toContain(code!);

    const vkUser = newVkUser('Анна');
    const vk = new VkConversation(harness, vkUser);
    await vk.send(vkText(`/link ${code!.toUpperCase()}`));
    expect(vk.replyTexts[0]).toBe(t('ru', 'dialog.link_done', { other: 'Telegram' }));
    expect(vk.replyTexts).toContain(t('ru', 'menu.main'));
    expect((await identity('vk', vkUser.id)).resident_id).toBe(resident);
    // The code works once.
    const other = new VkConversation(harness, newVkUser());
    await other.send(vkText(`/link ${code!}`));
    expect(other.replyTexts[0]).toBe(t('ru', 'errors.RESIDENT_LINK_CODE_INVALID'));
    // No second resident, consent recorded per channel, once each.
    expect(await db.db.selectFrom('resident_identity').select('channel').where('resident_id', '=', resident).orderBy('channel').execute()).toEqual([{ channel: 'tg' }, { channel: 'vk' }]);
    const consents = await db.db.selectFrom('consent').select(['channel', 'text_hash', 'withdrawn_at']).where('resident_id', '=', resident).orderBy('channel').execute();
    expect(consents.map((c) => [c.channel, c.withdrawn_at])).toEqual([['tg', null], ['vk', null]]);
    expect(consents[0]!.text_hash).toBe(consents[1]!.text_hash);

    // VK shows the message filed in Telegram; a comment made there lands on the same message.
    await vk.send(vkText('/my'));
    expect(vk.replyTexts.join('\n')).toContain('У вас 1 сообщение');
    await vk.send(vkPress('№'));
    expect(vk.replyTexts.join('\n')).toContain(`№${message!.id}`);
    // The card's Telegram photos are not shown in VK (file ids belong to their messenger).
    expect(vk.replies.some((c) => c.params.attachment)).toBe(false);
    await vk.send(vkPress('💬 Добавить комментарий'));
    await vk.send(vkText('Яма стала ещё больше после дождя.'));
    expect(vk.replyTexts.join('\n')).toContain('Комментарий к сообщению');
    const comments = await db.db.selectFrom('comment').selectAll().where('message_id', '=', message!.id).execute();
    expect(comments.map((c) => [c.author_kind, c.resident_id, c.text])).toEqual([['resident', resident, 'Яма стала ещё больше после дождя.']]);

    // The resident wrote last in VK: an official's reply is notified there.
    await addStaffComment(db.db, { staffId: await executorId(), messageId: message!.id, text: 'Выезжаем.' }, new Date());
    const last = async () => db.db.selectFrom('outbox').select(['channel', 'chat_id']).where('resident_id', '=', resident).where('kind', '<>', 'reply').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(await last()).toEqual({ channel: 'vk', chat_id: String(vkUser.id) });
    // Back in Telegram: the next one goes to Telegram.
    await tg.send(text('/help'));
    await addStaffComment(db.db, { staffId: await executorId(), messageId: message!.id, text: 'Работы начаты.' }, new Date());
    expect(await last()).toEqual({ channel: 'tg', chat_id: String(tgUser.id) });
    // Unless they choose: notifications to VK, set from Telegram.
    await tg.send(press('🔔 Уведомления'));
    await tg.send(press('Во VK'));
    expect(tg.replyTexts[0]).toBe(t('ru', 'dialog.notify_set', { where: t('ru', 'dialog.notify_vk') }));
    await addStaffComment(db.db, { staffId: await executorId(), messageId: message!.id, text: 'Работы завершены.' }, new Date());
    expect(await last()).toEqual({ channel: 'vk', chat_id: String(vkUser.id) });
  });

  it('a VK resident who already filed is merged in: both messages in one list, one resident left, consent per channel', async () => {
    const tgUser = newUser('Борис');
    const tg = new Conversation(harness, tgUser);
    await tg.play(loadFixture(fixturePath('registration.json')).updates);
    await tg.play(loadFixture(fixturePath('file-message.json')).updates);
    const vkUser = newVkUser('Борис');
    const vk = new VkConversation(harness, vkUser);
    await vk.play(loadVkFixture(vkFixturePath('registration.json')).updates);
    await vk.play(loadVkFixture(vkFixturePath('file-message.json')).updates);
    const tgResident = (await identity('tg', tgUser.id)).resident_id;
    const vkResident = (await identity('vk', vkUser.id)).resident_id;
    expect(vkResident).not.toBe(tgResident);

    // Started in VK this time: the code is shown in VK and entered in Telegram.
    await vk.send(vkPress('🔗 Привязать Telegram'));
    const code = codeIn(vk.replyTexts);
    await tg.send(text(`/link ${code!}`));
    expect(tg.replyTexts[0]).toBe(t('ru', 'dialog.link_done', { other: 'VK' }));

    // The resident who showed the code (VK's) stays; Telegram's is merged in and deleted.
    expect((await identity('tg', tgUser.id)).resident_id).toBe(vkResident);
    expect(await db.db.selectFrom('resident').select('id').where('id', '=', tgResident).execute()).toEqual([]);
    const messages = await db.db.selectFrom('message').select(['channel']).where('author_id', '=', vkResident).orderBy('id').execute();
    expect(messages.map((m) => m.channel)).toEqual(['tg', 'vk']);
    const consents = await db.db.selectFrom('consent').select('channel').where('resident_id', '=', vkResident).where('withdrawn_at', 'is', null).orderBy('channel').execute();
    expect(consents).toEqual([{ channel: 'tg' }, { channel: 'vk' }]);
    await tg.send(text('/my'));
    expect(tg.replyTexts.join('\n')).toContain('У вас 2 сообщения');
    await vk.send(vkText('/my'));
    expect(vk.replyTexts.join('\n')).toContain('У вас 2 сообщения');
    // Both linked: nothing more to link.
    await vk.send(vkText('/link'));
    expect(vk.replyTexts[0]).toBe(t('ru', 'dialog.link_all_linked'));
  });

  it('a code entered in the messenger that showed it, or after 15 minutes, is refused', async () => {
    const tgUser = newUser('Вера');
    const tg = new Conversation(harness, tgUser);
    await tg.play(loadFixture(fixturePath('registration.json')).updates);
    await tg.send(text('/link'));
    await tg.send(text(`/link ${codeIn(tg.replyTexts)!}`));
    expect(tg.replyTexts[0]).toBe(t('ru', 'errors.RESIDENT_LINK_SAME_CHANNEL'));

    const resident = (await identity('tg', tgUser.id)).resident_id;
    const old = await createResidentLinkCode(db.db, resident, 'tg', new Date(Date.now() - 16 * 60_000));
    const vk = new VkConversation(harness, newVkUser());
    await vk.send(vkText(`/link ${old.code}`));
    expect(vk.replyTexts[0]).toBe(t('ru', 'errors.RESIDENT_LINK_CODE_EXPIRED'));
    expect(await db.db.selectFrom('resident_identity').select('channel').where('resident_id', '=', resident).execute()).toEqual([{ channel: 'tg' }]);
  });
});
