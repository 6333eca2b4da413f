import type { Actor } from '../actor.ts';
import { alertAssigned, alertReopened, alertRoutedAway } from '../alerts/cards.ts';
import { getCategory } from '../categories/category.repository.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { notifyResident, notifySupporters } from '../notifications/notify.ts';
import { transition } from './lifecycle.ts';
import { lockMessage, recordEvent, updateMessage, type Message } from './message.repository.ts';
import type { MessageStatus } from './message.table.ts';
import { withdrawOpenDrafts } from './open-drafts.ts';

export interface ModerationInput {
  messageId: number;
  actor: Actor;
  /** Optimistic check from the caller (API If-Match); a mismatch is CONCURRENT_CHANGE. */
  expectedVersion?: number;
}

/** The executor the routing rules name for the message's municipality and category. */
export async function routeExecutor(db: Db, municipalityId: number, categoryId: number): Promise<number> {
  const rule = await db
    .selectFrom('routing_rule')
    .innerJoin('executor', 'executor.id', 'routing_rule.executor_id')
    .select('routing_rule.executor_id')
    .where('routing_rule.municipality_id', '=', municipalityId)
    .where('routing_rule.category_id', '=', categoryId)
    .where('executor.active', '=', true)
    .executeTakeFirst();
  if (!rule) throw new DomainError('NO_ROUTING_RULE', { municipalityId, categoryId });
  return rule.executor_id;
}

async function checkExecutor(db: Db, executorId: number, municipalityId: number): Promise<string> {
  const executor = await db.selectFrom('executor').select(['id', 'name', 'municipality_id', 'active']).where('id', '=', executorId).executeTakeFirst();
  if (!executor) throw new DomainError('EXECUTOR_NOT_FOUND', { executorId });
  // Regional executors (no municipality) serve every municipality.
  if (executor.municipality_id !== null && executor.municipality_id !== municipalityId) throw new DomainError('EXECUTOR_OUT_OF_SCOPE', { executorId, municipalityId });
  // Listed, but taken off routing (PATCH /executors/{id} active: false): not the same as unknown.
  if (!executor.active) throw new DomainError('EXECUTOR_INACTIVE', { executorId });
  return executor.name;
}

/** new → in_work: the executor from the routing rules unless the moderator chose another. */
export function acceptMessage(db: Db, input: ModerationInput & { executorId?: number }, now: Date): Promise<Message> {
  return inTransaction(db, async (trx) => {
    const message = await lockMessage(trx, input.messageId, input.expectedVersion);
    const to = transition(message.status, 'accept');
    const executorId = input.executorId ?? (await routeExecutor(trx, message.municipalityId, message.categoryId));
    const executorName = await checkExecutor(trx, executorId, message.municipalityId);
    const updated = await updateMessage(trx, message, { status: to, executor_id: executorId, accepted_at: now }, now);
    await recordEvent(trx, message.id, input.actor, { kind: 'accepted', from: message.status, to, data: { executorId, routed: input.executorId === undefined } }, now);
    if (message.authorId) {
      await notifyResident(trx, message.authorId, 'notify.accepted', { messageId: message.id, executor: executorName }, { kind: 'status.accepted' });
    }
    await notifySupporters(trx, message.id, 'notify.followed_accepted', { messageId: message.id }, 'follow.accepted');
    await alertAssigned(trx, updated, now);
    return updated;
  });
}

/** new → rejected, with the reason the resident will read. */
export function rejectMessage(db: Db, input: ModerationInput & { reason: string }, now: Date): Promise<Message> {
  return inTransaction(db, async (trx) => {
    const reason = input.reason?.trim();
    if (!reason) throw new DomainError('REASON_REQUIRED');
    const message = await lockMessage(trx, input.messageId, input.expectedVersion);
    const to = transition(message.status, 'reject');
    const updated = await updateMessage(trx, message, { status: to, rejection_reason: reason, closed_at: now, published: false }, now);
    await recordEvent(trx, message.id, input.actor, { kind: 'rejected', from: message.status, to, reason }, now);
    if (message.authorId) await notifyResident(trx, message.authorId, 'notify.rejected', { messageId: message.id, reason }, { kind: 'status.rejected' });
    // A new message's only followers are the authors of the duplicates merged into it: they were told to follow it.
    await notifySupporters(trx, message.id, 'notify.followed_rejected', { messageId: message.id, reason }, 'follow.rejected');
    return updated;
  });
}

export function setPublished(db: Db, input: ModerationInput & { published: boolean }, now: Date): Promise<Message> {
  return inTransaction(db, async (trx) => {
    const message = await lockMessage(trx, input.messageId, input.expectedVersion);
    transition(message.status, input.published ? 'publish' : 'unpublish');
    if (message.published === input.published) return message;
    const updated = await updateMessage(trx, message, { published: input.published }, now);
    await recordEvent(trx, message.id, input.actor, { kind: input.published ? 'published' : 'unpublished' }, now);
    return updated;
  });
}

/**
 * Routes a message in work to another executor of its municipality (seed 004 §6: the curator
 * directs messages to the bodies responsible). The new executor's staff get the assignment alert,
 * the previous one's are told it is no longer theirs (their drafts waiting for approval are
 * withdrawn), and the author which body answers now.
 */
export function routeMessage(db: Db, input: ModerationInput & { executorId: number }, now: Date): Promise<Message> {
  return inTransaction(db, async (trx) => {
    const message = await lockMessage(trx, input.messageId, input.expectedVersion);
    transition(message.status, 'route');
    const executorName = await checkExecutor(trx, input.executorId, message.municipalityId);
    if (message.executorId === input.executorId) return message;
    const updated = await updateMessage(trx, message, { executor_id: input.executorId }, now);
    // The previous executor's drafts still waiting for the curator are no longer anyone's to approve.
    const withdrawn = message.executorId !== null ? await withdrawOpenDrafts(trx, message.id, now, message.executorId) : [];
    await recordEvent(trx, message.id, input.actor, { kind: 'routed', data: { from: message.executorId, to: input.executorId, ...(withdrawn.length > 0 && { withdrawnAnswerIds: withdrawn }) } }, now);
    await alertAssigned(trx, updated, now);
    if (message.executorId !== null) await alertRoutedAway(trx, updated, message.executorId, executorName, now);
    // The author was told at acceptance which body handles it: they hear which one does now (the
    // organisation, as at acceptance; never a staff member's name).
    if (message.authorId) await notifyResident(trx, message.authorId, 'notify.routed', { messageId: message.id, executor: executorName }, { kind: 'status.routed' });
    return updated;
  });
}

/**
 * solved | explained → in_work: the curator puts a closed message back in work when its answer
 * did not solve the problem (a bad rating, the author's complaint). The author is told with the
 * reason and may rate the next final answer (the earlier rating is kept in the history only);
 * the executor's staff get the card again. A duplicate closes with its original: reopen that one.
 */
export function reopenMessage(db: Db, input: ModerationInput & { reason: string }, now: Date): Promise<Message> {
  return inTransaction(db, async (trx) => {
    const reason = input.reason?.trim();
    if (!reason) throw new DomainError('REASON_REQUIRED');
    const message = await lockMessage(trx, input.messageId, input.expectedVersion);
    const to = transition(message.status, 'reopen');
    if (message.duplicateOf !== null) {
      throw new DomainError(
        'ILLEGAL_TRANSITION',
        { status: message.status, action: 'reopen', duplicateOf: message.duplicateOf },
        `Message #${message.id} is a duplicate and closes with its original: reopen #${message.duplicateOf} instead.`,
      );
    }
    const updated = await reopenClosed(trx, message, to, input.actor, reason, {}, now);
    await notifySupporters(trx, { messageId: message.id, occasion: now.getTime() }, 'notify.followed_reopened', { messageId: message.id, reason }, 'follow.reopened');
    await alertReopened(trx, updated, reason, now);
    // The duplicates that closed with it reopen with it, and close again with its next final answer.
    const duplicates = await trx.selectFrom('message').select('id').where('duplicate_of', '=', message.id).where('status', 'in', ['solved', 'explained']).orderBy('id').execute();
    for (const { id } of duplicates) {
      const duplicate = await lockMessage(trx, id);
      await reopenClosed(trx, duplicate, transition(duplicate.status, 'reopen'), input.actor, reason, { originalId: message.id }, now);
    }
    return updated;
  });
}

/**
 * One closed message back in work (`to`): its rating taken off (kept in the `reopened` event with
 * `data`, so the author may rate the next answer), and its author told with the reason.
 */
async function reopenClosed(trx: Db, message: Message, to: MessageStatus, actor: Actor, reason: string, data: Record<string, unknown>, now: Date): Promise<Message> {
  const rating = await trx.deleteFrom('rating').where('message_id', '=', message.id).returning(['stars', 'complaint']).executeTakeFirst();
  const updated = await updateMessage(trx, message, { status: to, closed_at: null }, now);
  await recordEvent(trx, message.id, actor, { kind: 'reopened', from: message.status, to, reason, data: { ...data, stars: rating?.stars ?? null, complaint: rating?.complaint ?? null } }, now);
  if (message.authorId) await notifyResident(trx, message.authorId, 'notify.reopened', { messageId: message.id, reason }, { kind: 'status.reopened' });
  return updated;
}

export function changeCategory(db: Db, input: ModerationInput & { categoryId: number }, now: Date): Promise<Message> {
  return inTransaction(db, async (trx) => {
    const message = await lockMessage(trx, input.messageId, input.expectedVersion);
    transition(message.status, 'change_category');
    const category = await getCategory(trx, input.categoryId);
    if (category.id === message.categoryId) return message;
    // A retired category takes no messages, as filing and open-source intake refuse it too.
    if (!category.active) throw new DomainError('CATEGORY_NOT_FOUND', { id: category.id });
    const updated = await updateMessage(trx, message, { category_id: category.id }, now);
    await recordEvent(trx, message.id, input.actor, { kind: 'category_changed', data: { from: message.categoryId, to: category.id } }, now);
    return updated;
  });
}

/**
 * Marks a message as a duplicate of another in the same municipality (seeds: a duplicate is
 * counted once).
 * - At moderation (new): rejected with the reason "duplicate of #…"; its author becomes a
 *   supporter of the original, so they follow it from now on.
 * - Once in work: linked to the original and closed with the original's outcome and answer, at
 *   once when the original is already closed, else when the original's final answer is approved
 *   (`closeLinkedDuplicates`); its author is told with that answer. Statistics leave it out.
 */
export function markDuplicate(db: Db, input: ModerationInput & { originalId: number }, now: Date): Promise<Message> {
  return inTransaction(db, async (trx) => {
    if (input.originalId === input.messageId) throw new DomainError('DUPLICATE_OF_SELF');
    // Both rows locked in id order: two moderators marking two messages duplicates of each other at
    // once would otherwise each hold one lock and wait for the other (a deadlock, answered 500).
    const locked = new Map<number, Message>();
    for (const id of [input.messageId, input.originalId].sort((a, b) => a - b)) {
      locked.set(id, await lockMessage(trx, id, id === input.messageId ? input.expectedVersion : undefined));
    }
    const message = locked.get(input.messageId)!;
    const original = locked.get(input.originalId)!;
    if (original.municipalityId !== message.municipalityId) throw new DomainError('MESSAGE_NOT_FOUND', { id: original.id });
    if (original.status === 'rejected') throw new DomainError('ILLEGAL_TRANSITION', { original: original.id, status: original.status });
    if (original.duplicateOf !== null) throw new DomainError('ILLEGAL_TRANSITION', { original: original.id, problem: 'the original is itself a duplicate', originalOf: original.duplicateOf });
    if (message.status === 'in_work') {
      transition(message.status, 'link_duplicate');
      // An original still on moderation may be rejected, and its duplicates would wait for ever.
      if (original.status === 'new') {
        throw new DomainError(
          'ILLEGAL_TRANSITION',
          { original: original.id, status: original.status },
          `Message #${original.id} is still on moderation: accept it first, or mark it as the duplicate of #${message.id}.`,
        );
      }
      const linked = await updateMessage(trx, message, { duplicate_of: original.id }, now);
      await recordEvent(trx, message.id, input.actor, { kind: 'duplicate_linked', data: { originalId: original.id } }, now);
      await recordEvent(trx, original.id, input.actor, { kind: 'duplicate_merged', data: { duplicateId: message.id } }, now);
      // Its own duplicates waiting for it follow it to the original (a duplicate is never an original).
      const followers = await trx.selectFrom('message').select('id').where('duplicate_of', '=', message.id).where('status', '=', 'in_work').orderBy('id').execute();
      for (const { id } of followers) {
        const follower = await lockMessage(trx, id);
        await updateMessage(trx, follower, { duplicate_of: original.id }, now);
        await recordEvent(trx, id, input.actor, { kind: 'duplicate_linked', data: { originalId: original.id, via: message.id } }, now);
        await recordEvent(trx, original.id, input.actor, { kind: 'duplicate_merged', data: { duplicateId: id } }, now);
      }
      if (original.status === 'solved' || original.status === 'explained') {
        const closed = await closeLinkedDuplicates(trx, original.id, input.actor, now);
        return closed.find((m) => m.id === message.id) ?? linked;
      }
      return linked;
    }
    const to = transition(message.status, 'duplicate');
    const reason = `duplicate of #${original.id}`;
    const updated = await updateMessage(trx, message, { status: to, duplicate_of: original.id, rejection_reason: reason, closed_at: now, published: false }, now);
    await recordEvent(trx, message.id, input.actor, { kind: 'duplicate', from: message.status, to, reason, data: { originalId: original.id } }, now);
    if (message.authorId) {
      await trx.insertInto('support').values({ message_id: original.id, resident_id: message.authorId, created_at: now }).onConflict((oc) => oc.doNothing()).execute();
      await recordEvent(trx, original.id, input.actor, { kind: 'duplicate_merged', data: { duplicateId: message.id } }, now);
      await notifyResident(trx, message.authorId, 'notify.duplicate', { messageId: message.id, originalId: original.id }, { kind: 'status.duplicate' });
    }
    return updated;
  });
}

/**
 * Closes the duplicates in work linked to `originalId` with the original's outcome and its final
 * answer, copied to each (approved, by the same official), and tells each author. Called when the
 * original's final answer is approved, and when a duplicate is linked to an already closed one.
 */
export async function closeLinkedDuplicates(trx: Db, originalId: number, actor: Actor, now: Date): Promise<Message[]> {
  const final = await trx
    .selectFrom('answer')
    .select(['text', 'resolution', 'author_staff_id', 'approved_by', 'media_ids'])
    .where('message_id', '=', originalId)
    .where('kind', '=', 'final')
    .where('state', 'in', ['approved', 'delivered'])
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!final) return [];
  const ids = await trx.selectFrom('message').select('id').where('duplicate_of', '=', originalId).where('status', '=', 'in_work').orderBy('id').execute();
  const closed: Message[] = [];
  for (const { id } of ids) {
    const message = await lockMessage(trx, id);
    const to = transition(message.status, final.resolution === 'explained' ? 'close_explained' : 'close_solved');
    const answer = await trx
      .insertInto('answer')
      .values({
        message_id: id,
        kind: 'final',
        resolution: final.resolution,
        text: final.text,
        state: 'approved',
        author_staff_id: final.author_staff_id,
        approved_by: final.approved_by,
        media_ids: JSON.stringify(final.media_ids),
        approved_at: now,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const updated = await updateMessage(trx, message, { status: to, closed_at: now }, now);
    await withdrawOpenDrafts(trx, id, now);
    await recordEvent(trx, id, actor, { kind: 'closed', from: message.status, to, data: { answerId: answer.id, resolution: final.resolution, duplicateOf: originalId } }, now);
    if (message.authorId) {
      await notifyResident(
        trx,
        message.authorId,
        'notify.answer_final',
        { messageId: id, text: final.text, resolution: final.resolution },
        { kind: 'answer.final', dedupeKey: `answer:${answer.id}`, media: final.media_ids },
      );
    }
    closed.push(updated);
  }
  return closed;
}
