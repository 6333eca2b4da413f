import { seesMessage, type Scope } from '../access/scope.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import type { AlertAction } from './buttons.ts';

/**
 * Checks that the official who tapped an alert button may do what it asks: answer buttons belong
 * to the staff of the executor the message is assigned to; approve / return belong to curators
 * of the message's municipality (and operators). As in the admin API, a message or answer outside
 * what the official may see (another municipality, another executor's message) is refused with
 * its NOT_FOUND code, exactly as a missing one, so ids cannot be probed; one they can see but may
 * not act on (a keyboard forwarded to a colleague) is refused with FORBIDDEN.
 */
export async function authorizeAlertAction(db: Db, staffId: number, action: AlertAction): Promise<void> {
  const staff = await db.selectFrom('staff').select(['role', 'municipality_id', 'executor_id', 'active']).where('id', '=', staffId).executeTakeFirst();
  if (!staff?.active) throw new DomainError('FORBIDDEN', { reason: 'not active staff' });
  const scope: Scope = {
    municipalityId: staff.role === 'operator' ? null : staff.municipality_id,
    executorId: staff.role === 'executor' ? staff.executor_id : null,
  };
  if (action.action === 'answer') {
    const message = await db.selectFrom('message').select(['municipality_id', 'executor_id']).where('id', '=', action.messageId).executeTakeFirst();
    if (!message || !seesMessage(scope, { municipalityId: message.municipality_id, executorId: message.executor_id })) {
      throw new DomainError('MESSAGE_NOT_FOUND', { id: action.messageId });
    }
    if (staff.role === 'executor' && staff.executor_id !== null && staff.executor_id === message.executor_id) return;
    throw new DomainError('FORBIDDEN', { reason: 'not the executor of this message', messageId: action.messageId });
  }
  const answer = await db
    .selectFrom('answer')
    .innerJoin('message', 'message.id', 'answer.message_id')
    .select(['message.municipality_id', 'message.executor_id'])
    .where('answer.id', '=', action.answerId)
    .executeTakeFirst();
  if (!answer || !seesMessage(scope, { municipalityId: answer.municipality_id, executorId: answer.executor_id })) {
    throw new DomainError('ANSWER_NOT_FOUND', { id: action.answerId });
  }
  if (staff.role === 'operator') return;
  // A regional curator (no municipality) approves in every municipality.
  if (staff.role === 'curator' && (staff.municipality_id === null || staff.municipality_id === answer.municipality_id)) return;
  throw new DomainError('FORBIDDEN', { reason: 'not a curator of this municipality', answerId: action.answerId });
}
