import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { registeredResident } from '../../test/residents.ts';
import { announce, expandBatch } from '../broadcasts/broadcasts.ts';
import { touchResident, updateResident } from '../residents/resident.repository.ts';
import { notifyResident, recordRunningMessengers } from './notify.ts';

let t: TestDatabase;
let kemerovo: number;

beforeAll(async () => {
  t = await createTestDatabase();
  kemerovo = t.demo.municipalities.Kemerovo;
});
afterAll(() => t.close());
beforeEach(async () => {
  await sql`DELETE FROM outbox`.execute(t.db);
  await sql`DELETE FROM broadcast`.execute(t.db);
  await sql`DELETE FROM resident`.execute(t.db);
  await sql`DELETE FROM messenger`.execute(t.db);
});

/** A resident with both messengers who chose VK for notifications but wrote in Telegram last. */
async function choseVk(): Promise<number> {
  const vkId = String(9_000_000 + Math.floor(Math.random() * 1e6));
  const resident = await registeredResident(t.db, { municipalityId: kemerovo, channel: 'vk', externalId: vkId });
  const tgId = String(7_000_000_000 + Math.floor(Math.random() * 1e6));
  const { resident: other } = await touchResident(t.db, { channel: 'tg', externalId: tgId, chatId: tgId }, new Date(Date.now() + 1000));
  await t.db.updateTable('resident_identity').set({ resident_id: resident }).where('resident_id', '=', other.id).execute();
  await updateResident(t.db, resident, { notifyChannel: 'vk' });
  return resident;
}

const noticeChannels = async () => (await t.db.selectFrom('outbox').select(['resident_id', 'channel']).orderBy('id').execute()).map((r) => r.channel);

describe('a notice for a resident whose chosen messenger is turned off', () => {
  it('goes to the chosen messenger while its bot runs (and when no instance has said yet)', async () => {
    const resident = await choseVk();
    expect(await notifyResident(t.db, resident, 'status.in_work', {}, { kind: 'status' })).toBe(true);
    await recordRunningMessengers(t.db, { tg: true, vk: true }, new Date());
    expect(await notifyResident(t.db, resident, 'status.in_work', {}, { kind: 'status' })).toBe(true);
    expect(await noticeChannels()).toEqual(['vk', 'vk']);
  });

  it('goes to another messenger of theirs that runs, and back to the chosen one when it runs again; the choice is kept', async () => {
    const resident = await choseVk();
    await recordRunningMessengers(t.db, { tg: true, vk: false }, new Date());
    await notifyResident(t.db, resident, 'status.in_work', {}, { kind: 'status' });
    await recordRunningMessengers(t.db, { tg: true, vk: true }, new Date());
    await notifyResident(t.db, resident, 'status.in_work', {}, { kind: 'status' });
    expect(await noticeChannels()).toEqual(['tg', 'vk']);
    expect((await t.db.selectFrom('resident').select('notify_channel').where('id', '=', resident).executeTakeFirstOrThrow()).notify_channel).toBe('vk');
  });

  it('still goes to the turned-off messenger when it is the only one they have (it waits for the bot to come back)', async () => {
    const resident = await registeredResident(t.db, { municipalityId: kemerovo, channel: 'vk' });
    await recordRunningMessengers(t.db, { tg: true, vk: false }, new Date());
    expect(await notifyResident(t.db, resident, 'status.in_work', {}, { kind: 'status' })).toBe(true);
    expect(await noticeChannels()).toEqual(['vk']);
  });

  it("reaches a broadcast's audience the same way", async () => {
    const resident = await choseVk();
    await recordRunningMessengers(t.db, { tg: true, vk: false }, new Date());
    const id = await announce(t.db, { audience: { municipalityId: kemerovo, topic: 'news' }, message: { key: 'broadcast.official', params: { text: 'Hello' } } });
    while (!(await expandBatch(t.db, id, 10)).done);
    expect(await t.db.selectFrom('outbox').select(['resident_id', 'channel']).execute()).toEqual([{ resident_id: resident, channel: 'tg' }]);
  });

  it('records a change only: a restart with the same tokens keeps when it changed', async () => {
    const first = new Date('2026-12-01T00:00:00Z');
    await recordRunningMessengers(t.db, { tg: true, vk: false }, first);
    await recordRunningMessengers(t.db, { tg: true, vk: false }, new Date('2026-12-02T00:00:00Z'));
    await recordRunningMessengers(t.db, { tg: true, vk: true }, new Date('2026-12-03T00:00:00Z'));
    const rows = await t.db.selectFrom('messenger').selectAll().orderBy('channel').execute();
    expect(rows).toEqual([
      { channel: 'tg', running: true, changed_at: first },
      { channel: 'vk', running: true, changed_at: new Date('2026-12-03T00:00:00Z') },
    ]);
  });
});
