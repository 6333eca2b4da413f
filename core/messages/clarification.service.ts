import { isBlankText } from '../text/unsafe-text.ts';
import type { Transaction } from 'kysely';
import { alertAuthorComment, alertClarificationPhotos, alertClarificationPlace } from '../alerts/author-comments.ts';
import type { Database } from '../db/database.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Channel, Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import type { Point } from '../geo/geo.ts';
import { requireLiveConsent } from '../residents/consent.service.ts';
import { findAwaitingClarification } from './clarification.queries.ts';
import { MAX_PHOTOS, type PhotoRef } from './filing.service.ts';
import { transition } from './lifecycle.ts';
import { lockMessage, recordEvent } from './message.repository.ts';
import { validText } from './text.ts';

/**
 * The author's reply to a clarification request may bring photos and a place, not only words
 * (an official asking "which entrance?" is often best answered with a photo or a point):
 * - the photos join the message's own: the reply to each request (its first part and what joins
 *   it, photoRoom) brings up to MAX_PHOTOS of its own, the ones filed not counted (an official
 *   asking for a photo of a message filed with five gets it), and the message holds at most
 *   PHOTOS_IN_ALL; the executor's and the moderator's cards, the API and the media copier see them as
 *   the message's photos, each marked with the reply that brought it (`message_photo.comment_id`);
 *   the ones past either limit are not taken and counted in the answer, so the bot can say so;
 * - the place is kept with the reply (`comment.lat/lon`) and shown to the officials as a point and
 *   coordinates with a map link; the message's geotag is not moved (only filing sets it);
 * - the reply is a comment like a text reply (so the request counts as answered, KPI 8 counts it,
 *   the Reply button answers it), recorded in the message's history with its photos and place, and
 *   the executor's staff (the moderators while nobody is assigned) are alerted with them.
 */
export interface ClarificationReplyInput {
  residentId: number;
  messageId: number;
  /** The messenger the photos came through (their file ids are that messenger's). */
  channel: Channel;
  /** The reply's words; may be missing when it brings photos or a place. */
  text?: string | null;
  photos?: PhotoRef[];
  place?: Point | null;
  /**
   * The resident's reply this one continues: words sent with a photo or a place right after it (a
   * captioned photo, a VK message with a text), when the request counts as answered already. Its
   * message must still be in work; no request needs to wait.
   */
  continues?: number;
}

export interface ClarificationReply {
  messageId: number;
  /** The reply stored; null when it was photos alone and none fitted (nothing stored, the request still waits). */
  commentId: number | null;
  /** Photos added to the message. */
  photosTaken: number;
  /** Photos not added: the reply to this request had its MAX_PHOTOS already, or the message its PHOTOS_IN_ALL. */
  photosNotTaken: number;
}

function validPlace(place: Point): Point {
  const { lat, lon } = place;
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) throw new DomainError('VALIDATION', { field: 'place', problem: 'coordinates out of range' });
  return { lat, lon };
}

/** A download URL worth keeping (as filing keeps it): http(s) and of a sane length. */
function sourceUrl(url: string | null | undefined): string | null {
  if (!url || url.length > 2048 || !/^https?:\/\//i.test(url)) return null;
  return url;
}

interface PhotoRoom {
  /** The photos that fit, in order (a photo the message has already, the same file sent again, skipped). */
  kept: PhotoRef[];
  notTaken: number;
  nextPosition: number;
}

/**
 * Photos a message holds in all, the filed ones and those of every clarification reply: what one
 * album on the officials' cards shows (Telegram and VK send up to ten at once).
 */
export const PHOTOS_IN_ALL = 10;

/**
 * Which of `photos` the locked message takes: up to MAX_PHOTOS brought by the replies to one
 * clarification request (those stored since it was approved and before the next one was: the reply
 * and what joined it), and up to PHOTOS_IN_ALL on the message. `replyAt`: when the reply the photos
 * join was stored (its request is the newest approved by then: an album's later photos keep
 * counting against it when the official asked again meanwhile); a new reply's, the newest request.
 */
async function photoRoom(trx: Transaction<Database>, messageId: number, photos: PhotoRef[], replyAt?: Date): Promise<PhotoRoom> {
  if (photos.length === 0) return { kept: [], notTaken: 0, nextPosition: 0 };
  const requests = (
    await trx.selectFrom('answer').select('approved_at').where('message_id', '=', messageId).where('kind', '=', 'clarification').where('approved_at', 'is not', null).orderBy('approved_at').execute()
  ).map((r) => r.approved_at!);
  const existing = await trx
    .selectFrom('message_photo')
    .leftJoin('comment', 'comment.id', 'message_photo.comment_id')
    .select(['message_photo.file_id', 'message_photo.file_unique_id', 'message_photo.position', 'comment.created_at as repliedAt'])
    .where('message_photo.message_id', '=', messageId)
    .execute();
  const askedAt = (replyAt ? requests.filter((at) => at <= replyAt) : requests).at(-1) ?? null;
  const nextAskedAt = replyAt ? (requests.find((at) => at > replyAt) ?? null) : null;
  const thisRequest = existing.filter((p) => p.repliedAt !== null && (askedAt === null || p.repliedAt >= askedAt) && (nextAskedAt === null || p.repliedAt < nextAskedAt)).length;
  const seen = new Set(existing.flatMap((p) => [p.file_unique_id, p.file_id].filter((v): v is string => v !== null)));
  const fresh: PhotoRef[] = [];
  for (const photo of photos) {
    const key = photo.fileUniqueId ?? photo.fileId;
    if (seen.has(key)) continue;
    seen.add(key);
    fresh.push(photo);
  }
  const kept = fresh.slice(0, Math.max(0, Math.min(MAX_PHOTOS - thisRequest, PHOTOS_IN_ALL - existing.length)));
  return { kept, notTaken: fresh.length - kept.length, nextPosition: existing.reduce((max, p) => Math.max(max, p.position + 1), 0) };
}

/** Adds the photos that fit to the message as the reply `commentId` brought them; returns the rows, in order. */
async function addPhotos(trx: Transaction<Database>, messageId: number, commentId: number, channel: Channel, room: PhotoRoom, now: Date): Promise<{ id: number; fileId: string }[]> {
  if (room.kept.length === 0) return [];
  const rows = await trx
    .insertInto('message_photo')
    .values(
      room.kept.map((p, i) => ({
        message_id: messageId,
        channel,
        file_id: p.fileId,
        file_unique_id: p.fileUniqueId ?? null,
        position: room.nextPosition + i,
        source_url: sourceUrl(p.url),
        // Copied into the media store after this commits, as filed photos are (bots/media/filing-photos.ts).
        copy_due_at: now,
        comment_id: commentId,
      })),
    )
    .returning(['id', 'file_id', 'position'])
    .execute();
  rows.sort((a, b) => a.position - b.position);
  return rows.map((r) => ({ id: r.id, fileId: r.file_id! }));
}

/**
 * The author answers the clarification request awaited on their message in work with words,
 * photos and/or a place (see above). Nothing is written unless all of it is valid; a message no
 * request waits on is CLARIFICATION_NOT_AWAITED.
 */
export function replyToClarification(db: Db, input: ClarificationReplyInput, now: Date): Promise<ClarificationReply> {
  return inTransaction(db, async (trx) => {
    const photos = input.photos ?? [];
    const place = input.place ? validPlace(input.place) : null;
    const text = input.text && !isBlankText(input.text) ? validText(input.text) : '';
    if (text === '' && photos.length === 0 && !place) throw new DomainError('TEXT_EMPTY', { field: 'text' });
    await requireLiveConsent(trx, input.residentId);
    // Locked: the photos' positions and the limit are counted under it.
    const message = await lockMessage(trx, input.messageId);
    if (message.authorId !== input.residentId) throw new DomainError('MESSAGE_NOT_FOUND', { id: message.id });
    transition(message.status, 'comment');
    if (input.continues !== undefined) {
      const prior = await trx.selectFrom('comment').select(['message_id', 'resident_id']).where('id', '=', input.continues).executeTakeFirst();
      if (!prior || prior.resident_id !== input.residentId || prior.message_id !== message.id) throw new DomainError('COMMENT_NOT_FOUND', { id: input.continues });
      if (message.status !== 'in_work') throw new DomainError('CLARIFICATION_NOT_AWAITED', { messageId: message.id });
    } else if ((await findAwaitingClarification(trx, input.residentId)) !== message.id) throw new DomainError('CLARIFICATION_NOT_AWAITED', { messageId: message.id });
    const room = await photoRoom(trx, message.id, photos);
    // Photos alone, none of which fit: no reply is stored, the request still waits (for words).
    if (text === '' && !place && room.kept.length === 0) return { messageId: message.id, commentId: null, photosTaken: 0, photosNotTaken: room.notTaken };
    const comment = await trx
      .insertInto('comment')
      .values({
        message_id: message.id,
        author_kind: 'resident',
        resident_id: input.residentId,
        text,
        created_at: now,
        photos: room.kept.length,
        lat: place?.lat ?? null,
        lon: place?.lon ?? null,
      })
      .returning(['id'])
      .executeTakeFirstOrThrow();
    const added = await addPhotos(trx, message.id, comment.id, input.channel, room, now);
    await recordEvent(
      trx,
      message.id,
      { kind: 'resident', residentId: input.residentId },
      { kind: 'comment', data: { commentId: comment.id, clarification: true, photos: added.length, ...(place && { place }) } },
      now,
    );
    await alertAuthorComment(trx, message, { id: comment.id, text, photos: { channel: input.channel, fileIds: added.map((p) => p.fileId) }, place }, now);
    return { messageId: message.id, commentId: comment.id, photosTaken: added.length, photosNotTaken: room.notTaken };
  });
}

/**
 * More photos of a clarification reply already stored (the next photos of a Telegram album, which
 * come one update each, or of a VK message): added to the message within its limit, recorded in
 * its history, and sent to the officials the reply alerted. The reply must be the resident's own
 * on their message still open for comments.
 */
export function addClarificationPhotos(db: Db, input: { residentId: number; commentId: number; channel: Channel; photos: PhotoRef[] }, now: Date): Promise<ClarificationReply> {
  return inTransaction(db, async (trx) => {
    await requireLiveConsent(trx, input.residentId);
    const comment = await trx.selectFrom('comment').select(['id', 'message_id', 'resident_id', 'created_at']).where('id', '=', input.commentId).executeTakeFirst();
    if (!comment || comment.resident_id !== input.residentId) throw new DomainError('COMMENT_NOT_FOUND', { id: input.commentId });
    const message = await lockMessage(trx, comment.message_id);
    if (message.authorId !== input.residentId) throw new DomainError('COMMENT_NOT_FOUND', { id: input.commentId });
    transition(message.status, 'comment');
    const room = await photoRoom(trx, message.id, input.photos, comment.created_at);
    const added = await addPhotos(trx, message.id, comment.id, input.channel, room, now);
    if (added.length > 0) {
      await trx
        .updateTable('comment')
        .set((eb) => ({ photos: eb('photos', '+', added.length) }))
        .where('id', '=', comment.id)
        .execute();
      await recordEvent(trx, message.id, { kind: 'resident', residentId: input.residentId }, { kind: 'clarification_photos', data: { commentId: comment.id, photos: added.length } }, now);
      await alertClarificationPhotos(trx, message, { id: comment.id, photoIds: added.map((p) => p.id), channel: input.channel, fileIds: added.map((p) => p.fileId) }, now);
    }
    return { messageId: message.id, commentId: comment.id, photosTaken: added.length, photosNotTaken: room.notTaken };
  });
}

/**
 * A place given to a clarification reply already stored (a point sent right after the reply's words
 * or photos): kept with the reply (`comment.lat/lon`; a place it had is replaced, the newest point
 * being the author's correction; the message's geotag is not moved), recorded in the history
 * (`clarification_place`) and sent to the officials the reply alerted. The reply must be the
 * resident's own on their message still open for comments; the same point again changes nothing.
 */
export function addClarificationPlace(db: Db, input: { residentId: number; commentId: number; place: Point }, now: Date): Promise<{ messageId: number; added: boolean }> {
  return inTransaction(db, async (trx) => {
    const place = validPlace(input.place);
    await requireLiveConsent(trx, input.residentId);
    const comment = await trx.selectFrom('comment').select(['id', 'message_id', 'resident_id', 'created_at']).where('id', '=', input.commentId).executeTakeFirst();
    if (!comment || comment.resident_id !== input.residentId) throw new DomainError('COMMENT_NOT_FOUND', { id: input.commentId });
    const message = await lockMessage(trx, comment.message_id);
    if (message.authorId !== input.residentId) throw new DomainError('COMMENT_NOT_FOUND', { id: input.commentId });
    transition(message.status, 'comment');
    const changed = await trx
      .updateTable('comment')
      .set({ lat: place.lat, lon: place.lon })
      .where('id', '=', comment.id)
      .where((eb) => eb.or([eb('lat', 'is', null), eb('lon', 'is', null), eb('lat', '!=', place.lat), eb('lon', '!=', place.lon)]))
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 0) return { messageId: message.id, added: false };
    await recordEvent(trx, message.id, { kind: 'resident', residentId: input.residentId }, { kind: 'clarification_place', data: { commentId: comment.id, place } }, now);
    await alertClarificationPlace(trx, message, { id: comment.id, place }, now);
    return { messageId: message.id, added: true };
  });
}
