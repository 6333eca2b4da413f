import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../test/residents.ts';
import { demoStaff, linkStaff } from '../../test/staff.ts';
import { copiablePhotos } from '../incidents/incident-photos.ts';
import { fileMessage } from './filing.service.ts';
import { createStaff } from '../access/staff.service.ts';
import { acceptMessage, routeMessage } from './moderation.service.ts';
import { LATE_PHOTOS_KIND, recordCopies } from './photo-copies.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const at = (iso: string) => new Date(iso);

async function copyRow(municipalityId: number): Promise<number> {
  const row = await t.db
    .insertInto('media')
    .values({ sha256: randomBytes(32).toString('hex'), mime: 'image/jpeg', kind: 'image', size_bytes: 100, municipality_id: municipalityId, created_by_staff_id: null, origin: 'tg' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('copies recorded while a card is being queued', () => {
  it('a card committed while the copies are recorded still gets them: the copies wait for the message lock', async () => {
    const kemerovo = t.demo.municipalities.Kemerovo;
    const staff = await demoStaff(t.db, kemerovo);
    const vkChat = await linkStaff(t.db, staff.executor, 'vk');
    const residentId = await registeredResident(t.db, { municipalityId: kemerovo });
    const { message } = await fileMessage(
      t.db,
      {
        residentId,
        categoryId: await categoryId(t.db, 'roads.pothole'),
        text: 'Яма у дома 7',
        point: KEMEROVO_CENTER,
        address: 'ул. Весенняя, 7',
        channel: 'tg',
        photos: [
          { fileId: 'AgAD-r1', fileUniqueId: 'r1' },
          { fileId: 'AgAD-r2', fileUniqueId: 'r2' },
        ],
      },
      at('2026-11-02T02:00:00Z'),
    );
    const photos = await t.db.selectFrom('message_photo').select('id').where('message_id', '=', message.id).orderBy('position').execute();
    const copies: { photoId: number; mediaId: number }[] = [];
    for (const p of photos) copies.push({ photoId: p.id, mediaId: await copyRow(kemerovo) });

    // The card is queued (it read the photos before any copy existed) and not committed yet when
    // the copier records the copies: it commits after the copier's check for cards.
    let recording: Promise<number> | undefined;
    let settledEarly = false;
    await t.db.transaction().execute(async (trx) => {
      await acceptMessage(trx, { messageId: message.id, actor: { kind: 'staff', staffId: staff.moderator } }, at('2026-11-02T03:15:00Z'));
      recording = recordCopies(t.db, message.id, copies);
      void recording.then(() => (settledEarly = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect(settledEarly).toBe(false);
    expect(await recording).toBe(1);

    const card = await t.db.selectFrom('outbox').select(['id', 'payload']).where('kind', '=', 'alert.assigned').where('chat_id', '=', vkChat).executeTakeFirstOrThrow();
    expect(card.payload.media).toBeUndefined();
    const followUps = await t.db
      .selectFrom('outbox')
      .select(['id', 'channel', 'chat_id', 'staff_id', 'priority', 'payload'])
      .where('kind', '=', LATE_PHOTOS_KIND)
      .where('chat_id', '=', vkChat)
      .execute();
    expect(followUps).toHaveLength(1);
    expect(followUps[0]).toMatchObject({ channel: 'vk', staff_id: staff.executor, payload: { key: 'alert.late_photos', params: { messageId: message.id }, media: copies.map((c) => c.mediaId) } });
    expect(followUps[0]!.id).toBeGreaterThan(card.id);
    // Recorded again (a copier whose lease ran out): nothing more.
    expect(await recordCopies(t.db, message.id, copies)).toBe(0);
  });
});

describe('cards that get the late copies', () => {
  it("only the current executor's cards that went out without them: not a routed-away executor's, not a card that died, not the resident's own messenger", async () => {
    const kemerovo = t.demo.municipalities.Kemerovo;
    const staff = await demoStaff(t.db, kemerovo);
    const residentId = await registeredResident(t.db, { municipalityId: kemerovo });
    const { message } = await fileMessage(
      t.db,
      {
        residentId,
        categoryId: await categoryId(t.db, 'roads.pothole'),
        text: 'Яма у дома 9',
        point: KEMEROVO_CENTER,
        address: 'ул. Весенняя, 9',
        channel: 'tg',
        photos: [{ fileId: 'AgAD-q1', fileUniqueId: 'q1' }],
      },
      at('2026-11-03T02:00:00Z'),
    );
    const executors = [];
    for (const name of ['Подрядчик А', 'Подрядчик Б']) {
      const executor = await t.db.insertInto('executor').values({ municipality_id: kemerovo, name, kind: 'organisation' }).returning('id').executeTakeFirstOrThrow();
      const officials = [];
      for (const n of [1, 2]) officials.push((await createStaff(t.db, { fullName: `${name} ${n}`, role: 'executor', municipalityId: kemerovo, executorId: executor.id })).id);
      executors.push({ id: executor.id, officials });
    }
    const [first, second] = executors as [(typeof executors)[0], (typeof executors)[0]];
    const firstVk = await linkStaff(t.db, first.officials[0]!, 'vk');
    const secondVk = await linkStaff(t.db, second.officials[0]!, 'vk');
    const secondVkDead = await linkStaff(t.db, second.officials[1]!, 'vk');
    const secondTg = await linkStaff(t.db, second.officials[1]!, 'tg');
    await acceptMessage(t.db, { messageId: message.id, executorId: first.id, actor: { kind: 'staff', staffId: staff.moderator } }, at('2026-11-03T03:00:00Z'));
    await routeMessage(t.db, { messageId: message.id, executorId: second.id, actor: { kind: 'staff', staffId: staff.moderator } }, at('2026-11-03T04:00:00Z'));
    await t.db.updateTable('outbox').set({ state: 'dead' }).where('chat_id', '=', secondVkDead).where('kind', '=', 'alert.assigned').execute();

    const [photo] = await t.db.selectFrom('message_photo').select('id').where('message_id', '=', message.id).execute();
    const mediaId = await copyRow(kemerovo);
    expect(await recordCopies(t.db, message.id, [{ photoId: photo!.id, mediaId }])).toBe(1);
    const followUps = await t.db.selectFrom('outbox').select(['chat_id', 'payload']).where('kind', '=', LATE_PHOTOS_KIND).where('chat_id', 'in', [firstVk, secondVk, secondVkDead, secondTg]).execute();
    expect(followUps).toEqual([{ chat_id: secondVk, payload: { key: 'alert.late_photos', params: { messageId: message.id }, language: 'ru', media: [mediaId] } }]);
  });
});

describe("an open-source item's photos", () => {
  it('only those on VK file servers are downloaded by the server; any other URL stays a link', () => {
    expect(
      copiablePhotos([
        'https://sun9-1.userapi.com/impg/x.jpg?size=1280x960&sign=abc',
        'https://pp.vk.me/c1/y.jpg',
        'https://userapi.com/z.jpg',
        'http://sun9-1.userapi.com/plain-http.jpg',
        'https://sun9-1.userapi.com:8443/port.jpg',
        'https://user:pw@sun9-1.userapi.com/creds.jpg',
        'https://evil-userapi.com/a.jpg',
        'https://userapi.com.evil.example/b.jpg',
        'https://169.254.169.254/latest/meta-data',
        'https://ok.ru/photo.jpg',
        'not a url',
      ]),
    ).toEqual(['https://sun9-1.userapi.com/impg/x.jpg?size=1280x960&sign=abc', 'https://pp.vk.me/c1/y.jpg', 'https://userapi.com/z.jpg']);
  });
});
