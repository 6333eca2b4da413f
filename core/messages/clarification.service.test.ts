import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';
import { categoryId, KEMEROVO_CENTER, registeredResident } from '../../test/residents.ts';
import { demoStaff, linkStaff } from '../../test/staff.ts';
import { runUnansweredCommentAlerts } from '../alerts/author-comments.ts';
import { isDomainError } from '../errors.ts';
import { approveAnswer, draftAnswer } from './answers.service.ts';
import { addClarificationPhotos, replyToClarification } from './clarification.service.ts';
import { listComments } from './feedback.service.ts';
import { fileMessage } from './filing.service.ts';
import { acceptMessage } from './moderation.service.ts';
import { LATE_PHOTOS_KIND, recordCopies } from './photo-copies.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const now = new Date('2026-11-02T03:00:00Z');

/** A Telegram resident's message with one photo, accepted and routed to the city's executor, with a clarification request approved. */
async function awaitingReply(linkExecutor?: 'vk') {
  const kemerovo = t.demo.municipalities.Kemerovo;
  const staff = await demoStaff(t.db, kemerovo);
  const vkChat = linkExecutor ? await linkStaff(t.db, staff.executor, linkExecutor) : '';
  const residentId = await registeredResident(t.db, { municipalityId: kemerovo });
  const { message } = await fileMessage(
    t.db,
    { residentId, categoryId: await categoryId(t.db, 'roads.pothole'), text: 'Яма у дома 7', point: KEMEROVO_CENTER, channel: 'tg', photos: [{ fileId: 'AgAD-f1', fileUniqueId: 'f1' }] },
    now,
  );
  await acceptMessage(t.db, { messageId: message.id, actor: { kind: 'staff', staffId: staff.moderator } }, now);
  const { answer } = await draftAnswer(t.db, { messageId: message.id, kind: 'clarification', text: 'Какой подъезд?', actor: { kind: 'staff', staffId: staff.executor } }, now);
  if (answer.state === 'draft') await approveAnswer(t.db, { answerId: answer.id, actor: { kind: 'staff', staffId: staff.curator } }, now);
  return { kemerovo, staff, residentId, messageId: message.id, vkChat };
}

const domainCode = (error: unknown) => (isDomainError(error) ? error.code : error);

describe('replyToClarification / addClarificationPhotos', () => {
  it('refuses a reply with nothing in it, and a reply where no request waits, writing nothing', async () => {
    const { residentId, messageId } = await awaitingReply();
    await expect(replyToClarification(t.db, { residentId, messageId, channel: 'tg', text: '  ' }, now).catch(domainCode)).resolves.toBe('TEXT_EMPTY');
    await expect(replyToClarification(t.db, { residentId, messageId, channel: 'tg', place: { lat: 95, lon: 10 } }, now).catch(domainCode)).resolves.toBe('VALIDATION');
    const other = await registeredResident(t.db, { municipalityId: t.demo.municipalities.Kemerovo });
    await expect(replyToClarification(t.db, { residentId: other, messageId, channel: 'tg', text: 'Я не автор' }, now).catch(domainCode)).resolves.toBe('MESSAGE_NOT_FOUND');
    expect(await t.db.selectFrom('comment').select('id').where('message_id', '=', messageId).execute()).toEqual([]);
    await replyToClarification(t.db, { residentId, messageId, channel: 'tg', text: 'Второй' }, now);
    // Answered: a second reply is not one.
    await expect(replyToClarification(t.db, { residentId, messageId, channel: 'tg', text: 'Ещё' }, now).catch(domainCode)).resolves.toBe('CLARIFICATION_NOT_AWAITED');
  });

  it('a caption that shows nothing (zero-width characters) with a photo is a reply of the photo alone; alone it is no reply', async () => {
    const { residentId, messageId } = await awaitingReply();
    await expect(replyToClarification(t.db, { residentId, messageId, channel: 'tg', text: '\u200b\u0007' }, now).catch(domainCode)).resolves.toBe('TEXT_EMPTY');
    const reply = await replyToClarification(t.db, { residentId, messageId, channel: 'tg', text: '\u200b\u0007', photos: [{ fileId: 'AgAD-z', fileUniqueId: 'z' }] }, now);
    expect(reply).toMatchObject({ photosTaken: 1 });
    expect(await t.db.selectFrom('comment').select('text').where('message_id', '=', messageId).execute()).toEqual([{ text: '' }]);
  });

  it('photos alone that do not fit store no reply: the request still waits', async () => {
    const { residentId, messageId } = await awaitingReply();
    const first = await replyToClarification(t.db, { residentId, messageId, channel: 'tg', photos: ['a', 'b', 'c', 'd'].map((id) => ({ fileId: `AgAD-${id}`, fileUniqueId: id })) }, now);
    expect(first).toMatchObject({ photosTaken: 4, photosNotTaken: 0 });
    const more = await addClarificationPhotos(
      t.db,
      {
        residentId,
        commentId: first.commentId!,
        channel: 'tg',
        photos: [
          { fileId: 'AgAD-e', fileUniqueId: 'e' },
          { fileId: 'AgAD-f1', fileUniqueId: 'f1' },
          { fileId: 'AgAD-g', fileUniqueId: 'g' },
        ],
      },
      now,
    );
    // The reply brings five of its own (the filed one not counted); the filed photo sent again is
    // skipped, not counted as over the limit.
    expect(more).toMatchObject({ photosTaken: 1, photosNotTaken: 1 });
    const { residentId: r2, messageId: m2 } = await awaitingReply();
    await replyToClarification(t.db, { residentId: r2, messageId: m2, channel: 'tg', photos: ['1', '2', '3', '4'].map((id) => ({ fileId: `AgAD-x${id}`, fileUniqueId: `x${id}` })) }, now).catch(
      domainCode,
    );
    expect(await t.db.selectFrom('comment').select('id').where('message_id', '=', m2).execute()).toHaveLength(1);
  });

  it("the reply's photos reach an executor in the other messenger once copied, after its alert; the message's card gets none of them", async () => {
    const { kemerovo, residentId, messageId, vkChat } = await awaitingReply('vk');
    const reply = await replyToClarification(t.db, { residentId, messageId, channel: 'tg', text: 'Вот подъезд', photos: [{ fileId: 'AgAD-c1', fileUniqueId: 'c1' }] }, now);
    const alert = await t.db.selectFrom('outbox').select(['id', 'payload']).where('chat_id', '=', vkChat).where('kind', '=', 'alert.author_comment').executeTakeFirstOrThrow();
    expect(alert.payload.key).toBe('alert.clarification_reply');
    expect(alert.payload.params?.photosNote).toMatchObject({ $key: 'alert.photos_following', $params: { count: 1 } });
    const photos = await t.db.selectFrom('message_photo').select(['id', 'comment_id']).where('message_id', '=', messageId).orderBy('position').execute();
    const media = async () =>
      (
        await t.db
          .insertInto('media')
          .values({ sha256: randomBytes(32).toString('hex'), mime: 'image/jpeg', kind: 'image', size_bytes: 100, municipality_id: kemerovo, created_by_staff_id: null, origin: 'tg' })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const filedCopy = await media();
    const replyCopy = await media();
    expect(
      await recordCopies(t.db, messageId, [
        { photoId: photos[0]!.id, mediaId: filedCopy },
        { photoId: photos[1]!.id, mediaId: replyCopy },
      ]),
    ).toBeGreaterThan(0);
    const late = await t.db.selectFrom('outbox').select(['id', 'payload']).where('chat_id', '=', vkChat).where('kind', '=', LATE_PHOTOS_KIND).orderBy('id').execute();
    const byMedia = late.map((row) => row.payload.media);
    // The card of the assigned message gets the filed photo; the reply's alert gets the reply's.
    expect(byMedia).toContainEqual([filedCopy]);
    expect(byMedia).toContainEqual([replyCopy]);
    expect(byMedia.flat().filter((id) => id === replyCopy)).toHaveLength(1);
    expect(photos[1]!.comment_id).toBe(reply.commentId);
    // The API's comments (the message card) show what the reply brought.
    expect(await listComments(t.db, messageId)).toMatchObject([{ id: reply.commentId, text: 'Вот подъезд', photos: 1, place: null }]);
    const placed = await awaitingReply();
    await replyToClarification(t.db, { residentId: placed.residentId, messageId: placed.messageId, channel: 'vk', place: { lat: 55.36, lon: 86.09 } }, now);
    expect(await listComments(t.db, placed.messageId)).toMatchObject([{ text: '', photos: 0, place: { lat: 55.36, lon: 86.09 } }]);
  });

  it('a reply of a place alone, unanswered for a working day, reaches the curators with its place', async () => {
    const { residentId, messageId } = await awaitingReply();
    const reply = await replyToClarification(t.db, { residentId, messageId, channel: 'vk', place: { lat: 55.3612, lon: 86.0877 } }, now);
    // Monday 2 November 10:00 in Kemerovo + a working day.
    await runUnansweredCommentAlerts(t.db, new Date('2026-11-03T04:00:00Z'));
    const alert = await t.db.selectFrom('staff_alert').select(['key', 'params']).where('dedupe_key', 'like', `author_comment_unanswered:${reply.commentId}:%`).executeTakeFirstOrThrow();
    expect(alert.key).toBe('alert.clarification_reply_unanswered');
    expect(alert.params).toMatchObject({ text: '', photos: '', place: { $key: 'alert.clarification_place', $params: { lat: '55.361200', lon: '86.087700' } } });
  });
});
