import { expect, it } from 'vitest';
import { toAnswer, withDelivery } from '../../core/messages/answers.service.ts';
import { botHarnessPerFile, TEST_VK_GROUP_ID, type BotHarness } from '../../test/bots/harness.ts';
import { newChat } from '../../test/bots/chats.ts';
import type { TestDatabase } from '../../test/database.ts';
import type { VkConversation } from '../../test/vk/conversation.ts';

/** fixtures/vk/wall-incident.json (what `npm run replay -- vk/wall-incident.json` shows): a wall post from intake to the published comment. */
let t: TestDatabase;
let h: BotHarness;
botHarnessPerFile((db, harness) => {
  t = db;
  h = harness;
});

it('plays a VK wall post from intake to the published reply under it', async () => {
  const chat = newChat(h, 'vk') as VkConversation;
  await chat.playFixture('wall-incident.json');
  const items = await t.db.selectFrom('incident').select(['source_url', 'state', 'dismiss_reason', 'message_id']).orderBy('id').execute();
  expect(items).toMatchObject([
    { source_url: `https://vk.com/wall-${TEST_VK_GROUP_ID}_501`, state: 'accepted' },
    { source_url: `https://vk.com/wall-${TEST_VK_GROUP_ID}_501?reply=9001`, state: 'dismissed', dismiss_reason: 'поддержка без новой проблемы', message_id: null },
  ]);
  const message = await t.db.selectFrom('message').select(['status', 'open_source', 'source', 'answer_target']).where('id', '=', items[0]!.message_id!).executeTakeFirstOrThrow();
  expect(message).toEqual({ status: 'in_work', open_source: true, source: 'vk_wall', answer_target: 'source_comment' });
  expect(h.vkFake.wallComments).toEqual([expect.objectContaining({ postId: '501', ownerId: `-${TEST_VK_GROUP_ID}`, text: expect.stringContaining('ремонт ямы запланирован') })]);
  // Delivered: the comment's outbox row was sent (the stored state stays approved; see withDelivery).
  const [answer] = await withDelivery(t.db, [toAnswer(await t.db.selectFrom('answer').selectAll().where('message_id', '=', items[0]!.message_id!).executeTakeFirstOrThrow())]);
  expect(answer).toMatchObject({ state: 'delivered', delivery: { state: 'sent' } });
  const first = await t.db.selectFrom('first_response').select('met').where('message_id', '=', items[0]!.message_id!).executeTakeFirstOrThrow();
  expect(first.met).toBe(true);
  expect(chat.transcript.filter((l) => l.startsWith('🤖 wall.createComment'))).toHaveLength(1);
});
