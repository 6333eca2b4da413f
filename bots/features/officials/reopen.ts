import { decodeReopenAction, REOPEN_TAG } from '../../../core/alerts/buttons.ts';
import type { Db } from '../../../core/db/types.ts';
import { transition } from '../../../core/messages/lifecycle.ts';
import { getMessage } from '../../../core/messages/message.repository.ts';
import type { ActionHandler } from '../../dialogs/feature.ts';
import { goto, stay, type StepContext } from '../../dialogs/flow.ts';
import { linkedOfficial } from '../../dialogs/staff.ts';
import type { View } from '../../dialogs/view.ts';
import { authorizeOnMessage } from './moderation.ts';

/** Who may reopen from a low-rating alert: as in the API (`answers.review`: curators of the message's municipality, regional ones too, and operators). */
export function authorizeReopen(db: Db, staffId: number, messageId: number): Promise<void> {
  return authorizeOnMessage(db, staffId, messageId, 'answers.review', 'may not reopen');
}

/**
 * A low-rating alert goes to every curator of the municipality (and the regional ones when none is
 * at hand): one who presses «Вернуть в работу» after another did is told so, not given a bare state error.
 */
export async function reopenedAlready(c: StepContext, messageId: number): Promise<View | undefined> {
  const message = await getMessage(c.db, messageId);
  return message.status === 'in_work' ? { key: 'official.reopened_already', params: { messageId } } : undefined;
}

/** «Вернуть в работу» on a low-rating or complaint alert: checked now, then the reason is asked for. */
async function run(c: StepContext, action: { messageId: number }) {
  const staff = await linkedOfficial(c);
  if (!staff) return stay({ say: [{ key: 'official.not_linked' }] });
  await authorizeReopen(c.db, staff.staffId, action.messageId);
  const done = await reopenedAlready(c, action.messageId);
  if (done) return stay({ say: [done] });
  const message = await getMessage(c.db, action.messageId);
  transition(message.status, 'reopen');
  return goto('reopen_reason', { flow: 'official', data: { messageId: message.id } });
}

export const reopenAction: ActionHandler<{ messageId: number }> = { tag: REOPEN_TAG, asStaff: true, decode: decodeReopenAction, run };
