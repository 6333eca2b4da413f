import { findAwaitingClarification } from '../../../core/messages/clarification.queries.ts';
import { addResidentComment } from '../../../core/messages/feedback.service.ts';
import type { StepContext } from '../../dialogs/flow.ts';
import type { View } from '../../dialogs/view.ts';

/**
 * Free text that no step asked for answers a pending clarification request, if there is one:
 * it is attached to that message as the resident's comment. Returns the answer, or undefined.
 */
export async function answerClarification(c: StepContext, text: string): Promise<View[] | undefined> {
  const messageId = await findAwaitingClarification(c.db, c.resident.id);
  if (messageId === null) return undefined;
  await addResidentComment(c.db, { residentId: c.resident.id, messageId, text }, c.now);
  return [{ key: 'my.clarification_attached', params: { messageId } }];
}
