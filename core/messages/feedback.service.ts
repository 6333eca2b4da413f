import type { Selectable } from 'kysely';
import type { Actor } from '../actor.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/types.ts';
import { alertAuthorComment } from '../alerts/author-comments.ts';
import { reopenKeyboard } from '../alerts/buttons.ts';
import { audienceOf, raiseToAudience } from '../alerts/fallback.ts';
import { DomainError } from '../errors.ts';
import { notifyResident } from '../notifications/notify.ts';
import { requireLiveConsent } from '../residents/consent.service.ts';
import { OPEN_STATUSES, transition } from './lifecycle.ts';
import { getMessage, lockMessage, recordEvent } from './message.repository.ts';
import type { CommentTable } from './message.table.ts';
import { validText } from './text.ts';

export interface Comment {
  id: number;
  messageId: number;
  authorKind: 'resident' | 'staff';
  residentId: number | null;
  staffId: number | null;
  text: string;
  replyToId: number | null;
  createdAt: Date;
  /** Photos the comment added to the message (a clarification reply's; its text may then be empty). */
  photos: number;
  /** The place a clarification reply gave (the message's own point is unchanged). */
  place: { lat: number; lon: number } | null;
}

function toComment(r: Selectable<CommentTable>): Comment {
  return {
    id: r.id,
    messageId: r.message_id,
    authorKind: r.author_kind,
    residentId: r.resident_id,
    staffId: r.staff_id,
    text: r.text,
    replyToId: r.reply_to_id,
    createdAt: r.created_at,
    photos: r.photos,
    place: r.lat !== null && r.lon !== null ? { lat: r.lat, lon: r.lon } : null,
  };
}

export async function listComments(db: Db, messageId: number): Promise<Comment[]> {
  const rows = await db.selectFrom('comment').selectAll().where('message_id', '=', messageId).orderBy('id').execute();
  return rows.map(toComment);
}

/**
 * A resident comments on their own message (to clarify or judge the solution) or on a published
 * one. A comment after a clarification request is the resident's reply to it.
 */
export function addResidentComment(db: Db, input: { residentId: number; messageId: number; text: string }, now: Date): Promise<Comment> {
  return inTransaction(db, async (trx) => {
    const text = validText(input.text);
    await requireLiveConsent(trx, input.residentId);
    const message = await getMessage(trx, input.messageId);
    // Another resident's unpublished message is answered as a missing one: ids cannot be probed.
    if (message.authorId !== input.residentId && !message.published) throw new DomainError('MESSAGE_NOT_FOUND', { id: message.id });
    transition(message.status, 'comment');
    const row = await trx
      .insertInto('comment')
      .values({ message_id: message.id, author_kind: 'resident', resident_id: input.residentId, text, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, message.id, { kind: 'resident', residentId: input.residentId }, { kind: 'comment', data: { commentId: row.id } }, now);
    // The author's comment waits for an answer: the executor is alerted (issue 18 item 10).
    if (message.authorId === input.residentId) await alertAuthorComment(trx, message, { id: row.id, text: row.text }, now);
    return toComment(row);
  });
}

/** An official answers a resident's comment; the resident is notified. */
export function addStaffComment(db: Db, input: { staffId: number; messageId: number; text: string; replyToId?: number }, now: Date): Promise<Comment> {
  return inTransaction(db, async (trx) => {
    const text = validText(input.text);
    const message = await getMessage(trx, input.messageId);
    let notifyResidentId = message.authorId;
    if (input.replyToId !== undefined) {
      const parent = await trx.selectFrom('comment').select(['id', 'message_id', 'resident_id']).where('id', '=', input.replyToId).executeTakeFirst();
      if (!parent || parent.message_id !== message.id) throw new DomainError('COMMENT_NOT_FOUND', { id: input.replyToId });
      notifyResidentId = parent.resident_id ?? notifyResidentId;
    }
    const row = await trx
      .insertInto('comment')
      .values({ message_id: message.id, author_kind: 'staff', staff_id: input.staffId, text, reply_to_id: input.replyToId ?? null, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, message.id, { kind: 'staff', staffId: input.staffId }, { kind: 'official_comment', data: { commentId: row.id, replyToId: input.replyToId ?? null } }, now);
    if (notifyResidentId) {
      await notifyResident(trx, notifyResidentId, 'notify.comment_reply', { messageId: message.id, text }, { kind: 'comment.reply', dedupeKey: `comment:${row.id}` });
    }
    return toComment(row);
  });
}

export interface Rating {
  messageId: number;
  stars: number;
  complaint: string | null;
  flagged: boolean;
  createdAt: Date;
}

export async function getRating(db: Db, messageId: number): Promise<Rating | null> {
  const row = await db.selectFrom('rating').selectAll().where('message_id', '=', messageId).executeTakeFirst();
  return row ? { messageId: row.message_id, stars: row.stars, complaint: row.complaint, flagged: row.flagged, createdAt: row.created_at } : null;
}

/**
 * The author rates their own closed message once; 1 or 2 stars flag it to the curators (the regional
 * ones, naming the municipality, when none of its own is reachable in a messenger: audienceOf).
 */
export function rateMessage(db: Db, input: { residentId: number; messageId: number; stars: number }, now: Date): Promise<Rating> {
  return inTransaction(db, async (trx) => {
    if (!Number.isInteger(input.stars) || input.stars < 1 || input.stars > 5) throw new DomainError('VALIDATION', { field: 'stars', problem: '1 to 5' });
    const message = await lockMessage(trx, input.messageId);
    if (message.authorId !== input.residentId) throw new DomainError('MESSAGE_NOT_FOUND', { id: message.id });
    transition(message.status, 'rate');
    const flagged = input.stars <= 2;
    const inserted = await trx
      .insertInto('rating')
      .values({ message_id: message.id, resident_id: input.residentId, stars: input.stars, flagged, created_at: now })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .returning('message_id')
      .executeTakeFirst();
    if (!inserted) throw new DomainError('ALREADY_RATED', { messageId: message.id });
    const actor: Actor = { kind: 'resident', residentId: input.residentId };
    await recordEvent(trx, message.id, actor, { kind: 'rated', data: { stars: input.stars, flagged } }, now);
    if (flagged) {
      // An alert like the others: listed in GET /alerts even for a curator with no messenger linked.
      await raiseToAudience(
        trx,
        await audienceOf(trx, message.municipalityId),
        {
          kind: 'alert.low_rating',
          key: 'alert.low_rating',
          params: { messageId: message.id, stars: input.stars },
          messageId: message.id,
          dedupeKey: `low_rating:${message.id}:${now.getTime()}`,
          delivery: { keyboard: reopenKeyboard(message.id) },
        },
        now,
      );
    }
    return (await getRating(trx, message.id))!;
  });
}

/** What is wrong, after a low rating: stored with the rating and sent to the curators (an alert, like the low rating itself). */
export function addRatingComplaint(db: Db, input: { residentId: number; messageId: number; text: string }, now: Date): Promise<Rating> {
  return inTransaction(db, async (trx) => {
    const text = validText(input.text);
    const message = await getMessage(trx, input.messageId);
    if (message.authorId !== input.residentId) throw new DomainError('MESSAGE_NOT_FOUND', { id: message.id });
    const rating = await getRating(trx, input.messageId);
    if (!rating) throw new DomainError('ILLEGAL_TRANSITION', { messageId: message.id, action: 'complain without a rating' });
    await trx.updateTable('rating').set({ complaint: text }).where('message_id', '=', input.messageId).execute();
    await recordEvent(trx, input.messageId, { kind: 'resident', residentId: input.residentId }, { kind: 'rating_complaint', reason: text }, now);
    await raiseToAudience(
      trx,
      await audienceOf(trx, message.municipalityId),
      {
        kind: 'alert.rating_complaint',
        key: 'alert.rating_complaint',
        params: { messageId: message.id, stars: rating.stars, text },
        messageId: message.id,
        dedupeKey: `rating_complaint:${message.id}:${now.getTime()}`,
        delivery: { keyboard: reopenKeyboard(message.id) },
      },
      now,
    );
    return (await getRating(trx, input.messageId))!;
  });
}

/** "Me too": once per resident per open published message; not one's own. Idempotent. */
export function supportMessage(db: Db, input: { residentId: number; messageId: number }, now: Date): Promise<{ added: boolean; supporters: number }> {
  return inTransaction(db, async (trx) => {
    await requireLiveConsent(trx, input.residentId);
    const message = await getMessage(trx, input.messageId);
    if (message.authorId === input.residentId) throw new DomainError('VALIDATION', { problem: 'own message' });
    // An unpublished message of someone else is answered as a missing one: ids cannot be probed.
    if (!message.published) throw new DomainError('MESSAGE_NOT_FOUND', { id: message.id });
    if (!OPEN_STATUSES.includes(message.status)) throw new DomainError('MESSAGE_ALREADY_CLOSED', { messageId: message.id });
    const inserted = await trx
      .insertInto('support')
      .values({ message_id: message.id, resident_id: input.residentId, created_at: now })
      .onConflict((oc) => oc.columns(['message_id', 'resident_id']).doNothing())
      .returning('message_id')
      .executeTakeFirst();
    if (inserted) await recordEvent(trx, message.id, { kind: 'resident', residentId: input.residentId }, { kind: 'supported' }, now);
    return { added: inserted !== undefined, supporters: await countSupporters(trx, message.id) };
  });
}

export async function countSupporters(db: Db, messageId: number): Promise<number> {
  const row = await db.selectFrom('support').select((eb) => eb.fn.countAll<number>().as('n')).where('message_id', '=', messageId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Notifies followers (supporters) of a message; used when it closes. */
export async function supporterIds(db: Db, messageId: number): Promise<number[]> {
  const rows = await db.selectFrom('support').select('resident_id').where('message_id', '=', messageId).execute();
  return rows.map((r) => r.resident_id);
}
