import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMessage } from '../../../core/messages/filing.service.ts';
import { acceptMessage } from '../../../core/messages/moderation.service.ts';
import { recordCopies } from '../../../core/messages/photo-copies.ts';
import { createLinkCode, staffStartPayload } from '../../../core/staff/link-codes.ts';
import { newChat, type Chat } from '../../../test/bots/chats.ts';
import { BotHarness } from '../../../test/bots/harness.ts';
import { CHANNELS } from '../../../test/bots/player.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../../test/residents.ts';
import { demoStaff, operatorId } from '../../../test/staff.ts';

/**
 * The executor's card in one messenger for a message whose photos came through the other: the
 * photos cannot be shown there (file ids belong to their messenger), so the card says they exist.
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

async function linkedExecutor(channel: Chat['channel']): Promise<Chat> {
  await db.db.deleteFrom('staff_identity').where('staff_id', '=', staff.executor).execute();
  const chat = newChat(harness, channel, 'Исполнитель');
  const { code } = await createLinkCode(db.db, { actorStaffId: await operatorId(db.db), staffId: staff.executor }, now);
  await chat.say(`/start ${staffStartPayload(code)}`);
  return chat;
}

async function acceptedWithPhotos(channel: Chat['channel']): Promise<number> {
  const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, now });
  const photos = [
    { fileId: `${channel}-photo-1`, fileUniqueId: `${channel}-u1` },
    { fileId: `${channel}-photo-2`, fileUniqueId: `${channel}-u2` },
  ];
  const { message } = await fileMessage(db.db, { residentId, categoryId: await categoryId(db.db, 'roads.pothole'), text: 'Яма у остановки', point: KEMEROVO_CENTER, channel, photos }, now);
  await acceptMessage(db.db, { messageId: message.id, actor: { kind: 'staff', staffId: staff.moderator } }, now);
  return message.id;
}

describe.each(CHANNELS)("%s: the executor card and the resident's photos", (channel) => {
  const other = channel === 'tg' ? 'vk' : 'tg';
  const otherName = other === 'tg' ? 'Telegram' : 'VK';

  it('photos sent through the other messenger: the card says how many and where to see them', async () => {
    const executor = await linkedExecutor(channel);
    const messageId = await acceptedWithPhotos(other);
    await executor.deliverOutbox();
    const card = executor.replyTexts.find((text) => text.includes(`№${messageId}`))!;
    expect(card).toContain(`Фото к сообщению: 2 — присланы через ${otherName}`);
    expect(card).not.toContain('{{');
  });

  it('photos of this messenger are shown, and the card has no such line', async () => {
    const executor = await linkedExecutor(channel);
    const messageId = await acceptedWithPhotos(channel);
    await executor.deliverOutbox();
    const card = executor.replyTexts.find((text) => text.includes(`№${messageId}`))!;
    expect(card).not.toContain('Фото к сообщению');
    expect(card).not.toContain('{{');
    expect(executor.replyKinds()).toContain('photo');
  });
});

describe.each(CHANNELS)("%s: the moderator's new-message card and the resident's photos", (channel) => {
  const other = channel === 'tg' ? 'vk' : 'tg';
  const otherName = other === 'tg' ? 'Telegram' : 'VK';

  async function linkedModerator(): Promise<Chat> {
    await db.db.deleteFrom('staff_identity').where('staff_id', '=', staff.moderator).execute();
    const chat = newChat(harness, channel, 'Модератор');
    const { code } = await createLinkCode(db.db, { actorStaffId: await operatorId(db.db), staffId: staff.moderator }, now);
    await chat.say(`/start ${staffStartPayload(code)}`);
    return chat;
  }
  async function filedWithPhotos(from: Chat['channel']): Promise<number> {
    const residentId = await registeredResident(db.db, { municipalityId: db.demo.municipalities.Kemerovo, now });
    const photos = [{ fileId: `${from}-abuse-1`, fileUniqueId: `${from}-a1` }];
    const input = { residentId, categoryId: await categoryId(db.db, 'roads.pothole'), text: 'Смотрите фото', point: KEMEROVO_CENTER, address: 'ул. Весенняя, 5', channel: from, photos };
    return (await fileMessage(db.db, input, now)).message.id;
  }

  it('shows the photos, the address and the place, so a moderator can judge the message from the card', async () => {
    const moderator = await linkedModerator();
    const messageId = await filedWithPhotos(channel);
    await moderator.deliverOutbox();
    const card = moderator.replyTexts.find((text) => text.includes(`№${messageId}`))!;
    expect(card).toContain('ул. Весенняя, 5');
    expect(card).not.toContain('{{');
    // Telegram sends the place as a message of its own; VK attaches it to the card's text.
    expect(moderator.replyKinds()).toEqual(expect.arrayContaining(channel === 'tg' ? ['photo', 'location'] : ['photo']));
  });

  it('photos sent through the other messenger: the card says so, and their copies follow it', async () => {
    const moderator = await linkedModerator();
    const messageId = await filedWithPhotos(other);
    await moderator.deliverOutbox();
    const card = moderator.replyTexts.find((text) => text.includes(`№${messageId}`))!;
    expect(card).toContain(`Фото к сообщению: 1 — присланы через ${otherName}, их перенос сюда ещё идёт`);
    const media = await db.db
      .insertInto('media')
      .values({
        municipality_id: db.demo.municipalities.Kemerovo,
        kind: 'image',
        mime: 'image/jpeg',
        size_bytes: 3,
        sha256: `${channel}-abuse`.padEnd(64, '0'),
        created_by_staff_id: null,
        origin: other,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const photo = await db.db.selectFrom('message_photo').select('id').where('message_id', '=', messageId).executeTakeFirstOrThrow();
    expect(await recordCopies(db.db, messageId, [{ photoId: photo.id, mediaId: media.id }])).toBe(1);
  });
});
