import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../test/database.ts';
import { type BotHarness, botHarnessPerFile, TEST_VK_GROUP_ID } from '../../test/bots/harness.ts';
import { newVkUser } from '../../test/vk/conversation.ts';

let db: TestDatabase;
let harness: BotHarness;
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
}, { vkMode: 'longpoll' });

const startEvent = (eventId: string, userId: number) => ({
  type: 'message_new',
  group_id: TEST_VK_GROUP_ID,
  event_id: eventId,
  v: '5.199',
  object: {
    message: { date: 1764000000, from_id: userId, peer_id: userId, id: 0, out: 0, text: '/start', attachments: [], fwd_messages: [], conversation_message_id: 1 },
    client_info: { button_actions: ['text', 'callback', 'location'], keyboard: true, inline_keyboard: true, carousel: true, lang_id: 0 },
  },
});

const storedTs = async () => (await db.db.selectFrom('vk_long_poll_state').select('ts').where('group_id', '=', String(TEST_VK_GROUP_ID)).executeTakeFirst())?.ts;

/** Waits until the poller has stored this ts (it stores it only after the batch was handled). */
async function tsStored(ts: string): Promise<void> {
  for (let i = 0; i < 200 && (await storedTs()) !== ts; i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(await storedTs()).toBe(ts);
}

const replies = (userId: number) => harness.vkFake.textsTo(userId);
const serverCalls = () => harness.vkFake.calls.filter((c) => c.method === 'groups.getLongPollServer');

describe('VK Bots Long Poll', () => {
  it('handles the events VK queued (a resident gets the reply) and stores the ts after them', async () => {
    const user = newVkUser();
    await harness.vkFake.waitFor(() => harness.vkFake.longPollRequests.length > 0);
    expect(serverCalls()[0]?.params.group_id).toBe(String(TEST_VK_GROUP_ID));
    const ts = harness.vkFake.queueLongPoll(startEvent('lp-first', user.id));
    await harness.vkFake.waitFor(() => replies(user.id).length > 0);
    expect(replies(user.id)[0]).toContain('Выберите язык');
    await tsStored(ts);
  });

  it('after a restart resumes from the stored ts and handles only the events that came in while it was down', async () => {
    const before = newVkUser();
    const whileDown = newVkUser();
    const ts = harness.vkFake.queueLongPoll(startEvent('lp-before', before.id));
    await tsStored(ts);
    const requestsBefore = harness.vkFake.longPollRequests.length;
    const startedAt = Date.now();
    let newTs = '';
    // The pending request is held for 25 s by the fake: stopping must abort it, not wait for it.
    await harness.restart(() => {
      newTs = harness.vkFake.queueLongPoll(startEvent('lp-while-down', whileDown.id));
    });
    expect(Date.now() - startedAt).toBeLessThan(3000);
    // The first reply may still have been in the stopped sender's queue: given back, it leaves
    // again with the new instance's first claim, in no set order with the second.
    await harness.vkFake.waitFor(() => replies(whileDown.id).length > 0 && replies(before.id).length > 0);
    expect(harness.vkFake.longPollRequests[requestsBefore]?.ts).toBe(ts);
    await tsStored(newTs);
    expect(replies(before.id)).toHaveLength(1);
    expect(replies(whileDown.id)).toHaveLength(1);
  });

  it('events VK sends again (the process died before storing the ts) are not handled twice', async () => {
    const handled = newVkUser();
    const fresh = newVkUser();
    const ts = harness.vkFake.queueLongPoll(startEvent('lp-handled', handled.id));
    await tsStored(ts);
    // Its reply is sent before the restart: otherwise the stopping sender may give it back unsent, and
    // the next process may send it after the fresh event's reply, when the count below is taken.
    await harness.vkFake.waitFor(() => replies(handled.id).length > 0);
    let newTs = '';
    await harness.restart(async () => {
      // As if the process had died after handling the batch and before storing its ts.
      await db.db.updateTable('vk_long_poll_state').set({ ts: '1' }).where('group_id', '=', String(TEST_VK_GROUP_ID)).execute();
      newTs = harness.vkFake.queueLongPoll(startEvent('lp-fresh', fresh.id));
    });
    await harness.vkFake.waitFor(() => replies(fresh.id).length > 0);
    await tsStored(newTs);
    expect(replies(handled.id)).toHaveLength(1);
    expect(replies(fresh.id)).toHaveLength(1);
    const rows = await db.db.selectFrom('processed_update').select('update_id').where('channel', '=', 'vk').where('update_id', 'in', ['lp-handled', 'lp-fresh']).execute();
    expect(rows).toHaveLength(2);
  });

  it('failed 2: takes a new key and keeps its ts', async () => {
    const user = newVkUser();
    await tsStored(harness.vkFake.longPollTs());
    const servers = serverCalls().length;
    harness.vkFake.failLongPoll(2);
    await harness.vkFake.waitFor(() => serverCalls().length > servers && harness.vkFake.longPollRequests.at(-1)?.failed === undefined);
    const failedAt = harness.vkFake.longPollRequests.findLastIndex((r) => r.failed === 2);
    const [failed, next] = harness.vkFake.longPollRequests.slice(failedAt, failedAt + 2);
    expect(next?.key).not.toBe(failed?.key);
    expect(next?.ts).toBe(failed?.ts);
    const ts = harness.vkFake.queueLongPoll(startEvent('lp-after-2', user.id));
    await harness.vkFake.waitFor(() => replies(user.id).length > 0);
    await tsStored(ts);
  });

  it('failed 1: part of the history is lost; carries on from the ts VK gives', async () => {
    const lost = newVkUser();
    const user = newVkUser();
    await tsStored(harness.vkFake.longPollTs());
    const servers = serverCalls().length;
    // The failure is answered before the event can be: VK no longer has it.
    harness.vkFake.failLongPoll(1);
    const afterLost = harness.vkFake.queueLongPoll(startEvent('lp-lost', lost.id));
    await tsStored(afterLost);
    const failedAt = harness.vkFake.longPollRequests.findLastIndex((r) => r.failed === 1);
    expect(harness.vkFake.longPollRequests[failedAt + 1]?.ts).toBe(afterLost);
    expect(serverCalls()).toHaveLength(servers);
    const ts = harness.vkFake.queueLongPoll(startEvent('lp-after-1', user.id));
    await harness.vkFake.waitFor(() => replies(user.id).length > 0);
    await tsStored(ts);
    expect(replies(lost.id)).toEqual([]);
  });

  it('failed 3: takes a new key and the ts VK gives with it', async () => {
    const user = newVkUser();
    await tsStored(harness.vkFake.longPollTs());
    const servers = serverCalls().length;
    harness.vkFake.failLongPoll(3);
    await harness.vkFake.waitFor(() => serverCalls().length > servers && harness.vkFake.longPollRequests.at(-1)?.failed === undefined);
    expect(harness.vkFake.longPollRequests.at(-1)?.ts).toBe(harness.vkFake.longPollTs());
    const ts = harness.vkFake.queueLongPoll(startEvent('lp-after-3', user.id));
    await harness.vkFake.waitFor(() => replies(user.id).length > 0);
    await tsStored(ts);
  });

  it('a long-poll server that stops answering is replaced: the next attempt asks VK for a server again and keeps its ts', async () => {
    const user = newVkUser();
    await tsStored(harness.vkFake.longPollTs());
    const servers = serverCalls().length;
    // The key expires and the server VK then gives is gone (a closed port: connection refused).
    harness.vkFake.giveLongPollServers('http://127.0.0.1:1/lp');
    harness.vkFake.failLongPoll(2);
    await harness.vkFake.waitFor(() => serverCalls().length >= servers + 2, 15_000);
    const ts = harness.vkFake.queueLongPoll(startEvent('lp-after-moved-server', user.id));
    await harness.vkFake.waitFor(() => replies(user.id).length > 0, 15_000);
    await tsStored(ts);
  });

  it('a network error is retried after a pause, not in a tight loop', async () => {
    const user = newVkUser();
    await tsStored(harness.vkFake.longPollTs());
    harness.vkFake.failLongPoll(502);
    await harness.vkFake.waitFor(() => harness.vkFake.longPollRequests.at(-1)?.failed === undefined && harness.vkFake.longPollRequests.at(-2)?.failed === 502);
    const [failed, next] = harness.vkFake.longPollRequests.slice(-2);
    expect(next!.at - failed!.at).toBeGreaterThanOrEqual(900);
    expect(next?.ts).toBe(failed?.ts);
    const ts = harness.vkFake.queueLongPoll(startEvent('lp-after-502', user.id));
    await harness.vkFake.waitFor(() => replies(user.id).length > 0);
    await tsStored(ts);
  });
  it("a long-poll message_new's client_info is read as the Callback API's is: an app without inline keyboards gets a regular keyboard of text buttons", async () => {
    const user = newVkUser();
    const event = startEvent('lp-old-app', user.id);
    event.object.client_info = { button_actions: ['text', 'location'], keyboard: true, inline_keyboard: false, carousel: false, lang_id: 0 };
    harness.vkFake.queueLongPoll(event);
    await harness.vkFake.waitFor(() => replies(user.id).length > 0);
    const keyboard = JSON.parse(harness.vkFake.messagesTo(user.id)[0]!.params.keyboard!) as { inline?: boolean; one_time?: boolean; buttons: { action: { type: string; label: string } }[][] };
    expect(keyboard.inline).toBeUndefined();
    expect(keyboard.one_time).toBe(true);
    expect(keyboard.buttons.flat().map((b) => [b.action.type, b.action.label])).toEqual([
      ['text', 'Русский'],
      ['text', 'English'],
    ]);
    const stored = await db.db.selectFrom('dialog_state').select('client').where('channel', '=', 'vk').where('external_id', '=', String(user.id)).executeTakeFirstOrThrow();
    expect(stored.client).toEqual({ keyboard: true, inline: false, callback: false, text: true, location: true });
  });
});
