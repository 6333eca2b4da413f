import { findAwaitingClarification } from '../../../core/messages/clarification.queries.ts';
import { addResidentComment } from '../../../core/messages/feedback.service.ts';
import type { StepContext, StepInput } from '../../dialogs/flow.ts';
import { ATTACHMENTS_NOT_TAKEN } from '../../dialogs/input.ts';
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

/**
 * A photo or a place sent between flows while a clarification request waits for its reply: the
 * reply is a text (a comment), so the resident is told so rather than filing a new message with it.
 * A photo's caption (the text of a VK message with the photo) is the reply, and the photo is said not taken.
 */
export async function clarificationAttachment(c: StepContext, input: Extract<StepInput, { kind: 'photo' | 'location' }>): Promise<View[] | undefined> {
  const messageId = await findAwaitingClarification(c.db, c.resident.id);
  if (messageId === null) return undefined;
  if (input.kind === 'photo' && input.caption?.trim()) {
    const answered = await answerClarification(c, input.caption);
    if (answered) return [...answered, { key: ATTACHMENTS_NOT_TAKEN }];
  }
  return [{ key: input.kind === 'photo' ? 'my.clarification_photo' : 'my.clarification_place', params: { messageId } }];
}
