import { describe, expect, it } from 'vitest';
import { addStaffComment } from '../../../core/messages/feedback.service.ts';
import { createResidentLinkCode } from '../../../core/residents/identity-link.ts';
import { newChat, residentOf } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { press, tap, type ChannelName } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const executorId = async () =>
  (await db.db.selectFrom('staff').select('id').where('municipality_id', '=', db.demo.municipalities.Kemerovo).where('role', '=', 'executor').orderBy('id').executeTakeFirstOrThrow()).id;
const codeIn = (texts: string[]) => /\/link ([a-z0-9]+)/.exec(texts.join('\n'))?.[1];
/** The messenger's name as the bot writes it. */
const nameOf = (channel: ChannelName) => t('ru', channel === 'tg' ? 'menu.messenger_tg' : 'menu.messenger_vk');
// Notifications only: the bot's direct replies are rows of the outbox's reply lane too.
const lastNotification = async (residentId: number) =>
  db.db.selectFrom('outbox').select(['channel', 'chat_id']).where('resident_id', '=', residentId).where('kind', '<>', 'reply').orderBy('id', 'desc').executeTakeFirstOrThrow();

const backToMenu = t('ru', 'menu.back_to_menu');

/** One resident, two messengers: started in `first`, linked from `second`, both ways round. */
describe.each([
  ['tg', 'vk'],
  ['vk', 'tg'],
] as const)('one resident, two messengers: from %s to %s', (first, second) => {
  it(`file in ${first}, link ${second} with the code, see and comment on the message there; notifications follow the messenger last used`, async () => {
    const a = newChat(harness, first, 'Анна');
    await a.playFixture('registration.json');
    await a.playFixture('file-message.json');
    const resident = await residentOf(db, a);
    const [message] = await db.db.selectFrom('message').select('id').where('author_id', '=', resident).execute();

    await a.say('/link');
    const code = codeIn(a.replyTexts);
    expect(code).toMatch(/^[a-z2-9]{8}$/);
    expect(a.replyTexts[0]).toContain(nameOf(second));
    // Only the hash is stored.
    const stored = await db.db.selectFrom('resident_link_code').selectAll().where('resident_id', '=', resident).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.code_hash).not.toContain(code!);

    const b = newChat(harness, second, 'Анна');
    await b.say(`/link ${code!.toUpperCase()}`);
    expect(b.replyTexts[0]).toBe(t('ru', 'dialog.link_done', { other: nameOf(first) }));
    expect(b.replyTexts).toContain(t('ru', 'menu.main'));
    expect(await residentOf(db, b)).toBe(resident);
    // The code works once.
    const intruder = newChat(harness, second);
    await intruder.say(`/link ${code!}`);
    expect(intruder.replyTexts[0]).toBe(t('ru', 'errors.RESIDENT_LINK_CODE_INVALID'));
    // No second resident, consent recorded per channel, once each.
    expect(await db.db.selectFrom('resident_identity').select('channel').where('resident_id', '=', resident).orderBy('channel').execute()).toEqual([{ channel: 'tg' }, { channel: 'vk' }]);
    const consents = await db.db.selectFrom('consent').select(['channel', 'text_hash', 'withdrawn_at']).where('resident_id', '=', resident).orderBy('channel').execute();
    expect(consents.map((c) => [c.channel, c.withdrawn_at])).toEqual([
      ['tg', null],
      ['vk', null],
    ]);
    expect(consents[0]!.text_hash).toBe(consents[1]!.text_hash);

    // The second messenger shows the message filed in the first; a comment made there lands on the same message.
    await b.say('/my');
    expect(b.replyTexts.join('\n')).toContain('У вас 1 сообщение');
    await b.say(press('№'));
    expect(b.replyTexts.join('\n')).toContain(`№${message!.id}`);
    // The card's photos from the other messenger are not shown (file ids belong to their messenger).
    expect(b.replyKinds()).not.toContain('photo');
    await b.say(press('💬 Добавить комментарий'), 'Яма стала ещё больше после дождя.');
    expect(b.replyTexts.join('\n')).toContain('Комментарий к сообщению');
    const comments = await db.db.selectFrom('comment').selectAll().where('message_id', '=', message!.id).execute();
    expect(comments.map((c) => [c.author_kind, c.resident_id, c.text])).toEqual([['resident', resident, 'Яма стала ещё больше после дождя.']]);

    // The resident wrote last in the second messenger: an official's reply is notified there.
    await addStaffComment(db.db, { staffId: await executorId(), messageId: message!.id, text: 'Выезжаем.' }, new Date());
    expect(await lastNotification(resident)).toEqual({ channel: second, chat_id: b.externalId });
    // Back in the first: the next one goes there.
    await a.say('/help');
    await addStaffComment(db.db, { staffId: await executorId(), messageId: message!.id, text: 'Работы начаты.' }, new Date());
    expect(await lastNotification(resident)).toEqual({ channel: first, chat_id: a.externalId });
    // Unless they choose: notifications to the second messenger, set from the first.
    const choice = second === 'tg' ? 'dialog.notify_tg' : 'dialog.notify_vk';
    // VK pages a main menu longer than its keyboard (news, «Афиша», polls): the entry is on the next page.
    if (first === 'vk') await a.say(press(t('ru', 'menu.more')));
    await a.say(press('🔔 Уведомления'), press(t('ru', choice)));
    // Named as a sentence says it, not as the button reads ("Уведомления: Во VK").
    expect(a.replyTexts[0]).toBe(second === 'tg' ? 'Сохранено: уведомления будут приходить в Telegram.' : 'Сохранено: уведомления будут приходить во ВКонтакте.');
    await addStaffComment(db.db, { staffId: await executorId(), messageId: message!.id, text: 'Работы завершены.' }, new Date());
    expect(await lastNotification(resident)).toEqual({ channel: second, chat_id: b.externalId });
  });

  it(`a ${second} resident who already filed shows the code, ${first}'s is merged in: both messages in one list, one resident left, consent per channel`, async () => {
    const a = newChat(harness, first, 'Борис');
    await a.playFixture('registration.json');
    await a.playFixture('file-message.json');
    const b = newChat(harness, second, 'Борис');
    await b.playFixture('registration.json');
    await b.playFixture('file-message.json');
    const aResident = await residentOf(db, a);
    const bResident = await residentOf(db, b);
    expect(bResident).not.toBe(aResident);

    // The code is shown in the second messenger (from its menu) and entered in the first.
    if (second === 'vk') await b.say(press(t('ru', 'menu.more')));
    await b.say(press(t('ru', 'menu.link', { other: nameOf(first) })));
    const code = codeIn(b.replyTexts);
    await a.say(`/link ${code!}`);
    expect(a.replyTexts[0]).toBe(t('ru', 'dialog.link_done', { other: nameOf(second) }));

    // The resident who showed the code stays; the other is merged in and deleted.
    expect(await residentOf(db, a)).toBe(bResident);
    expect(await db.db.selectFrom('resident').select('id').where('id', '=', aResident).execute()).toEqual([]);
    const messages = await db.db.selectFrom('message').select(['channel']).where('author_id', '=', bResident).orderBy('id').execute();
    expect(messages.map((m) => m.channel)).toEqual([first, second]);
    const consents = await db.db.selectFrom('consent').select('channel').where('resident_id', '=', bResident).where('withdrawn_at', 'is', null).orderBy('channel').execute();
    expect(consents).toEqual([{ channel: 'tg' }, { channel: 'vk' }]);
    await a.say('/my');
    expect(a.replyTexts.join('\n')).toContain('У вас 2 сообщения');
    await b.say('/my');
    expect(b.replyTexts.join('\n')).toContain('У вас 2 сообщения');
    // Both linked: nothing more to link.
    await b.say('/link');
    expect(b.replyTexts[0]).toBe(t('ru', 'dialog.link_all_linked'));
    expect(b.buttonLabels()).toEqual([backToMenu]);
    // With both linked, /notify offers the three choices and the way back to the menu.
    await a.say('/notify');
    expect(a.replyTexts).toEqual(['Куда присылать уведомления о ваших сообщениях? Сейчас они приходят в мессенджер, которым вы пользовались последним.']);
    expect(a.buttonLabels()).toEqual([t('ru', 'dialog.notify_tg'), t('ru', 'dialog.notify_vk'), t('ru', 'dialog.notify_last'), backToMenu]);
  });

  it(`a code entered in the messenger that showed it (${first}), or after 15 minutes, is refused`, async () => {
    const a = newChat(harness, first, 'Вера');
    await a.playFixture('registration.json');
    await a.say('/link');
    await a.say(`/link ${codeIn(a.replyTexts)!}`);
    expect(a.replyTexts[0]).toBe(t('ru', 'errors.RESIDENT_LINK_SAME_CHANNEL'));

    const resident = await residentOf(db, a);
    const old = await createResidentLinkCode(db.db, resident, first, new Date(Date.now() - 16 * 60_000));
    const b = newChat(harness, second);
    await b.say(`/link ${old.code}`);
    expect(b.replyTexts[0]).toBe(t('ru', 'errors.RESIDENT_LINK_CODE_EXPIRED'));
    expect(await db.db.selectFrom('resident_identity').select('channel').where('resident_id', '=', resident).execute()).toEqual([{ channel: first }]);
  });
});

describe.each(['tg', 'vk'] as const)('%s: notifications with one messenger linked', (channel) => {
  it('/notify offers no messenger without an account: notifications come here, link the other first; a tap on such a choice saves nothing', async () => {
    const chat = newChat(harness, channel, 'Вера');
    await chat.playFixture('registration.json');
    const other = channel === 'tg' ? 'vk' : 'tg';
    const onlyHere = t('ru', 'dialog.notify_only_here', { other: nameOf(other) });
    await chat.say('/notify');
    expect(chat.replyTexts).toEqual([onlyHere]);
    expect(
      chat
        .keyboards()
        .flatMap((k) => k.rows.flat())
        .map((b) => b.id),
    ).not.toContain(`!n:${other}`);
    // A button from an earlier screen (or typed by hand) for the messenger the resident has no account in.
    await chat.say(tap(`!n:${other}`));
    expect(chat.replyTexts).toEqual([onlyHere]);
    const resident = await db.db
      .selectFrom('resident')
      .select('notify_channel')
      .where('id', '=', await residentOf(db, chat))
      .executeTakeFirstOrThrow();
    expect(resident.notify_channel).toBeNull();
  });

  it('/link and /notify show the way back to the menu, as other screens do; it brings the main menu', async () => {
    const chat = newChat(harness, channel, 'Глеб');
    await chat.playFixture('registration.json');
    await chat.say('/link');
    expect(codeIn(chat.replyTexts)).toMatch(/^[a-z2-9]{8}$/);
    expect(chat.buttonLabels()).toEqual([backToMenu]);
    await chat.say(press(backToMenu));
    expect(chat.replyTexts).toEqual([t('ru', 'menu.main')]);
    await chat.say('/notify');
    expect(chat.buttonLabels()).toEqual([backToMenu]);
    await chat.say(press(backToMenu));
    expect(chat.replyTexts).toEqual([t('ru', 'menu.main')]);
  });
});
