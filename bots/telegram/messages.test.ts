import { describe, expect, it } from 'vitest';
import { fileMessage } from '../../core/messages/filing.service.ts';
import { acceptMessage, setPublished } from '../../core/messages/moderation.service.ts';
import type { TestDatabase } from '../../test/database.ts';
import { Conversation, fixturePath, loadFixture } from '../../test/telegram/conversation.ts';
import { BotHarness, botHarnessPerFile } from '../../test/telegram/harness.ts';
import { KEMEROVO, location, newUser, press, text } from '../../test/telegram/updates.ts';
import { createTranslator } from '../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const fixture = (name: string) => loadFixture(fixturePath(name));
const residentOf = async (userId: number) =>
  (await db.db.selectFrom('resident_identity').select('resident_id').where('channel', '=', 'tg').where('external_id', '=', String(userId)).executeTakeFirstOrThrow()).resident_id;
const categoryId = async (code: string) => (await db.db.selectFrom('category').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
const moderator = async () => ({ kind: 'staff' as const, staffId: (await db.db.selectFrom('staff').select('id').where('role', '=', 'moderator').where('municipality_id', '=', db.demo.municipalities.Kemerovo).executeTakeFirstOrThrow()).id });

async function registeredConversation(name = 'Житель') {
  const user = newUser(name);
  const conversation = new Conversation(harness, user);
  await conversation.play(fixture('registration.json').updates);
  return { user, conversation, residentId: await residentOf(user.id) };
}

describe('my messages, clarification, comments', () => {
  it('a clarification request: the next free text is attached to that message as a comment', async () => {
    const f = fixture('clarification.json');
    const user = newUser('Мария');
    const conversation = new Conversation(harness, user);
    await conversation.play(f.updates);
    const residentId = await residentOf(user.id);
    const message = await db.db.selectFrom('message').select('id').where('author_id', '=', residentId).executeTakeFirstOrThrow();
    const comments = await db.db.selectFrom('comment').select(['text', 'author_kind', 'resident_id']).where('message_id', '=', message.id).orderBy('id').execute();
    expect(comments).toEqual([
      { text: 'Второй подъезд, со стороны двора.', author_kind: 'resident', resident_id: residentId },
      { text: 'Яма стала ещё больше после дождя.', author_kind: 'resident', resident_id: residentId },
    ]);
    // Answered: a further free text is not attached again (the card asks for its buttons).
    await conversation.send(text('Ещё одна мысль'));
    expect(conversation.replyTexts[0]).toBe(t('ru', 'dialog.use_buttons'));
    expect(await db.db.selectFrom('comment').select('id').where('message_id', '=', message.id).execute()).toHaveLength(2);
  });

  it("an official's reply to a comment arrives with a Reply button that leads to a comment", async () => {
    const { conversation, residentId } = await registeredConversation();
    await conversation.play(fixture('file-message.json').updates);
    await conversation.play([{ $staff: 'accept' }, { $staff: 'comment', text: 'Спасибо, выехали на место.' }, { $deliver_outbox: true }]);
    expect(conversation.replyTexts.at(-1)).toContain('Спасибо, выехали на место.');
    await conversation.send(press('✍ Ответить'));
    const message = await db.db.selectFrom('message').select('id').where('author_id', '=', residentId).executeTakeFirstOrThrow();
    expect(conversation.replyTexts[0]).toBe(t('ru', 'my.comment_prompt', { messageId: message.id }));
    await conversation.send(text('Жду результата.'));
    expect(conversation.replyTexts[0]).toBe(t('ru', 'my.comment_added', { messageId: message.id }));
    const comments = await db.db.selectFrom('comment').select(['author_kind', 'text']).where('message_id', '=', message.id).orderBy('id').execute();
    expect(comments).toEqual([
      { author_kind: 'staff', text: 'Спасибо, выехали на место.' },
      { author_kind: 'resident', text: 'Жду результата.' },
    ]);
  });

  it('the list is paged; the next page replaces the list message', async () => {
    const { user, conversation, residentId } = await registeredConversation();
    const category = await categoryId('roads.lighting');
    for (let i = 1; i <= 7; i++) {
      await fileMessage(db.db, { residentId, categoryId: category, text: `Не горит фонарь №${i}`, point: KEMEROVO, channel: 'tg' }, new Date(Date.UTC(2026, 10, i)));
    }
    await conversation.send(text('/my'));
    const list = conversation.replies[0]!;
    expect(conversation.replyTexts[0]!.split('\n')).toHaveLength(1 + 5);
    expect(conversation.replyTexts[0]).toContain('У вас 7 сообщений');
    await conversation.send(press('Вперёд ›'));
    expect(conversation.replies.map((c) => c.method)).toEqual(['editMessageText']);
    expect(conversation.replies[0]!.params.message_id).toBe((list.result as { message_id: number }).message_id);
    expect(conversation.replyTexts[0]!.split('\n')).toHaveLength(1 + 2);
    expect(conversation.replyTexts[0]).toContain(t('ru', 'my.status_new'));
    const oldest = await db.db.selectFrom('message').select('id').where('author_id', '=', residentId).orderBy('id').executeTakeFirstOrThrow();
    await conversation.send(press(`№${oldest.id}`));
    expect(conversation.replyTexts[0]).toContain('Не горит фонарь №1');
    // Nobody else's message: opening another resident's unpublished message is refused.
    const stranger = new Conversation(harness, newUser());
    await stranger.play(fixture('registration.json').updates);
    await stranger.send({ callback_query: { data: `!o:${oldest.id}` } });
    expect(stranger.replyTexts[0]).toBe(t('ru', 'errors.MESSAGE_NOT_FOUND'));
    expect(user.id).not.toBe(0);
  });

  it('sectors are paged too, and a category from the second page files normally', async () => {
    const { conversation } = await registeredConversation();
    await conversation.send(text('/new'));
    expect(conversation.replyTexts[0]).toBe(t('ru', 'filing.sector'));
    await conversation.send(press('Вперёд ›'));
    expect(conversation.replies[0]!.method).toBe('editMessageText');
    await conversation.play([press('ТКО')]);
    expect(conversation.replyTexts[0]).toBe(t('ru', 'filing.category'));
  });

  it('an open published message nearby can be supported instead of filing a duplicate', async () => {
    const neighbour = await registeredConversation('Сосед');
    const category = await categoryId('roads.pothole');
    const { message: existing } = await fileMessage(db.db, { residentId: neighbour.residentId, categoryId: category, text: 'Яма у остановки «Весенняя».', point: KEMEROVO, channel: 'tg' }, new Date());
    await acceptMessage(db.db, { messageId: existing.id, actor: await moderator() }, new Date());
    await setPublished(db.db, { messageId: existing.id, published: true, actor: await moderator() }, new Date());

    const { conversation, residentId } = await registeredConversation();
    const messagesBefore = Number((await db.db.selectFrom('message').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    await conversation.play([text('/new'), press('Дороги'), press('Ямы на дороге'), text('Яма!'), location(KEMEROVO.lat + 0.0005, KEMEROVO.lon), press('Без фото')]);
    expect(conversation.replyTexts[0]).toContain('Рядом уже есть 1 открытое сообщение');
    expect(conversation.replyTexts[1]).toContain(`№${existing.id}`);
    expect(conversation.replyTexts.at(-1)).toContain('Проверьте сообщение');
    await conversation.send(press(`👍 Поддержать №${existing.id}`));
    expect(conversation.replyTexts[0]).toBe(t('ru', 'filing.supported', { messageId: existing.id, supporters: t('ru', 'my.supporters', { count: 1 }) }));
    const supports = await db.db.selectFrom('support').select('resident_id').where('message_id', '=', existing.id).execute();
    expect(supports).toEqual([{ resident_id: residentId }]);
    const messagesAfter = Number((await db.db.selectFrom('message').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    expect(messagesAfter).toBe(messagesBefore);
  });

  it('summary → Edit → text: the new text replaces the old one and the summary comes back', async () => {
    const { conversation, residentId } = await registeredConversation();
    await conversation.play([text('/new'), press('Транспорт'), press('Нарушение расписания'), text('Автобус 12 не ходит.'), location(KEMEROVO.lat, KEMEROVO.lon), press('Без фото')]);
    await conversation.play([press('✏ Изменить'), press('Текст'), text('Автобус 12 не ходит по выходным.')]);
    expect(conversation.replyTexts[0]).toContain('Автобус 12 не ходит по выходным.');
    await conversation.send(press('✅ Отправить'));
    const message = await db.db.selectFrom('message').select('text').where('author_id', '=', residentId).executeTakeFirstOrThrow();
    expect(message.text).toBe('Автобус 12 не ходит по выходным.');
  });
});

describe('privacy', () => {
  it('/privacy shows the stored data; withdrawal erases the phone, stops processing and is explained', async () => {
    const f = fixture('privacy-withdraw.json');
    const user = newUser('Олег');
    const conversation = new Conversation(harness, { ...user, username: 'oleg_nk' });
    await conversation.play(f.updates);
    const residentId = await residentOf(user.id);
    const resident = await db.db.selectFrom('resident').selectAll().where('id', '=', residentId).executeTakeFirstOrThrow();
    expect(resident.phone).toBeNull();
    expect(resident.registered_at).toBeNull();
    const consents = await db.db.selectFrom('consent').select('withdrawn_at').where('resident_id', '=', residentId).execute();
    expect(consents.every((c) => c.withdrawn_at !== null)).toBe(true);
    expect(conversation.replyTexts).toEqual([t('ru', 'errors.CONSENT_REQUIRED')]);
  });
});
