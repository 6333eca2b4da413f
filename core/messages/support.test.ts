import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { categoryId, demoStaffId, KEMEROVO_CENTER, registeredResident } from '../../test/residents.ts';
import { approveAnswer, draftAnswer } from './answers.service.ts';
import { supportMessage, supporterIds } from './feedback.service.ts';
import { fileMessage } from './filing.service.ts';
import { findNearby } from './nearby.ts';
import { acceptMessage, markDuplicate, setPublished } from './moderation.service.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

/** A point `metres` north of the Kemerovo centre. */
const north = (metres: number) => ({ lat: KEMEROVO_CENTER.lat + metres / 111_195, lon: KEMEROVO_CENTER.lon });

describe('nearby messages, support and duplicates', () => {
  it('suggests open published messages of the category within 150 m, nearest first', async () => {
    const { db } = t;
    const kemerovo = t.demo.municipalities.Kemerovo;
    const moderator = { kind: 'staff' as const, staffId: await demoStaffId(db, kemerovo, 'moderator') };
    const pothole = await categoryId(db, 'roads.pothole');
    const lighting = await categoryId(db, 'roads.lighting');
    const author = await registeredResident(db, { municipalityId: kemerovo });
    const file = async (point: { lat: number; lon: number }, category: number, publish: boolean) => {
      const { message } = await fileMessage(db, { residentId: author, categoryId: category, text: 'x', point, channel: 'tg' }, new Date());
      await acceptMessage(db, { messageId: message.id, actor: moderator }, new Date());
      if (publish) await setPublished(db, { messageId: message.id, actor: moderator, published: true }, new Date());
      return message.id;
    };
    const at100 = await file(north(100), pothole, true);
    const at40 = await file(north(40), pothole, true);
    await file(north(200), pothole, true); // too far
    await file(north(10), pothole, false); // not published
    await file(north(10), lighting, true); // other category
    const near = await findNearby(db, { categoryId: pothole, point: KEMEROVO_CENTER });
    expect(near.map((n) => n.id)).toEqual([at40, at100]);
    expect(near[0]!.distanceM).toBeGreaterThan(35);
    expect(near[0]!.distanceM).toBeLessThan(45);

    const neighbour = await registeredResident(db, { municipalityId: kemerovo });
    expect(await supportMessage(db, { residentId: neighbour, messageId: at40 }, new Date())).toEqual({ added: true, supporters: 1 });
    expect(await supportMessage(db, { residentId: neighbour, messageId: at40 }, new Date())).toEqual({ added: false, supporters: 1 });
    await expect(supportMessage(db, { residentId: author, messageId: at40 }, new Date())).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await findNearby(db, { categoryId: pothole, point: KEMEROVO_CENTER }))[0]!.supporters).toBe(1);

    // A supporter follows the message: its closing reaches them too.
    const { answer } = await draftAnswer(db, { messageId: at40, kind: 'final', resolution: 'solved', text: 'Заделали', actor: moderator }, new Date());
    await approveAnswer(db, { answerId: answer.id, actor: moderator }, new Date());
    const followed = await db.selectFrom('outbox').select(['kind', 'payload']).where('resident_id', '=', neighbour).execute();
    expect(followed).toEqual([{ kind: 'follow.closed', payload: expect.objectContaining({ key: 'notify.followed_closed', params: { messageId: at40, text: 'Заделали', resolution: 'solved' } }) }]);
  });

  it('a duplicate is closed and its author follows the original', async () => {
    const { db } = t;
    const kemerovo = t.demo.municipalities.Kemerovo;
    const moderator = { kind: 'staff' as const, staffId: await demoStaffId(db, kemerovo, 'moderator') };
    const pothole = await categoryId(db, 'roads.pothole');
    const first = await registeredResident(db, { municipalityId: kemerovo });
    const second = await registeredResident(db, { municipalityId: kemerovo });
    const original = (await fileMessage(db, { residentId: first, categoryId: pothole, text: 'Яма', point: KEMEROVO_CENTER, channel: 'tg' }, new Date())).message;
    const copy = (await fileMessage(db, { residentId: second, categoryId: pothole, text: 'Та же яма', point: north(20), channel: 'vk' }, new Date())).message;
    await expect(markDuplicate(db, { messageId: copy.id, originalId: copy.id, actor: moderator }, new Date())).rejects.toMatchObject({ code: 'DUPLICATE_OF_SELF' });
    const closed = await markDuplicate(db, { messageId: copy.id, originalId: original.id, actor: moderator }, new Date());
    expect(closed).toMatchObject({ status: 'rejected', duplicateOf: original.id });
    expect(await supporterIds(db, original.id)).toEqual([second]);
    const notice = await db.selectFrom('outbox').select(['kind', 'channel']).where('resident_id', '=', second).executeTakeFirstOrThrow();
    expect(notice).toEqual({ kind: 'status.duplicate', channel: 'tg' }); // where the resident is reachable, not where the copy came from
  });
});
