import { decodeReopenAction, REOPEN_TAG } from '../../../core/alerts/buttons.ts';
import { messageInScope } from '../../../core/access/scope.ts';
import type { Db } from '../../../core/db/types.ts';
import { DomainError } from '../../../core/errors.ts';
import { transition } from '../../../core/messages/lifecycle.ts';
import { getMessage } from '../../../core/messages/message.repository.ts';
import type { ActionHandler } from '../../dialogs/feature.ts';
import { goto, stay, type StepContext } from '../../dialogs/flow.ts';
import { linkedOfficial } from '../../dialogs/staff.ts';

/** Who may reopen from a low-rating alert: curators of the message's municipality (regional ones too) and operators, as in the API. */
export async function authorizeReopen(db: Db, staffId: number, messageId: number): Promise<void> {
  const staff = await db.selectFrom('staff').select(['role', 'municipality_id', 'active']).where('id', '=', staffId).executeTakeFirst();
  if (!staff?.active) throw new DomainError('FORBIDDEN', { reason: 'not active staff' });
  if (staff.role === 'executor') throw new DomainError('MESSAGE_NOT_FOUND', { id: messageId });
  await messageInScope(db, { municipalityId: staff.role === 'operator' ? null : staff.municipality_id, executorId: null }, messageId);
  if (staff.role !== 'operator' && staff.role !== 'curator') throw new DomainError('FORBIDDEN', { reason: 'may not reopen', messageId });
}

/** «Вернуть в работу» on a low-rating or complaint alert: checked now, then the reason is asked for. */
async function run(c: StepContext, action: { messageId: number }) {
  const staff = await linkedOfficial(c);
  if (!staff) return stay({ say: [{ key: 'official.not_linked' }] });
  await authorizeReopen(c.db, staff.staffId, action.messageId);
  const message = await getMessage(c.db, action.messageId);
  transition(message.status, 'reopen');
  return goto('reopen_reason', { flow: 'official', data: { messageId: message.id } });
}

export const reopenAction: ActionHandler<{ messageId: number }> = { tag: REOPEN_TAG, asStaff: true, decode: decodeReopenAction, run };
