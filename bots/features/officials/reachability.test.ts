import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMessage } from '../../../core/messages/filing.service.ts';
import { acceptMessage } from '../../../core/messages/moderation.service.ts';
import { createLinkCode, staffStartPayload } from '../../../core/staff/link-codes.ts';
import { newChat, type Chat } from '../../../test/bots/chats.ts';
import { BotHarness, TEST_VK_GROUP_ID, TEST_VK_SECRET } from '../../../test/bots/harness.ts';
import { CHANNELS } from '../../../test/bots/player.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../../test/residents.ts';
import { demoStaff, operatorId } from '../../../test/staff.ts';

/**
 * An official's account the outbox marked unreachable (they blocked the bot once) gets alerts
 * again once they write to the bot or allow messages again, as a resident's account does.
 */
let db: TestDatabase;
let harness: BotHarness;
const now = new Date('2026-12-01T03:00:00.000Z');
let staff: Awaited<ReturnType<typeof demoStaff>>;

beforeAll(async () => {
  db = await createTestDatabase();
  harness = await BotHarness.start({ database: db, clock: () => now });
  staff = await demoStaff(db.db, db.demo.municipalities.Kemerovo);
});
afterAll(async () => {
  await harness?.close();
  await db?.close();
});

const identityOf = (chat: Chat) => db.db.selectFrom('staff_identity').selectAll().where('channel', '=', chat.channel).where('external_id', '=', chat.externalId).executeTakeFirstOrThrow();
const markUnreachable = (chat: Chat) => db.db.updateTable('staff_identity').set({ unreachable_at: now }).where('channel', '=', chat.channel).where('external_id', '=', chat.externalId).execute();
const assignedCards = (chat: Chat) => db.db.selectFrom('outbox').select('id').where('channel', '=', chat.channel).where('chat_id', '=', chat.externalId).where('kind', '=', 'alert.assigned').execute();

async function linkExecutor(chat: Chat): Promise<void> {
  await db.db.deleteFrom('staff_identity').where('staff_id', '=', staff.executor).execute();
  const { code } = await createLinkCode(db.db, { actorStaffId: await operatorId(db.db), staffId: staff.executor }, now);
  await chat.say(`/start ${staffStartPayload(code)}`);
  expect((await identityOf(chat)).staff_id).toBe(staff.executor);
}

/** A new message accepted into work: routed to the demo executor, whose linked accounts get the card. */
async function acceptedMessage(): Promise<void> {
  const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, now });
  const { message } = await fileMessage(db.db, { residentId, categoryId: await categoryId(db.db, 'roads.pothole'), text: 'Яма у остановки', point: KEMEROVO_CENTER, channel: 'tg' }, now);
  await acceptMessage(db.db, { messageId: message.id, actor: { kind: 'staff', staffId: staff.moderator } }, now);
}

describe.each(CHANNELS)('%s: an official who blocked the bot', (channel) => {
  it('writes to the bot again: the unreachable mark is cleared and the next alert is queued to them', async () => {
    const executor = newChat(harness, channel, 'Исполнитель');
    await linkExecutor(executor);
    await markUnreachable(executor);
    await acceptedMessage();
    expect(await assignedCards(executor)).toHaveLength(0);

    await executor.say('/help');
    expect((await identityOf(executor)).unreachable_at).toBeNull();
    await acceptedMessage();
    expect(await assignedCards(executor)).toHaveLength(1);
  });

  it('allows messages again (VK message_allow, Telegram unblock): alerts go to them again; blocking marks the link too', async () => {
    const executor = newChat(harness, channel, 'Исполнитель');
    await linkExecutor(executor);
    await markUnreachable(executor);
    const userId = Number(executor.externalId);
    const member = (status: string) => ({ status, user: { id: 7000000001, is_bot: true, first_name: 'Otklik' } });
    const chat = { id: userId, type: 'private', first_name: 'Исполнитель' };
    const from = { id: userId, is_bot: false, first_name: 'Исполнитель' };
    if (channel === 'vk')
      await harness.postVk({ type: 'message_allow', group_id: TEST_VK_GROUP_ID, secret: TEST_VK_SECRET, event_id: `allow-${userId}`, v: '5.199', object: { user_id: userId, key: 'x' } });
    else await harness.post({ update_id: 710_000_001, my_chat_member: { chat, from, date: 1764000000, old_chat_member: member('kicked'), new_chat_member: member('member') } });
    expect((await identityOf(executor)).unreachable_at).toBeNull();
    await acceptedMessage();
    expect(await assignedCards(executor)).toHaveLength(1);

    if (channel === 'vk') await harness.postVk({ type: 'message_deny', group_id: TEST_VK_GROUP_ID, secret: TEST_VK_SECRET, event_id: `deny-${userId}`, v: '5.199', object: { user_id: userId } });
    else await harness.post({ update_id: 710_000_002, my_chat_member: { chat, from, date: 1764000001, old_chat_member: member('member'), new_chat_member: member('kicked') } });
    expect((await identityOf(executor)).unreachable_at).not.toBeNull();
  });
});
