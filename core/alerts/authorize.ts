import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import type { AlertAction } from './buttons.ts';

/**
 * Checks that the official who tapped an alert button may do what it asks: answer buttons belong
 * to the staff of the executor the message is assigned to; approve / return belong to curators
 * of the message's municipality (and operators). A keyboard forwarded to, or left with, someone
 * else is refused with FORBIDDEN; a message or answer that is gone with its NOT_FOUND code.
 */
export async function authorizeAlertAction(db: Db, staffId: number, action: AlertAction): Promise<void> {
  const staff = await db.selectFrom('staff').select(['role', 'municipality_id', 'executor_id', 'active']).where('id', '=', staffId).executeTakeFirst();
  if (!staff?.active) throw new DomainError('FORBIDDEN', { reason: 'not active staff' });
  if (action.action === 'answer') {
    const message = await db.selectFrom('message').select(['executor_id']).where('id', '=', action.messageId).executeTakeFirst();
    if (!message) throw new DomainError('MESSAGE_NOT_FOUND', { id: action.messageId });
    if (staff.role === 'executor' && staff.executor_id !== null && staff.executor_id === message.executor_id) return;
    throw new DomainError('FORBIDDEN', { reason: 'not the executor of this message', messageId: action.messageId });
  }
  const answer = await db
    .selectFrom('answer')
    .innerJoin('message', 'message.id', 'answer.message_id')
    .select(['message.municipality_id'])
    .where('answer.id', '=', action.answerId)
    .executeTakeFirst();
  if (!answer) throw new DomainError('ANSWER_NOT_FOUND', { id: action.answerId });
  if (staff.role === 'operator') return;
  if (staff.role === 'curator' && staff.municipality_id === answer.municipality_id) return;
  throw new DomainError('FORBIDDEN', { reason: 'not a curator of this municipality', answerId: action.answerId });
}
