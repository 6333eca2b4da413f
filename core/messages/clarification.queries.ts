import type { Db } from '../db/types.ts';

/**
 * The resident's message in work on which an official asked for a clarification (an approved
 * clarification request) that the resident has not answered yet with a comment; the newest
 * request wins. The bots attach the resident's next free text to it.
 */
export async function findAwaitingClarification(db: Db, residentId: number): Promise<number | null> {
  const row = await db
    .selectFrom('answer')
    .innerJoin('message', 'message.id', 'answer.message_id')
    .select(['message.id as messageId'])
    .where('message.author_id', '=', residentId)
    .where('message.status', '=', 'in_work')
    .where('answer.kind', '=', 'clarification')
    .where('answer.state', 'in', ['approved', 'delivered'])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('comment')
            .select('comment.id')
            .whereRef('comment.message_id', '=', 'message.id')
            .where('comment.resident_id', '=', residentId)
            .whereRef('comment.created_at', '>=', 'answer.approved_at'),
        ),
      ),
    )
    .orderBy('answer.approved_at', 'desc')
    .orderBy('answer.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.messageId ?? null;
}

/**
 * The message of the resident's clarification reply `commentId` while more of that reply may still
 * come (photos sent one by one after it): the reply is theirs, on their own message, and the
 * message is still in work; null otherwise (then a photo is no part of it).
 */
export async function openClarificationReply(db: Db, residentId: number, commentId: number): Promise<number | null> {
  const row = await db
    .selectFrom('comment')
    .innerJoin('message', 'message.id', 'comment.message_id')
    .select('message.id as messageId')
    .where('comment.id', '=', commentId)
    .where('comment.resident_id', '=', residentId)
    .where('message.author_id', '=', residentId)
    .where('message.status', '=', 'in_work')
    .executeTakeFirst();
  return row?.messageId ?? null;
}
