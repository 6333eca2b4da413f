import { describe, expect, it } from 'vitest';
import { fileMessage } from '../../../core/messages/filing.service.ts';
import { acceptMessage, markDuplicate, routeMessage, setPublished } from '../../../core/messages/moderation.service.ts';
import { filedMessageId, messageCount, newChat, residentOf } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import { CHANNELS, KEMEROVO, location, press, tap, type ChannelName } from '../../../test/bots/player.ts';
import type { TestDatabase } from '../../../test/database.ts';
import { createTranslator } from '../../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const categoryId = async (code: string) => (await db.db.selectFrom('category').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
const moderator = async () => ({
  kind: 'staff' as const,
  staffId: (await db.db.selectFrom('staff').select('id').where('role', '=', 'moderator').where('municipality_id', '=', db.demo.municipalities.Kemerovo).executeTakeFirstOrThrow()).id,
});

async function registeredChat(channel: ChannelName, name = 'Житель') {
  const chat = newChat(harness, channel, name);
  await chat.playFixture('registration.json');
  return { chat, residentId: await residentOf(db, chat) };
}

describe.each(CHANNELS)('%s: my messages, clarification, comments', (channel) => {
  it('a clarification request: the next free text is attached to that message as a comment; then a comment from the card', async () => {
    const chat = newChat(harness, channel, 'Мария');
    await chat.playFixture('clarification.json');
    const residentId = await residentOf(db, chat);
    const message = await db.db.selectFrom('message').select('id').where('author_id', '=', residentId).executeTakeFirstOrThrow();
    const comments = await db.db.selectFrom('comment').select(['text', 'author_kind', 'resident_id']).where('message_id', '=', message.id).orderBy('id').execute();
    expect(comments).toEqual([
      { text: 'Второй подъезд, со стороны двора.', author_kind: 'resident', resident_id: residentId },
      { text: 'Яма стала ещё больше после дождя.', author_kind: 'resident', resident_id: residentId },
    ]);
    // Answered: a further free text is not attached again (the card asks for its buttons).
    await chat.say('Ещё одна мысль');
    expect(chat.replyTexts[0]).toBe(t('ru', 'dialog.use_buttons'));
    expect(await db.db.selectFrom('comment').select('id').where('message_id', '=', message.id).execute()).toHaveLength(2);
  });

  it("an official's reply to a comment arrives with a Reply button that leads to a comment", async () => {
    const { chat, residentId } = await registeredChat(channel);
    await chat.playFixture('file-message.json');
    await chat.play([{ $staff: 'accept' }, { $staff: 'comment', text: 'Спасибо, выехали на место.' }, { $deliver_outbox: true }]);
    expect(chat.replyTexts.at(-1)).toContain('Спасибо, выехали на место.');
    await chat.say(press('✍ Ответить'));
    const message = await db.db.selectFrom('message').select('id').where('author_id', '=', residentId).executeTakeFirstOrThrow();
    expect(chat.replyTexts[0]).toBe(t('ru', 'my.comment_prompt', { messageId: message.id }));
    await chat.say('Жду результата.');
    expect(chat.replyTexts[0]).toBe(t('ru', 'my.comment_added', { messageId: message.id }));
    const comments = await db.db.selectFrom('comment').select(['author_kind', 'text']).where('message_id', '=', message.id).orderBy('id').execute();
    expect(comments).toEqual([
      { author_kind: 'staff', text: 'Спасибо, выехали на место.' },
      { author_kind: 'resident', text: 'Жду результата.' },
    ]);
  });

  it('a message merged with another at moderation reads «объединено с №…» in the list and on its card, as its notice said, not «отклонено»', async () => {
    const { chat, residentId } = await registeredChat(channel);
    const other = (await registeredChat(channel, 'Сосед')).residentId;
    const category = await categoryId('roads.pothole');
    const original = (await fileMessage(db.db, { residentId: other, categoryId: category, text: 'Яма у дома 7', point: KEMEROVO, channel }, new Date())).message;
    const mine = (await fileMessage(db.db, { residentId, categoryId: category, text: 'Та же яма у дома 7', point: KEMEROVO, channel }, new Date())).message;
    await markDuplicate(db.db, { messageId: mine.id, originalId: original.id, actor: await moderator() }, new Date());
    await chat.say('/my');
    expect(chat.replyTexts[0]).toContain(t('ru', 'my.status_merged', { originalId: original.id }));
    expect(chat.replyTexts[0]).not.toContain(t('ru', 'my.status_rejected'));
    await chat.say(tap(`!o:${mine.id}`));
    expect(chat.replyTexts.join('\n')).toContain(t('ru', 'my.status_merged', { originalId: original.id }));
    expect(chat.replyTexts.join('\n')).not.toContain(t('ru', 'my.status_rejected'));
  });

  it('a message handed to another executor: its author is told which body answers now, and the card names both in its history', async () => {
    const { chat, residentId } = await registeredChat(channel);
    const { message } = await fileMessage(db.db, { residentId, categoryId: await categoryId('roads.pothole'), text: 'Яма у дома 3', point: KEMEROVO, channel }, new Date());
    await acceptMessage(db.db, { messageId: message.id, actor: await moderator() }, new Date());
    const executors = await db.db.selectFrom('executor').select(['id', 'name']).where('municipality_id', '=', db.demo.municipalities.Kemerovo).orderBy('id').execute();
    const [city, utility] = executors as [{ id: number; name: string }, { id: number; name: string }];
    await chat.deliverOutbox();
    await routeMessage(db.db, { messageId: message.id, executorId: utility.id, actor: await moderator() }, new Date(Date.now() + 60_000));
    await chat.deliverOutbox();
    // The organisation, as at acceptance: no official's name reaches the resident.
    expect(chat.replyTexts).toEqual([t('ru', 'notify.routed', { messageId: message.id, executor: utility.name })]);
    expect(chat.keyboards()[0]!.rows).toEqual([[{ label: t('ru', 'menu.open_message', { messageId: message.id }), id: `!o:${message.id}` }]]);
    const staffNames = await db.db.selectFrom('staff').select('full_name').where('executor_id', 'in', [city.id, utility.id]).execute();
    for (const { full_name } of staffNames) expect(chat.replyTexts[0]).not.toContain(full_name);
    await chat.say(tap(`!o:${message.id}`));
    const card = chat.replyTexts.join('\n');
    const accepted = card.indexOf(`принято в работу. Исполнитель: ${city.name}`);
    expect(accepted).toBeGreaterThan(-1);
    expect(card.indexOf(`передано другому исполнителю: ${utility.name}`)).toBeGreaterThan(accepted);
  });

  it("the list is paged; the next page replaces the list message; nobody opens another resident's message", async () => {
    const { chat, residentId } = await registeredChat(channel);
    const category = await categoryId('roads.lighting');
    for (let i = 1; i <= 7; i++) {
      await fileMessage(db.db, { residentId, categoryId: category, text: `Не горит фонарь №${i}`, point: KEMEROVO, channel }, new Date(Date.UTC(2026, 10, i)));
    }
    await chat.say('/my');
    const list = chat.replies[0]!;
    expect(chat.replyTexts[0]!.split('\n')).toHaveLength(1 + 5);
    expect(chat.replyTexts[0]).toContain('У вас 7 сообщений');
    await chat.say(press('Вперёд ›'));
    expect(chat.replyKinds()).toEqual(['edit']);
    // The edit names the list message: Telegram by message_id, VK by conversation_message_id.
    if (chat.channel === 'tg') expect(chat.replies[0]!.params.message_id).toBe(((list as { result?: unknown }).result as { message_id: number }).message_id);
    else expect(chat.replies[0]!.params).toMatchObject({ peer_id: chat.externalId, conversation_message_id: String((list as { cmid?: number }).cmid) });
    expect(chat.replyTexts[0]!.split('\n')).toHaveLength(1 + 2);
    expect(chat.replyTexts[0]).toContain(t('ru', 'my.status_new'));
    const oldest = await db.db.selectFrom('message').select('id').where('author_id', '=', residentId).orderBy('id').executeTakeFirstOrThrow();
    await chat.say(press(`№${oldest.id}`));
    expect(chat.replyTexts[0]).toContain('Не горит фонарь №1');
    // Nobody else's message: opening another resident's unpublished message is refused.
    const { chat: stranger } = await registeredChat(channel);
    await stranger.say(tap(`!o:${oldest.id}`));
    expect(stranger.replyTexts[0]).toBe(t('ru', 'errors.MESSAGE_NOT_FOUND'));
  });

  it('in English the list buttons and the card number messages as #N, not №N', async () => {
    const { chat, residentId } = await registeredChat(channel);
    await db.db.updateTable('resident').set({ language: 'en' }).where('id', '=', residentId).execute();
    const { message } = await fileMessage(db.db, { residentId, categoryId: await categoryId('roads.lighting'), text: 'Street light out', point: KEMEROVO, channel }, new Date());
    await chat.say('/my');
    expect(chat.keyboards()[0]!.rows[0]!.map((b) => b.label)).toEqual([`#${message.id}`]);
    await chat.say(press(`#${message.id}`));
    expect(chat.replyTexts[0]).toContain(`#${message.id}`);
    expect(chat.replyTexts.join('\n')).not.toMatch(/№|No\. \d/);
  });

  it('sectors are paged too (the page edits the message), and a category from the second page files normally', async () => {
    const { chat } = await registeredChat(channel);
    await chat.say('/new');
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.sector'));
    await chat.say(press('Вперёд ›'));
    expect(chat.replyKinds()[0]).toBe('edit');
    await chat.say(press('ТКО'));
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.category'));
  });

  it('an open published message nearby can be supported instead of filing a duplicate', async () => {
    // Each messenger's run on its own street (the database is shared), well beyond the nearby radius of the other.
    const here = { lat: KEMEROVO.lat - (channel === 'vk' ? 0.01 : 0), lon: KEMEROVO.lon };
    const neighbour = await registeredChat(channel, 'Сосед');
    const { message: existing } = await fileMessage(
      db.db,
      { residentId: neighbour.residentId, categoryId: await categoryId('roads.pothole'), text: 'Яма у остановки «Весенняя».', point: here, channel },
      new Date(),
    );
    await acceptMessage(db.db, { messageId: existing.id, actor: await moderator() }, new Date());
    await setPublished(db.db, { messageId: existing.id, published: true, actor: await moderator() }, new Date());

    const { chat, residentId } = await registeredChat(channel);
    const messagesBefore = await messageCount(db);
    await chat.say('/new', press('Дороги'), press('Ямы на дороге'), 'Яма!', location(here.lat + 0.0005, here.lon), press('Без фото'));
    expect(chat.replyTexts[0]).toContain('Рядом уже есть 1 открытое сообщение');
    expect(chat.replyTexts[1]).toContain(`№${existing.id}`);
    expect(chat.replyTexts.at(-1)).toContain('Проверьте сообщение');
    await chat.say(press(`👍 Поддержать №${existing.id}`));
    expect(chat.replyTexts[0]).toBe(t('ru', 'filing.supported', { messageId: existing.id, supporters: t('ru', 'my.supporters', { count: 1 }) }));
    const supports = await db.db.selectFrom('support').select('resident_id').where('message_id', '=', existing.id).execute();
    expect(supports).toEqual([{ resident_id: residentId }]);
    expect(await messageCount(db)).toBe(messagesBefore);
  });

  it('summary → Edit → text: the new text replaces the old one and the summary comes back', async () => {
    const { chat, residentId } = await registeredChat(channel);
    await chat.say('/new', press('Транспорт'), press('Нарушение расписания'), 'Автобус 12 не ходит.', location(KEMEROVO.lat, KEMEROVO.lon), press('Без фото'));
    await chat.say(press('✏ Изменить'), press('Текст'), 'Автобус 12 не ходит по выходным.');
    expect(chat.replyTexts[0]).toContain('Автобус 12 не ходит по выходным.');
    await chat.say(press('✅ Отправить'));
    const message = await db.db.selectFrom('message').select('text').where('author_id', '=', residentId).executeTakeFirstOrThrow();
    expect(message.text).toBe('Автобус 12 не ходит по выходным.');
  });
});

describe.each(CHANNELS)('%s: the card with photos', (channel) => {
  it('after a comment (or Back from the comment prompt) the card comes again without its photos, which are already above; a card opened anew has them', async () => {
    const chat = newChat(harness, channel);
    await chat.playFixture('registration.json');
    await chat.playFixture('file-message.json');
    const photosNote = (messageId: number) => t('ru', 'my.card_photos', { messageId });
    const messageId = await filedMessageId(db, chat);
    await chat.say('/my', press(t('ru', 'dialog.message_number', { id: messageId })));
    expect(chat.replyTexts).toContain(photosNote(messageId));
    await chat.say(press(t('ru', 'my.add_comment')), 'Яма стала больше после дождя.');
    expect(chat.replyTexts[0]).toBe(t('ru', 'my.comment_added', { messageId }));
    expect(chat.replyTexts).not.toContain(photosNote(messageId));
    expect(chat.replyTexts.at(-1)).toContain('ваш комментарий: Яма стала больше после дождя.');
    await chat.say(press(t('ru', 'my.add_comment')), press(t('ru', 'dialog.back')));
    expect(chat.replyTexts).not.toContain(photosNote(messageId));
    expect(chat.replyTexts.at(-1)).toContain(`Сообщение №${messageId}`);
    await chat.say(press(t('ru', 'my.back_to_list')), press(t('ru', 'dialog.message_number', { id: messageId })));
    expect(chat.replyTexts).toContain(photosNote(messageId));
  });
});
