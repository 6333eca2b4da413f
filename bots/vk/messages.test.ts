import { describe, expect, it } from 'vitest';
import { fileMessage } from '../../core/messages/filing.service.ts';
import type { TestDatabase } from '../../test/database.ts';
import { BotHarness, botHarnessPerFile } from '../../test/telegram/harness.ts';
import { KEMEROVO } from '../../test/telegram/updates.ts';
import { loadVkFixture, newVkUser, VkConversation, vkFixturePath } from '../../test/vk/conversation.ts';
import { createTranslator } from '../i18n.ts';

let db: TestDatabase;
let harness: BotHarness;
const t = createTranslator();
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const fixture = (name: string) => loadVkFixture(vkFixturePath(name));
const text = (value: string) => ({ type: 'message_new', object: { message: { text: value } } });
const press = (label: string) => ({ type: 'message_event', object: { payload: `$press:${label}` } });
const residentOf = async (userId: number) =>
  (await db.db.selectFrom('resident_identity').select('resident_id').where('channel', '=', 'vk').where('external_id', '=', String(userId)).executeTakeFirstOrThrow()).resident_id;

async function registeredConversation(name = 'Житель') {
  const user = newVkUser(name);
  const conversation = new VkConversation(harness, user);
  await conversation.play(fixture('registration.json').updates);
  return { user, conversation, residentId: await residentOf(user.id) };
}

describe('VK: my messages, clarification, comments', () => {
  it('a clarification request: the next free text is attached to that message as a comment; then a comment from the card', async () => {
    const { conversation, residentId } = await registeredConversation('Мария');
    await conversation.play(fixture('clarification.json').updates.filter((u) => !('$play' in u && u.$play === 'registration.json')));
    const message = await db.db.selectFrom('message').select('id').where('author_id', '=', residentId).executeTakeFirstOrThrow();
    const comments = await db.db.selectFrom('comment').select(['author_kind', 'text']).where('message_id', '=', message.id).orderBy('id').execute();
    expect(comments.filter((c) => c.author_kind === 'resident').map((c) => c.text)).toEqual(['Второй подъезд, со стороны двора.', 'Яма стала ещё больше после дождя.']);
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
  });

  it('the list is paged; the next page edits the list message (messages.edit by conversation_message_id)', async () => {
    const { user, conversation, residentId } = await registeredConversation();
    const category = (await db.db.selectFrom('category').select('id').where('code', '=', 'roads.lighting').executeTakeFirstOrThrow()).id;
    for (let i = 1; i <= 7; i++) {
      await fileMessage(db.db, { residentId, categoryId: category, text: `Не горит фонарь №${i}`, point: KEMEROVO, channel: 'vk' }, new Date(Date.UTC(2026, 10, i)));
    }
    await conversation.send(text('/my'));
    const list = conversation.replies[0]!;
    expect(conversation.replyTexts[0]).toContain('У вас 7 сообщений');
    await conversation.send(press('Вперёд ›'));
    expect(conversation.replies.map((c) => c.method)).toEqual(['messages.edit']);
    expect(conversation.replies[0]!.params).toMatchObject({ peer_id: String(user.id), conversation_message_id: String(list.cmid) });
    expect(conversation.replyTexts[0]!.split('\n')).toHaveLength(1 + 2);
  });

  it('sectors are paged within VK keyboard limits, and a category from the second page files normally', async () => {
    const { conversation } = await registeredConversation();
    await conversation.send(text('/new'));
    expect(conversation.replyTexts[0]).toBe(t('ru', 'filing.sector'));
    await conversation.send(press('Вперёд ›'));
    await conversation.play([press('ТКО')]);
    expect(conversation.replyTexts[0]).toBe(t('ru', 'filing.category'));
  });
});

describe('VK: privacy', () => {
  it('/privacy shows the stored data; withdrawal stops processing and is explained', async () => {
    const user = newVkUser('Олег');
    const conversation = new VkConversation(harness, user);
    await conversation.play(fixture('privacy-withdraw.json').updates);
    const residentId = await residentOf(user.id);
    const resident = await db.db.selectFrom('resident').selectAll().where('id', '=', residentId).executeTakeFirstOrThrow();
    expect(resident.registered_at).toBeNull();
    const consents = await db.db.selectFrom('consent').select('withdrawn_at').where('resident_id', '=', residentId).execute();
    expect(consents.every((c) => c.withdrawn_at !== null)).toBe(true);
    expect(conversation.replyTexts).toEqual([t('ru', 'errors.CONSENT_REQUIRED')]);
  });
});
