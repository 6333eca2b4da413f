import type { Selectable } from 'kysely';
import type { Actor } from '../actor.ts';
import { alertAnswerPending } from '../alerts/cards.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { getMunicipality } from '../municipalities/municipality.repository.ts';
import { notifyResident, notifyStaff, notifySupporters } from '../notifications/notify.ts';
import { transition, type MessageAction } from './lifecycle.ts';
import { lockMessage, recordEvent, updateMessage, type Message } from './message.repository.ts';
import type { AnswerKind, AnswerState, AnswerTable, Resolution } from './message.table.ts';
import { validText } from './text.ts';
import { recordFirstDraft } from '../incidents/first-response.ts';
import { queueSourceComment } from '../incidents/publish.ts';

export interface Answer {
  id: number;
  messageId: number;
  kind: AnswerKind;
  resolution: Resolution | null;
  text: string;
  state: AnswerState;
  authorStaffId: number | null;
  approvedBy: number | null;
  approvedAt: Date | null;
  returnRemark: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

export function toAnswer(row: Selectable<AnswerTable>): Answer {
  return {
    id: row.id,
    messageId: row.message_id,
    kind: row.kind,
    resolution: row.resolution,
    text: row.text,
    state: row.state,
    authorStaffId: row.author_staff_id,
    approvedBy: row.approved_by,
    approvedAt: row.approved_at,
    returnRemark: row.return_remark,
    deliveredAt: row.delivered_at,
    createdAt: row.created_at,
  };
}

function actionOf(kind: AnswerKind, resolution: Resolution | null): MessageAction {
  if (kind === 'final') return resolution === 'explained' ? 'close_explained' : 'close_solved';
  return kind;
}

const staffIdOf = (actor: Actor) => (actor.kind === 'staff' ? actor.staffId : null);

async function lockAnswer(db: Db, answerId: number): Promise<Answer> {
  const row = await db.selectFrom('answer').selectAll().where('id', '=', answerId).forUpdate().executeTakeFirst();
  if (!row) throw new DomainError('ANSWER_NOT_FOUND', { id: answerId });
  return toAnswer(row);
}

export async function listAnswers(db: Db, messageId: number): Promise<Answer[]> {
  const rows = await db.selectFrom('answer').selectAll().where('message_id', '=', messageId).orderBy('id').execute();
  return rows.map(toAnswer);
}

export async function getAnswer(db: Db, answerId: number): Promise<Answer> {
  const row = await db.selectFrom('answer').selectAll().where('id', '=', answerId).executeTakeFirst();
  if (!row) throw new DomainError('ANSWER_NOT_FOUND', { id: answerId });
  return toAnswer(row);
}

export interface DraftAnswerInput {
  messageId: number;
  kind: AnswerKind;
  resolution?: Resolution | null;
  text: string;
  actor: Actor;
}

/**
 * An executor's (or moderator's) answer. Where the municipality requires approval it waits for
 * the curator as a draft; otherwise it is approved and applied at once.
 */
export function draftAnswer(db: Db, input: DraftAnswerInput, now: Date): Promise<{ answer: Answer; message: Message }> {
  return inTransaction(db, async (trx) => {
    const text = validText(input.text);
    const resolution = input.kind === 'final' ? input.resolution ?? null : null;
    if (input.kind === 'final' && !resolution) throw new DomainError('VALIDATION', { field: 'resolution', problem: 'required for a final answer' });
    const message = await lockMessage(trx, input.messageId);
    transition(message.status, actionOf(input.kind, resolution));
    const row = await trx
      .insertInto('answer')
      .values({ message_id: message.id, kind: input.kind, resolution, text, author_staff_id: staffIdOf(input.actor), created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, message.id, input.actor, { kind: 'answer_drafted', data: { answerId: row.id, answerKind: input.kind, resolution } }, now);
    await recordFirstDraft(trx, message.id, message.municipalityId, now);
    const municipality = await getMunicipality(trx, message.municipalityId);
    // Seed 004 §13: the curator approves every answer to an open-source message, whatever the municipality's setting.
    if (!municipality.answersNeedApproval && !message.openSource) return applyApproval(trx, message, toAnswer(row), input.actor, now);
    await alertAnswerPending(trx, message, row, now);
    return { answer: toAnswer(row), message };
  });
}

/** The executor edits a returned (or still pending) draft; it goes back to the curator. */
export function reviseAnswer(db: Db, input: { answerId: number; text: string; resolution?: Resolution; actor: Actor }, now: Date): Promise<Answer> {
  return inTransaction(db, async (trx) => {
    const text = validText(input.text);
    const answer = await lockAnswer(trx, input.answerId);
    if (answer.state !== 'draft' && answer.state !== 'returned') throw new DomainError('ANSWER_NOT_PENDING', { id: answer.id, state: answer.state });
    const resolution = answer.kind === 'final' ? input.resolution ?? answer.resolution : null;
    const row = await trx
      .updateTable('answer')
      .set({ text, resolution, state: 'draft', updated_at: now })
      .where('id', '=', answer.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, answer.messageId, input.actor, { kind: 'answer_revised', data: { answerId: answer.id } }, now);
    const message = await lockMessage(trx, answer.messageId);
    await alertAnswerPending(trx, message, row, now);
    return toAnswer(row);
  });
}

/** The curator sends a draft back with a remark; the lifecycle does not move. */
export function returnAnswer(db: Db, input: { answerId: number; remark: string; actor: Actor }, now: Date): Promise<Answer> {
  return inTransaction(db, async (trx) => {
    const remark = input.remark?.trim();
    if (!remark) throw new DomainError('REASON_REQUIRED', { field: 'remark' });
    const answer = await lockAnswer(trx, input.answerId);
    if (answer.state !== 'draft') throw new DomainError('ANSWER_NOT_PENDING', { id: answer.id, state: answer.state });
    const row = await trx
      .updateTable('answer')
      .set({ state: 'returned', return_remark: remark, updated_at: now })
      .where('id', '=', answer.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, answer.messageId, input.actor, { kind: 'answer_returned', reason: remark, data: { answerId: answer.id } }, now);
    if (answer.authorStaffId) {
      await notifyStaff(trx, [answer.authorStaffId], 'alert.answer_returned', { messageId: answer.messageId, answerId: answer.id, remark }, { kind: 'alert.answer_returned' });
    }
    return toAnswer(row);
  });
}

/** The curator approves a draft: it moves the lifecycle and is queued for the author. */
export function approveAnswer(db: Db, input: { answerId: number; actor: Actor }, now: Date): Promise<{ answer: Answer; message: Message }> {
  return inTransaction(db, async (trx) => {
    const answer = await lockAnswer(trx, input.answerId);
    if (answer.state !== 'draft') throw new DomainError('ANSWER_NOT_PENDING', { id: answer.id, state: answer.state });
    const message = await lockMessage(trx, answer.messageId);
    return applyApproval(trx, message, answer, input.actor, now);
  });
}

async function applyApproval(trx: Db, message: Message, answer: Answer, actor: Actor, now: Date): Promise<{ answer: Answer; message: Message }> {
  const action = actionOf(answer.kind, answer.resolution);
  const to = transition(message.status, action);
  const patch =
    answer.kind === 'final'
      ? { status: to, closed_at: now }
      : answer.kind === 'intermediate' && !message.firstIntermediateAt
        ? { first_intermediate_at: now }
        : {};
  const updated = await updateMessage(trx, message, patch, now);
  await recordEvent(trx, message.id, actor, {
    kind: answer.kind === 'final' ? 'closed' : answer.kind === 'intermediate' ? 'intermediate_answer' : 'clarification_requested',
    from: message.status,
    to,
    data: { answerId: answer.id, resolution: answer.resolution },
  }, now);
  // Where the answer goes (message.answer_target): the resident's chat; a comment under the
  // source post through the outbox; or nowhere yet: an official publishes it by hand and records
  // its URL (POST /messages/{id}/published-reply), which marks it delivered.
  const delivered =
    message.answerTarget === 'source_comment'
      ? await queueSourceComment(trx, message, answer)
      : message.answerTarget === 'chat' &&
    message.authorId !== null &&
    (await notifyResident(trx, message.authorId, `notify.answer_${answer.kind}`, { messageId: message.id, text: answer.text, resolution: answer.resolution }, { kind: `answer.${answer.kind}`, dedupeKey: `answer:${answer.id}` }));
  if (answer.kind === 'final') {
    await notifySupporters(trx, message.id, 'notify.followed_closed', { messageId: message.id, text: answer.text, resolution: answer.resolution }, 'follow.closed');
  }
  const row = await trx
    .updateTable('answer')
    .set({ state: delivered ? 'delivered' : 'approved', approved_by: staffIdOf(actor), approved_at: now, delivered_at: delivered ? now : null, updated_at: now })
    .where('id', '=', answer.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { answer: toAnswer(row), message: updated };
}
