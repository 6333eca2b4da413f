import { describe, expect, it } from 'vitest';
import { runJob } from '../../core/jobs/run-job.ts';
import { backfillVkNames } from '../../core/residents/name-backfill.ts';
import { withdrawConsent } from '../../core/residents/consent.service.ts';
import { newChat, residentRowOf } from '../../test/bots/chats.ts';
import { type BotHarness, botHarnessPerFile, TEST_VK_TOKEN } from '../../test/bots/harness.ts';
import type { TestDatabase } from '../../test/database.ts';
import { registeredResident } from '../../test/residents.ts';
import type { VkConversation } from '../../test/vk/conversation.ts';
import { createVkNameLookup, vkNameBackfillJob } from './users.ts';

let db: TestDatabase;
let harness: BotHarness;
botHarnessPerFile((opened, started) => {
  db = opened;
  harness = started;
});

const now = new Date('2026-12-03T05:00:00Z');
let nextUser = 710_000_000;

/** A VK resident registered before names were looked up at the consent: no name, never asked. */
async function namelessVkResident(name?: { first_name: string; last_name: string }): Promise<{ residentId: number; userId: string }> {
  const userId = String(++nextUser);
  const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, channel: 'vk', externalId: userId, now });
  if (name) harness.vkFake.users.set(userId, name);
  return { residentId, userId };
}

const nameOf = async (residentId: number) => (await db.db.selectFrom('resident').select('display_name').where('id', '=', residentId).executeTakeFirstOrThrow()).display_name;
const usersGet = () => harness.vkFake.calls.concat(harness.vkFake.rejected).filter((c) => c.method === 'users.get');
const lookup = () => createVkNameLookup({ token: TEST_VK_TOKEN, apiBaseUrl: harness.vkFake.apiBaseUrl });
/** Residents of earlier tests are settled first, so each test counts only its own. */
const settleEarlier = () => db.db.updateTable('resident_identity').set({ name_looked_up_at: now }).where('name_looked_up_at', 'is', null).execute();

describe('vk: names backfilled for residents registered before the consent-time look-up', () => {
  it('asks users.get in batches (ids comma-joined, up to the batch size a call), stores the names, and asks no one twice', async () => {
    await settleEarlier();
    const anna = await namelessVkResident({ first_name: 'Анна', last_name: 'Петрова' });
    const ivan = await namelessVkResident({ first_name: 'Иван', last_name: 'Сидоров' });
    const deleted = await namelessVkResident();
    const withdrawn = await namelessVkResident({ first_name: 'Олег', last_name: 'Орлов' });
    await withdrawConsent(db.db, withdrawn.residentId, now);
    const before = usersGet().length;

    const counts = await backfillVkNames(db.db, lookup(), now, { perCall: 2 });
    expect(counts).toEqual({ asked: 3, named: 2, failed: 0 });
    const calls = usersGet().slice(before);
    expect(calls.map((c) => c.params.user_ids)).toEqual([`${anna.userId},${ivan.userId}`, deleted.userId]);
    expect(await nameOf(anna.residentId)).toBe('Анна Петрова');
    expect(await nameOf(ivan.residentId)).toBe('Иван Сидоров');
    // A deleted page has no name; one who withdrew the consent is not asked (the name is personal data).
    expect(await nameOf(deleted.residentId)).toBeNull();
    expect(await nameOf(withdrawn.residentId)).toBeNull();
    expect(await backfillVkNames(db.db, lookup(), now, { perCall: 2 })).toEqual({ asked: 0, named: 0, failed: 0 });
    expect(usersGet().length - before).toBe(2);
  });

  it('a failing call leaves its batch to the next run; the cron job runs it under its lock', async () => {
    await settleEarlier();
    const maria = await namelessVkResident({ first_name: 'Мария', last_name: 'Ким' });
    harness.vkFake.failingUsers.add(maria.userId);
    const job = vkNameBackfillJob(lookup());
    const failed = await runJob(db.db, job, () => now);
    expect(failed).toMatchObject({ outcome: 'ok', counts: { asked: 1, named: 0, failed: 1 } });
    expect(await nameOf(maria.residentId)).toBeNull();
    harness.vkFake.failingUsers.delete(maria.userId);
    expect(await runJob(db.db, job, () => now)).toMatchObject({ outcome: 'ok', counts: { asked: 1, named: 1, failed: 0 } });
    expect(await nameOf(maria.residentId)).toBe('Мария Ким');
  });

  it('a resident whose name was looked up at the consent is not asked again, even without a name', async () => {
    await settleEarlier();
    const chat = newChat(harness, 'vk') as VkConversation;
    await chat.playFixture('registration.json');
    const asked = () => usersGet().filter((c) => c.params.user_ids === String(chat.userId)).length;
    const deadline = Date.now() + 5000;
    while (asked() === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    // Its look-up answered "DELETED" (no name); wait until it is recorded.
    while ((await db.db.selectFrom('resident_identity').select('name_looked_up_at').where('external_id', '=', String(chat.userId)).executeTakeFirstOrThrow()).name_looked_up_at === null) {
      if (Date.now() > deadline) throw new Error('the consent-time look-up was not recorded');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await backfillVkNames(db.db, lookup(), now)).toEqual({ asked: 0, named: 0, failed: 0 });
    expect(asked()).toBe(1);
    expect((await residentRowOf(db, chat)).display_name).toBeNull();
  });
});
