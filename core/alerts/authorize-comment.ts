import { seesMessage } from '../access/scope.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';

/**
 * May this official reply to this comment from an alert? The executor's staff of the message, its
 * municipality's moderators and curators, and operators; anything they cannot see is
 * COMMENT_NOT_FOUND (ids cannot be probed), a responsible official is FORBIDDEN.
 */
export async function authorizeCommentReply(db: Db, staffId: number, commentId: number): Promise<{ messageId: number }> {
  const staff = await db.selectFrom('staff').select(['role', 'municipality_id', 'executor_id', 'active']).where('id', '=', staffId).executeTakeFirst();
  if (!staff?.active) throw new DomainError('FORBIDDEN', { reason: 'not active staff' });
  const row = await db
    .selectFrom('comment')
    .innerJoin('message', 'message.id', 'comment.message_id')
    .select(['comment.message_id', 'message.municipality_id', 'message.executor_id'])
    .where('comment.id', '=', commentId)
    .where('comment.author_kind', '=', 'resident')
    .executeTakeFirst();
  const scope = { municipalityId: staff.role === 'operator' ? null : staff.municipality_id, executorId: staff.role === 'executor' ? staff.executor_id : null };
  if (!row || !seesMessage(scope, { municipalityId: row.municipality_id, executorId: row.executor_id })) throw new DomainError('COMMENT_NOT_FOUND', { id: commentId });
  if (staff.role === 'responsible') throw new DomainError('FORBIDDEN', { reason: 'responsible officials only read', commentId });
  return { messageId: row.message_id };
}
