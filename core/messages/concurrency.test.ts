import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { categoryId, demoStaffId, KEMEROVO_CENTER, registeredResident } from '../../test/residents.ts';
import { fileMessage } from './filing.service.ts';
import { lockMessage } from './message.repository.ts';
import { acceptMessage, rejectMessage } from './moderation.service.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

describe('two moderators acting on one message at once', () => {
  it('exactly one wins; the other gets a conflict and changes nothing', async () => {
    const { db } = t;
    const kemerovo = t.demo.municipalities.Kemerovo;
    const residentId = await registeredResident(db, { municipalityId: kemerovo });
    const moderator = await demoStaffId(db, kemerovo, 'moderator');
    const curator = await demoStaffId(db, kemerovo, 'curator');
    const { message } = await fileMessage(db, { residentId, categoryId: await categoryId(db, 'roads.pothole'), text: 'Яма', point: KEMEROVO_CENTER, channel: 'tg' }, new Date());

    // The first transaction takes the row lock and holds it until the second one is waiting on it
    // (on real PostgreSQL); then both race to finish. On PGlite the two serialise on its single
    // connection, which must give the same outcome.
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstLocked!: () => void;
    const lockedSignal = new Promise<void>((resolve) => (firstLocked = resolve));
    const first = db.transaction().execute(async (trx) => {
      await lockMessage(trx, message.id);
      firstLocked();
      await firstHolds;
      return acceptMessage(trx, { messageId: message.id, actor: { kind: 'staff', staffId: moderator } }, new Date());
    });
    await (t.kind === 'postgres' ? lockedSignal : Promise.resolve());
    const second = rejectMessage(db, { messageId: message.id, actor: { kind: 'staff', staffId: curator }, reason: 'дубль' }, new Date());
    setTimeout(releaseFirst, 200);
    const results = await Promise.allSettled([first, second]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(['ILLEGAL_TRANSITION', 'CONCURRENT_CHANGE']).toContain(loser.reason.code);
    const events = await db.selectFrom('message_event').select('kind').where('message_id', '=', message.id).execute();
    expect(events.filter((e) => e.kind === 'accepted' || e.kind === 'rejected')).toHaveLength(1);
    if (t.kind === 'postgres') {
      // With the lock held by the first, the second waited and then saw the accepted status.
      const row = await db.selectFrom('message').select(['status', 'version']).where('id', '=', message.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'in_work', version: 2 });
      expect(loser.reason.code).toBe('ILLEGAL_TRANSITION');
    }
  });

  it('an optimistic version check refuses a change based on a stale read', async () => {
    const { db } = t;
    const kemerovo = t.demo.municipalities.Kemerovo;
    const residentId = await registeredResident(db, { municipalityId: kemerovo });
    const moderator = { kind: 'staff' as const, staffId: await demoStaffId(db, kemerovo, 'moderator') };
    const { message } = await fileMessage(db, { residentId, categoryId: await categoryId(db, 'roads.pothole'), text: 'Яма 2', point: KEMEROVO_CENTER, channel: 'tg' }, new Date());
    await acceptMessage(db, { messageId: message.id, actor: moderator, expectedVersion: message.version }, new Date());
    await expect(rejectMessage(db, { messageId: message.id, actor: moderator, reason: 'x', expectedVersion: message.version }, new Date())).rejects.toMatchObject({ code: 'CONCURRENT_CHANGE' });
  });
});
