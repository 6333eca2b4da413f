import { describe, expect, it } from 'vitest';
import { dialogStateOf, newChat, residentRowOf } from '../../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile } from '../../../test/bots/harness.ts';
import type { VkConversation } from '../../../test/vk/conversation.ts';
import type { TestDatabase } from '../../../test/database.ts';

let db: TestDatabase;
let harness: BotHarness;
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const usersGetCalls = (chat: VkConversation) => harness.vkFake.calls.concat(harness.vkFake.rejected).filter((c) => c.method === 'users.get' && c.params.user_ids === String(chat.userId));

/** Waits (up to 5 s) until `done` holds: the name is looked up after the event's commit. */
async function until(done: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('vk: a resident’s name, which VK presses do not carry', () => {
  it('is looked up with users.get once the consent is given and stored as Telegram’s is; once only', async () => {
    const chat = newChat(harness, 'vk') as VkConversation;
    harness.vkFake.users.set(String(chat.userId), { first_name: 'Анна', last_name: 'Петрова' });
    await chat.playFixture('registration.json');
    await until(async () => (await residentRowOf(db, chat)).display_name !== null);
    expect((await residentRowOf(db, chat)).display_name).toBe('Анна Петрова');
    await chat.say('/help', '/new', '/cancel');
    expect(usersGetCalls(chat)).toHaveLength(1);
  });

  it('a failing users.get (a private profile) does not hold the registration up: the resident is registered without a name', async () => {
    const chat = newChat(harness, 'vk') as VkConversation;
    harness.vkFake.failingUsers.add(String(chat.userId));
    await chat.playFixture('registration.json');
    await until(() => usersGetCalls(chat).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const resident = await residentRowOf(db, chat);
    expect(resident.registered_at).not.toBeNull();
    expect(resident.display_name).toBeNull();
    expect(await dialogStateOf(db, chat)).toEqual({ flow: 'idle', step: 'idle' });
  });

  it('a deleted page’s "DELETED" is no name', async () => {
    const chat = newChat(harness, 'vk') as VkConversation;
    await chat.playFixture('registration.json');
    await until(() => usersGetCalls(chat).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await residentRowOf(db, chat)).display_name).toBeNull();
  });
});
