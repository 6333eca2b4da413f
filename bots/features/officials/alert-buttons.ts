import { authorizeAlertAction } from '../../../core/alerts/authorize.ts';
import { isDomainError } from '../../../core/errors.ts';
import type { AlertAction } from '../../../core/alerts/buttons.ts';
import { approveAnswer, assertAnswerPending, getAnswer, listAnswers } from '../../../core/messages/answers.service.ts';
import { transition } from '../../../core/messages/lifecycle.ts';
import { getMessage } from '../../../core/messages/message.repository.ts';
import { goto, stay, type Outcome, type StepContext } from '../../dialogs/flow.ts';
import { linkedOfficial } from '../../dialogs/staff.ts';
import { local, type View } from '../../dialogs/view.ts';
import { auditBotAction } from './audit.ts';

export const kindText = (kind: string) => local(`official.kind_${kind}`);

/**
 * authorizeAlertAction for a tap (or the answer dialog's send) of an executor's answer button: a
 * message since handed to another executor is not theirs to see any more (MESSAGE_NOT_FOUND), but
 * they were told it was handed on (alert.routed_away), so their old card's buttons say that again
 * rather than "not found". Anything else is thrown as it is.
 */
export async function authorizeAnswerTap(c: StepContext, staffId: number, action: Extract<AlertAction, { action: 'answer' }>): Promise<View | undefined> {
  try {
    await authorizeAlertAction(c.db, staffId, action);
    return undefined;
  } catch (error) {
    if (!isDomainError(error) || error.code !== 'MESSAGE_NOT_FOUND') throw error;
    const told = await c.db
      .selectFrom('staff_alert')
      .select('id')
      .where('staff_id', '=', staffId)
      .where('message_id', '=', action.messageId)
      .where('kind', '=', 'alert.routed_away')
      .executeTakeFirst();
    if (!told) throw error;
    return { key: 'official.routed_away_stale', params: { messageId: action.messageId } };
  }
}

/**
 * A tap on an official's alert button (core/alerts/buttons.ts): the tapper must be linked and
 * authorised for it (a forwarded keyboard is refused), and the message or answer must still be
 * open to it — a stale tap gets the domain error's text (e.g. errors.ANSWER_NOT_PENDING) rather
 * than a half-started dialog. Answer buttons (which revise an answer of that kind the curator
 * returned, if there is one) and Return continue in the official flow; Approve
 * is done at once. Alert buttons carry no step version: they stay valid for as long as the
 * database says the action is possible.
 */
export async function alertButtonOutcome(c: StepContext, action: AlertAction): Promise<Outcome> {
  const staff = await linkedOfficial(c);
  if (!staff) return stay({ say: [{ key: 'official.not_linked' }] });
  if (action.action === 'answer') {
    const handedOn = await authorizeAnswerTap(c, staff.staffId, action);
    if (handedOn) return stay({ say: [handedOn] });
  } else await authorizeAlertAction(c.db, staff.staffId, action);
  const actor = { kind: 'staff' as const, staffId: staff.staffId };

  if (action.action === 'answer') {
    const message = await getMessage(c.db, action.messageId);
    transition(message.status, action.kind === 'final' ? 'close_solved' : action.kind);
    // An answer of this kind the curator returned is revised, not left behind for a new one.
    const returned = (await listAnswers(c.db, message.id)).filter((a) => a.state === 'returned' && a.kind === action.kind).at(-1);
    // A revision keeps the answer's photos: the ones sent now join them, within the one limit.
    const copies = new Set(returned?.photos.map((p) => p.mediaId) ?? []);
    const photosBefore = returned ? returned.photos.length + returned.mediaIds.filter((id) => !copies.has(id)).length : 0;
    const revision = returned ? { reviseId: returned.id, remark: returned.returnRemark ?? '', photosBefore } : {};
    return goto(action.kind === 'final' ? 'resolution' : 'text', { flow: 'official', data: { messageId: message.id, kind: action.kind, ...revision } });
  }
  if (action.action === 'approve') {
    const before = await getAnswer(c.db, action.answerId);
    const beforeMessage = await getMessage(c.db, before.messageId);
    const { answer, message } = await approveAnswer(c.db, { answerId: action.answerId, actor }, c.now);
    await auditBotAction(c, staff.staffId, {
      action: 'answer.approve',
      entity: 'answer',
      entityId: answer.id,
      municipalityId: message.municipalityId,
      messageId: answer.messageId,
      data: { from: beforeMessage.status, to: message.status },
    });
    // Where the answer goes: the author's chat; a comment under the source post; or an official publishes it by hand.
    const key = message.answerTarget === 'by_hand' ? 'official.approved_by_hand' : message.answerTarget === 'source_comment' ? 'official.approved_source_comment' : 'official.approved';
    return stay({ say: [{ key, params: { messageId: answer.messageId, kind: kindText(answer.kind), url: message.sourceUrl ?? '—' } }] });
  }
  const answer = await getAnswer(c.db, action.answerId);
  // Asked before the remark is typed: nobody writes a remark for an answer that is already handled.
  await assertAnswerPending(c.db, answer);
  return goto('remark', { flow: 'official', data: { answerId: answer.id, messageId: answer.messageId } });
}
