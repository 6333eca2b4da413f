import { sql } from 'kysely';
import type { Actor } from '../actor.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { enqueue, PRIORITY } from '../outbox/outbox.repository.ts';
import { lockMessage, recordEvent, updateMessage, type Message } from '../messages/message.repository.ts';
import { publicPageUrl } from './url.ts';
import { sourceCommentOutboxKey } from '../messages/answers.service.ts';
import type { SourceRef } from './incident.table.ts';

/** The outbox kind of a comment under a post of the community's wall (VK wall.createComment). */
export const WALL_COMMENT_KIND = 'wall.comment';

/** What a wall.comment outbox row carries in its payload params. */
export interface WallCommentParams {
  ownerId: number;
  postId: number;
  /** Answer a comment (wall_reply_new) in its thread. */
  replyToComment?: number;
  text: string;
  /** The answer this comment publishes. */
  answerId: number;
}

/**
 * Queues an approved answer as a comment under the source post: one outbox row per answer (its
 * dedupe key), sent once by the VK sender with a guid, so neither a retried approval nor a sender
 * crash between the call and its settling posts it twice. Returns whether a row was queued now.
 */
export async function queueSourceComment(db: Db, message: Message, answer: { id: number; text: string }): Promise<boolean> {
  const incident = await db.selectFrom('incident').select(['source_ref']).where('message_id', '=', message.id).executeTakeFirst();
  const ref: SourceRef = incident?.source_ref ?? {};
  if (ref.ownerId === undefined || ref.postId === undefined) throw new DomainError('REPLY_NOT_BY_HAND', { messageId: message.id, problem: 'no source post to comment on' });
  const params: WallCommentParams = { ownerId: ref.ownerId, postId: ref.postId, ...(ref.commentId !== undefined && { replyToComment: ref.commentId }), text: answer.text, answerId: answer.id };
  const ids = await enqueue(db, [
    {
      channel: 'vk',
      chatId: `wall${ref.ownerId}_${ref.postId}`,
      recipientKind: 'chat',
      kind: WALL_COMMENT_KIND,
      payload: { key: WALL_COMMENT_KIND, params: { ...params } },
      priority: PRIORITY.notification,
      dedupeKey: sourceCommentOutboxKey(answer.id),
    },
  ]);
  return ids.length > 0;
}

/**
 * An official published the approved answer by hand under the source post (a page the app cannot
 * post to) and records its URL: the pending approved answers are marked delivered, once.
 */
export async function recordPublishedReply(db: Db, input: { messageId: number; url: string; actor: Actor }, now: Date): Promise<Message> {
  return inTransaction(db, async (trx) => {
    const url = publicPageUrl(input.url, 'url');
    const message = await lockMessage(trx, input.messageId);
    if (message.answerTarget !== 'by_hand') throw new DomainError('REPLY_NOT_BY_HAND', { messageId: message.id, answerTarget: message.answerTarget });
    const answers = await trx
      .updateTable('answer')
      .set({ state: 'delivered', delivered_at: now, updated_at: now, version: sql`version + 1` })
      .where('message_id', '=', message.id)
      .where('state', '=', 'approved')
      .returning('id')
      .execute();
    if (answers.length === 0) throw new DomainError('ANSWER_NOT_PENDING', { messageId: message.id, problem: 'no approved answer waits for publication' });
    const updated = await updateMessage(trx, message, { published_reply_url: url, published_reply_at: now }, now);
    await recordEvent(trx, message.id, input.actor, { kind: 'reply_published', data: { url, answerIds: answers.map((a) => a.id) } }, now);
    return updated;
  });
}
