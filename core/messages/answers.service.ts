import { type Selectable, sql } from 'kysely';
import type { Actor } from '../actor.ts';
import { alertAnswerPending } from '../alerts/cards.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { getMunicipality } from '../municipalities/municipality.repository.ts';
import { notifyResident, notifyStaff, notifySupporters } from '../notifications/notify.ts';
import { transition, type MessageAction } from './lifecycle.ts';
import { lockMessage, recordEvent, updateMessage, type Message } from './message.repository.ts';
import type { OutboxState } from '../outbox/outbox.table.ts';
import type { AnswerKind, AnswerState, AnswerTable, Resolution } from './message.table.ts';
import { validText } from './text.ts';
import { usableMediaList } from '../media/media.repository.ts';
import { recordFirstDraft } from '../incidents/first-response.ts';
import { queueSourceComment } from '../incidents/publish.ts';
import { closeLinkedDuplicates } from './moderation.service.ts';
import { withdrawOpenDrafts } from './open-drafts.ts';
import { addAnswerPhotos, answerMedia, answerPhotosOf, countAnswerPhotos, type AnswerMediaView, type AnswerPhoto, type AnswerPhotoRef } from './answer-photos.ts';
import type { Channel } from '../db/types.ts';

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
  /**
   * Photos attached by the official (media store ids), sent to the resident with the answer: those
   * attached through the API, and the copies of those sent in the bot once made (`photos`).
   */
  mediaIds: number[];
  /** Bumped by every change to the answer or its photos: a revision names the one it was made from (If-Match). */
  version: number;
  /** Photos sent with the answer in the bot, in order: the messenger they came through and their copy (answer-photos.ts). */
  photos: AnswerPhoto[];
  /** When the resident's messenger accepted the notification (the outbox row's `sent_at`). */
  deliveredAt: Date | null;
  createdAt: Date;
  /** Whether the resident got it, from the notification's outbox row; null before approval. */
  delivery: AnswerDelivery | null;
}

/**
 * The delivery of an approved answer to its author, read from the outbox row that carries it
 * (dedupe key `answer:<id>`): `queued` (waiting or being retried after e.g. a 429), `sent`
 * (with its time), `failed` (gave up, a dead row), `cancelled` (e.g. the resident withdrew
 * consent), `unreachable` (the resident blocked the bot), `not_queued` (no author, no consent or
 * no messenger to reach them when it was approved).
 */
export type AnswerDeliveryState = 'queued' | 'sent' | 'failed' | 'cancelled' | 'unreachable' | 'not_queued';
export interface AnswerDelivery {
  state: AnswerDeliveryState;
  at: Date | null;
  attempts: number;
  lastError: string | null;
}

export const answerOutboxKey = (answerId: number) => `answer:${answerId}`;
/** The outbox row of an answer published as a comment under its source post (core/incidents/publish.ts). */
export const sourceCommentOutboxKey = (answerId: number) => `wall.comment:answer:${answerId}`;

const DELIVERY_BY_OUTBOX: Record<OutboxState, AnswerDeliveryState> = {
  pending: 'queued',
  sending: 'queued',
  sent: 'sent',
  dead: 'failed',
  cancelled: 'cancelled',
  unreachable: 'unreachable',
};

/**
 * Sets each approved answer's delivery from its outbox row, one query for all. The stored state
 * says only that the answer was approved; `delivered` and `deliveredAt` are the outbox's word.
 */
export async function withDelivery(db: Db, listed: Answer[]): Promise<Answer[]> {
  const photos = await answerPhotosOf(
    db,
    listed.map((a) => a.id),
  );
  const answers = listed.map((a) => ({ ...a, photos: photos.get(a.id) ?? [] }));
  const approved = answers.filter((a) => a.state === 'approved' || a.state === 'delivered');
  if (approved.length === 0) return answers;
  const rows = await db
    .selectFrom('outbox')
    .select(['dedupe_key', 'state', 'sent_at', 'attempts', 'last_error', 'created_at'])
    .where(
      'dedupe_key',
      'in',
      approved.flatMap((a) => [answerOutboxKey(a.id), sourceCommentOutboxKey(a.id)]),
    )
    .execute();
  const byKey = new Map(rows.map((r) => [r.dedupe_key, r]));
  return answers.map((a) => {
    if (a.state !== 'approved' && a.state !== 'delivered') return { ...a, delivery: null, deliveredAt: null };
    const row = byKey.get(answerOutboxKey(a.id)) ?? byKey.get(sourceCommentOutboxKey(a.id));
    // Published by hand under the source post: no outbox row, the official recorded it as delivered.
    if (!row && a.state === 'delivered') return { ...a, delivery: { state: 'sent', at: a.deliveredAt, attempts: 0, lastError: null } };
    if (!row) return { ...a, state: 'approved', deliveredAt: null, delivery: { state: 'not_queued', at: null, attempts: 0, lastError: null } };
    const state = DELIVERY_BY_OUTBOX[row.state];
    return {
      ...a,
      state: state === 'sent' ? 'delivered' : 'approved',
      deliveredAt: state === 'sent' ? row.sent_at : null,
      delivery: { state, at: state === 'sent' ? row.sent_at : state === 'queued' ? row.created_at : null, attempts: row.attempts, lastError: row.last_error },
    };
  });
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
    mediaIds: Array.isArray(row.media_ids) ? row.media_ids : [],
    version: row.version,
    photos: [],
    deliveredAt: row.delivered_at,
    createdAt: row.created_at,
    delivery: null,
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

/**
 * An answer and its message, both locked, the message first: approving a final answer locks the
 * message and then withdraws its other drafts (their rows), so a revision of one of those drafts
 * must take the message's lock before the draft's, or the two wait for each other (a deadlock).
 */
async function lockAnswerAndMessage(db: Db, answerId: number): Promise<{ answer: Answer; message: Message }> {
  const row = await db.selectFrom('answer').select('message_id').where('id', '=', answerId).executeTakeFirst();
  if (!row) throw new DomainError('ANSWER_NOT_FOUND', { id: answerId });
  const message = await lockMessage(db, row.message_id);
  return { answer: await lockAnswer(db, answerId), message };
}

/**
 * An answer waiting for review must still be its writer's to give: one written by the staff of an
 * executor the message was since handed away from is refused (ANSWER_ROUTED_AWAY; re-routing
 * withdraws those), then one no longer waiting for `states` is ANSWER_NOT_PENDING.
 */
export async function assertAnswerPending(db: Db, answer: Answer, states: AnswerState[] = ['draft']): Promise<void> {
  if (answer.authorStaffId !== null && answer.state !== 'approved' && answer.state !== 'delivered') {
    const found = await db
      .selectFrom('staff')
      .innerJoin('message', (join) => join.on('message.id', '=', answer.messageId))
      .select(['staff.executor_id', 'message.executor_id as message_executor_id'])
      .where('staff.id', '=', answer.authorStaffId)
      .executeTakeFirst();
    if (found && found.executor_id !== null && found.executor_id !== found.message_executor_id) {
      throw new DomainError('ANSWER_ROUTED_AWAY', { id: answer.id, messageId: answer.messageId, state: answer.state, executorId: found.message_executor_id });
    }
  }
  if (!states.includes(answer.state)) throw new DomainError('ANSWER_NOT_PENDING', { id: answer.id, state: answer.state });
}

export async function listAnswers(db: Db, messageId: number): Promise<Answer[]> {
  const rows = await db.selectFrom('answer').selectAll().where('message_id', '=', messageId).orderBy('id').execute();
  return withDelivery(db, rows.map(toAnswer));
}

export async function getAnswer(db: Db, answerId: number): Promise<Answer> {
  const row = await db.selectFrom('answer').selectAll().where('id', '=', answerId).executeTakeFirst();
  if (!row) throw new DomainError('ANSWER_NOT_FOUND', { id: answerId });
  const [answer] = await withDelivery(db, [toAnswer(row)]);
  return answer!;
}

export interface DraftAnswerInput {
  messageId: number;
  kind: AnswerKind;
  resolution?: Resolution | null;
  text: string;
  /** Photos from the media store (POST /api/v1/media) to send with the answer. */
  mediaIds?: number[];
  /** Photos sent in the bot with the answer, as the messenger's file ids (copied afterwards, answer-photos.ts). */
  photos?: { channel: Channel; refs: AnswerPhotoRef[] };
  actor: Actor;
}

/** Photos an answer may carry. */
export const MAX_ANSWER_PHOTOS = 10;

/**
 * Up to 10 images of the media store, each once, usable in the message's municipality (its own
 * files or regional ones); otherwise VALIDATION naming `mediaIds`, or MEDIA_NOT_FOUND.
 */
async function checkAnswerMedia(db: Db, municipalityId: number, mediaIds: number[]): Promise<void> {
  const video = (await usableMediaList(db, municipalityId, mediaIds, MAX_ANSWER_PHOTOS)).find((media) => media.kind !== 'image');
  if (video) throw new DomainError('VALIDATION', { field: 'mediaIds', problem: 'photos only', id: video.id });
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
    const mediaIds = input.mediaIds ?? [];
    await checkAnswerMedia(trx, message.municipalityId, mediaIds);
    const photos = input.photos?.refs ?? [];
    if (mediaIds.length + photos.length > MAX_ANSWER_PHOTOS) throw new DomainError('TOO_MANY_PHOTOS', { max: MAX_ANSWER_PHOTOS });
    const row = await trx
      .insertInto('answer')
      .values({ message_id: message.id, kind: input.kind, resolution, text, author_staff_id: staffIdOf(input.actor), media_ids: JSON.stringify(mediaIds), created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    // Kept as the messenger's file ids; copied after this commits (bots/media/filing-photos.ts): no download here.
    if (input.photos) await addAnswerPhotos(trx, row.id, input.photos.channel, photos, now);
    await recordEvent(trx, message.id, input.actor, { kind: 'answer_drafted', data: { answerId: row.id, answerKind: input.kind, resolution, ...(photos.length > 0 && { photos: photos.length }) } }, now);
    await recordFirstDraft(trx, message.id, message.municipalityId, now);
    const municipality = await getMunicipality(trx, message.municipalityId);
    // Seed 004 §13: the curator approves every answer to an open-source message, whatever the municipality's setting.
    if (!municipality.answersNeedApproval && !message.openSource) return applyApproval(trx, message, toAnswer(row), input.actor, now);
    await alertAnswerPending(trx, message, toAnswer(row), now);
    return { answer: toAnswer(row), message };
  });
}

/**
 * The executor edits a returned (or still pending) draft; it goes back to the curator. `mediaIds`,
 * when given, is the answer's whole new list of photos (a returned answer asked for a photo of the
 * result, or one taken off): replaceAnswerMedia. Without it the photos stay as they are.
 * `expectedVersion` (the API's If-Match) is the answer's version the list was made from: a list read
 * before a bot photo's copy landed cannot name that copy, and would drop it, so any change since
 * (a copy made or given up, another revision) is CONCURRENT_CHANGE and nothing is revised. The
 * API requires it with `mediaIds` (428 PRECONDITION_REQUIRED without If-Match, in the route: the
 * header is the HTTP client's; the bot sends no list, it adds photos or drops them all).
 * `withoutPhotos` (the bot's "Without photos") drops every photo, those still being copied too.
 */
export function reviseAnswer(
  db: Db,
  input: { answerId: number; text: string; resolution?: Resolution; actor: Actor; photos?: { channel: Channel; refs: AnswerPhotoRef[] }; mediaIds?: number[]; withoutPhotos?: boolean; expectedVersion?: number },
  now: Date,
): Promise<Answer> {
  return inTransaction(db, async (trx) => {
    const text = validText(input.text);
    const { answer: current, message } = await lockAnswerAndMessage(trx, input.answerId);
    await assertAnswerPending(trx, current, ['draft', 'returned']);
    if (input.expectedVersion !== undefined && current.version !== input.expectedVersion) {
      throw new DomainError('CONCURRENT_CHANGE', { answerId: current.id, expectedVersion: input.expectedVersion, actualVersion: current.version });
    }
    const replaced = input.withoutPhotos
      ? await replaceAnswerMedia(trx, current, message.municipalityId, [], { dropCopying: true })
      : input.mediaIds === undefined
        ? undefined
        : await replaceAnswerMedia(trx, current, message.municipalityId, input.mediaIds);
    const answer = replaced?.answer ?? current;
    // Photos sent with the revision join those the answer has, within the one limit.
    const added = input.photos?.refs ?? [];
    if (added.length > 0) {
      const has = await answerPhotoCount(trx, answer);
      if (has + added.length > MAX_ANSWER_PHOTOS) throw new DomainError('TOO_MANY_PHOTOS', { max: MAX_ANSWER_PHOTOS });
      await addAnswerPhotos(trx, answer.id, input.photos!.channel, added, now);
    }
    const resolution = answer.kind === 'final' ? input.resolution ?? answer.resolution : null;
    const row = await trx
      .updateTable('answer')
      .set({ text, resolution, state: 'draft', updated_at: now, version: sql`version + 1` })
      .where('id', '=', answer.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, answer.messageId, input.actor, { kind: 'answer_revised', data: { answerId: answer.id, ...(added.length > 0 && { photos: added.length }), ...(replaced?.dropped && { photosDropped: replaced.dropped }) } }, now);
    const revised = toAnswer(row);
    await alertAnswerPending(trx, message, revised, now);
    // As the API reads it back: with its bot photos (withDelivery), not an empty list.
    const [read] = await withDelivery(trx, [revised]);
    return read!;
  });
}

/** The curator sends a draft back with a remark; the lifecycle does not move. */
export function returnAnswer(db: Db, input: { answerId: number; remark: string; actor: Actor }, now: Date): Promise<Answer> {
  return inTransaction(db, async (trx) => {
    const remark = input.remark?.trim();
    if (!remark) throw new DomainError('REASON_REQUIRED', { field: 'remark' });
    const answer = await lockAnswer(trx, input.answerId);
    await assertAnswerPending(trx, answer);
    const row = await trx
      .updateTable('answer')
      .set({ state: 'returned', return_remark: remark, updated_at: now, version: sql`version + 1` })
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

/** The curator approves a draft: it moves the lifecycle, is queued for the author, and its writer is told. */
export function approveAnswer(db: Db, input: { answerId: number; actor: Actor }, now: Date): Promise<{ answer: Answer; message: Message }> {
  return inTransaction(db, async (trx) => {
    const { answer, message } = await lockAnswerAndMessage(trx, input.answerId);
    await assertAnswerPending(trx, answer);
    const approved = await applyApproval(trx, message, answer, input.actor, now);
    // Its author hears it went through, and where: the resident's chat (the key itself), a comment
    // under the source post, or published by hand under it (the key's context).
    if (answer.authorStaffId !== null && answer.authorStaffId !== staffIdOf(input.actor)) {
      const target = message.answerTarget;
      await notifyStaff(
        trx,
        [answer.authorStaffId],
        'alert.answer_approved',
        { messageId: message.id, answerId: answer.id, kind: { $key: `official.kind_${answer.kind}` }, ...(target !== 'chat' && { context: target }) },
        { kind: 'alert.answer_approved', dedupeKey: `answer_approved:${answer.id}` },
      );
    }
    return approved;
  });
}

/** The photos an answer shows a resident in one messenger, and a line on those that are not there (yet). */
function residentAnswerMedia(view: AnswerMediaView): { photos: string[]; media: number[]; params: Record<string, unknown> } {
  const note =
    view.following > 0
      ? { $key: 'notify.answer_photos_following', $params: { count: view.following } }
      : view.lost > 0
        ? { $key: 'notify.answer_photos_lost', $params: { count: view.lost } }
        : '';
  return { photos: view.photos, media: view.media, params: { photosNote: note } };
}

/**
 * `mediaIds` become the answer's photos, all of them (checked as a draft's are). An id that is the
 * copy of a photo sent in the bot keeps that photo (its file id still goes to its own messenger);
 * any other id is a photo attached through the API. Photos sent in the bot that the list leaves out
 * are dropped with their copies, and so are those given up (no copy will ever name them). A photo
 * still being copied stays: no list can name it yet (the console revising a returned answer sends
 * the ids it read), so leaving it out is no choice of the reviser's; its copy joins the revised
 * answer when it lands (recordAnswerCopies), and it counts toward the limit meanwhile. A refused
 * list throws before anything changes, and the caller's transaction keeps nothing of the revision.
 */
async function replaceAnswerMedia(
  trx: Db,
  answer: Answer,
  municipalityId: number,
  mediaIds: number[],
  options: { dropCopying?: boolean } = {},
): Promise<{ answer: Answer; dropped: number }> {
  await checkAnswerMedia(trx, municipalityId, mediaIds);
  const named = new Set(mediaIds);
  const sent = await trx.selectFrom('answer_photo').select(['id', 'media_id', 'copy_due_at']).where('answer_id', '=', answer.id).orderBy('position').execute();
  // A photo still being copied has no media id a list could name: kept, unless all are dropped.
  const isCopying = (p: (typeof sent)[number]) => p.media_id === null && p.copy_due_at !== null && !options.dropCopying;
  const copying = sent.filter(isCopying);
  if (mediaIds.length + copying.length > MAX_ANSWER_PHOTOS) throw new DomainError('TOO_MANY_PHOTOS', { max: MAX_ANSWER_PHOTOS });
  const kept = sent.flatMap((p) => (p.media_id !== null && named.has(p.media_id) ? [p.media_id] : []));
  const dropped = sent.filter((p) => !isCopying(p) && (p.media_id === null || !named.has(p.media_id))).map((p) => p.id);
  if (dropped.length > 0) await trx.deleteFrom('answer_photo').where('id', 'in', dropped).execute();
  const attached = mediaIds.filter((id) => !kept.includes(id));
  const row = await trx
    .updateTable('answer')
    .set({ media_ids: JSON.stringify([...attached, ...kept]) })
    .where('id', '=', answer.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { answer: toAnswer(row), dropped: dropped.length };
}

/** Photos the answer carries: attached through the API, and sent in the bot (each counted once). */
async function answerPhotoCount(db: Db, answer: Answer): Promise<number> {
  const rows = await db.selectFrom('answer_photo').select('media_id').where('answer_id', '=', answer.id).execute();
  const copies = new Set(rows.map((r) => r.media_id));
  return answer.mediaIds.filter((id) => !copies.has(id)).length + (await countAnswerPhotos(db, answer.id));
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
  // its URL (POST /messages/{id}/published-reply), which marks it delivered. Queued is not
  // delivered: whether it arrived is the outbox row's to say (withDelivery).
  if (message.answerTarget === 'source_comment') await queueSourceComment(trx, message, answer);
  else if (message.answerTarget === 'chat' && message.authorId !== null) {
    // Photos sent in the bot: their file ids in the resident's messenger if they came through it,
    // else their copies; those not copied yet follow (answer-photos.ts recordAnswerCopies).
    const media = await answerMedia(trx, answer);
    await notifyResident(
      trx,
      message.authorId,
      `notify.answer_${answer.kind}`,
      { messageId: message.id, text: answer.text, resolution: answer.resolution, photosNote: '' },
      { kind: `answer.${answer.kind}`, dedupeKey: answerOutboxKey(answer.id), perChannel: (channel) => residentAnswerMedia(media(channel)) },
    );
  }
  if (answer.kind === 'final') {
    await notifySupporters(trx, { messageId: message.id, occasion: answer.id }, 'notify.followed_closed', { messageId: message.id, text: answer.text, resolution: answer.resolution }, 'follow.closed');
  }
  const row = await trx
    .updateTable('answer')
    .set({ state: 'approved', approved_by: staffIdOf(actor), approved_at: now, delivered_at: null, updated_at: now, version: sql`version + 1` })
    .where('id', '=', answer.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (answer.kind === 'final') {
    await withdrawOpenDrafts(trx, message.id, now);
    // Duplicates in work linked to this message close with the same outcome and answer.
    await closeLinkedDuplicates(trx, message.id, actor, now);
  }
  const [approved] = await withDelivery(trx, [toAnswer(row)]);
  return { answer: approved!, message: updated };
}
