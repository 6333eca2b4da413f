import { isBlankText } from '../text/unsafe-text.ts';
import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { notifyResident } from '../notifications/notify.ts';
import type { CommentTargetKind, ItemCommentState, ItemCommentTable } from './item-comment.table.ts';

export const MAX_COMMENT_LENGTH = 1000;
/** This many reports from different residents hide a comment until a moderator decides. */
export const REPORTS_TO_HIDE = 3;

export interface CommentTarget {
  kind: CommentTargetKind;
  id: number;
}

export interface ItemComment {
  id: number;
  target: CommentTarget;
  municipalityId: number | null;
  residentId: number;
  text: string;
  state: ItemCommentState;
  reports: number;
  hiddenReason: string | null;
  hiddenAt: Date | null;
  moderatedByStaffId: number | null;
  replyText: string | null;
  repliedAt: Date | null;
  repliedByStaffId: number | null;
  createdAt: Date;
}

function toComment(row: Selectable<ItemCommentTable>): ItemComment {
  return {
    id: row.id,
    target: row.target_kind === 'news' ? { kind: 'news', id: row.news_item_id! } : { kind: 'poll', id: row.poll_id! },
    municipalityId: row.municipality_id,
    residentId: row.resident_id,
    text: row.text,
    state: row.state,
    reports: row.reports,
    hiddenReason: row.hidden_reason,
    hiddenAt: row.hidden_at,
    moderatedByStaffId: row.moderated_by_staff_id,
    replyText: row.reply_text,
    repliedAt: row.replied_at,
    repliedByStaffId: row.replied_by_staff_id,
    createdAt: row.created_at,
  };
}

/**
 * What a comment may be left on, seen by a resident of `municipalityId`: a published news item of
 * the municipality or the region; a published poll (the polls module's `poll` table, read by
 * name, as it may not be installed). Returns the target's municipality, or undefined.
 */
export async function commentableTarget(db: Db, target: CommentTarget, municipalityId: number | null): Promise<{ municipalityId: number | null; title: string } | undefined> {
  if (target.kind === 'news') {
    const row = await db.selectFrom('news_item').select(['municipality_id', 'title', 'state']).where('id', '=', target.id).executeTakeFirst();
    if (row?.state !== 'published') return undefined;
    if (row.municipality_id !== null && row.municipality_id !== municipalityId) return undefined;
    return { municipalityId: row.municipality_id, title: row.title };
  }
  const exists = await sql<{ t: string | null }>`SELECT to_regclass('poll')::text AS t`.execute(db);
  if (!exists.rows[0]?.t) return undefined;
  const poll = await sql<{ municipality_id: number | null; title: string; state: string }>`SELECT municipality_id, title, state FROM poll WHERE id = ${target.id}`.execute(db);
  const row = poll.rows[0];
  if (!row || row.state === 'draft') return undefined;
  if (row.municipality_id !== null && row.municipality_id !== municipalityId) return undefined;
  return { municipalityId: row.municipality_id, title: row.title };
}

async function premoderated(db: Db, municipalityId: number | null): Promise<boolean> {
  if (municipalityId === null) return false;
  const row = await db.selectFrom('item_comment_policy').select('premoderation').where('municipality_id', '=', municipalityId).executeTakeFirst();
  return row?.premoderation ?? false;
}

export async function setPremoderation(db: Db, municipalityId: number, premoderation: boolean, now: Date): Promise<void> {
  await db
    .insertInto('item_comment_policy')
    .values({ municipality_id: municipalityId, premoderation, updated_at: now })
    .onConflict((oc) => oc.column('municipality_id').doUpdateSet({ premoderation, updated_at: now }))
    .execute();
}

/**
 * A resident's comment: shown to others at once (moderated after publication), or `pending` until
 * a moderator approves it when the target's municipality turned pre-moderation on.
 */
export async function addComment(db: Db, input: { residentId: number; residentMunicipalityId: number | null; target: CommentTarget; text: string }, now: Date): Promise<ItemComment> {
  const text = input.text.trim();
  if (isBlankText(text)) throw new DomainError('TEXT_EMPTY', { field: 'text' });
  if ([...text].length > MAX_COMMENT_LENGTH) throw new DomainError('TEXT_TOO_LONG', { field: 'text', max: MAX_COMMENT_LENGTH });
  const target = await commentableTarget(db, input.target, input.residentMunicipalityId);
  if (!target) throw new DomainError(input.target.kind === 'news' ? 'NEWS_NOT_FOUND' : 'POLL_NOT_FOUND', { id: input.target.id });
  const row = await db
    .insertInto('item_comment')
    .values({
      target_kind: input.target.kind,
      news_item_id: input.target.kind === 'news' ? input.target.id : null,
      poll_id: input.target.kind === 'poll' ? input.target.id : null,
      municipality_id: target.municipalityId,
      resident_id: input.residentId,
      text,
      state: (await premoderated(db, target.municipalityId)) ? 'pending' : 'published',
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toComment(row);
}

export async function getComment(db: Db, id: number): Promise<ItemComment> {
  const row = await db.selectFrom('item_comment').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('COMMENT_NOT_FOUND', { id });
  return toComment(row);
}

async function lockComment(db: Db, id: number): Promise<ItemComment> {
  const row = await db.selectFrom('item_comment').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new DomainError('COMMENT_NOT_FOUND', { id });
  return toComment(row);
}

/** Comments others see on a target: published ones, oldest first (the last `limit`). */
export async function visibleComments(db: Db, target: CommentTarget, limit = 10): Promise<ItemComment[]> {
  const rows = await db
    .selectFrom('item_comment')
    .selectAll()
    .where(target.kind === 'news' ? 'news_item_id' : 'poll_id', '=', target.id)
    .where('state', '=', 'published')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map(toComment);
}

export async function countVisibleComments(db: Db, target: CommentTarget): Promise<number> {
  const row = await db
    .selectFrom('item_comment')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(target.kind === 'news' ? 'news_item_id' : 'poll_id', '=', target.id)
    .where('state', '=', 'published')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A moderator hides a comment with a reason; its author is told (the reason included). */
export async function hideComment(db: Db, id: number, reason: string, staffId: number, now: Date): Promise<ItemComment> {
  const comment = await lockComment(db, id);
  if (comment.state === 'hidden') throw new DomainError('ILLEGAL_TRANSITION', { id, state: comment.state, action: 'hide' });
  const row = await db
    .updateTable('item_comment')
    .set({ state: 'hidden', hidden_reason: reason, hidden_at: now, moderated_by_staff_id: staffId })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await notifyResident(
    db,
    comment.residentId,
    'item_comments.hidden_notice',
    { text: excerpt(comment.text), reason },
    { kind: 'item_comment.hidden', dedupeKey: `item-comment-hidden:${id}:${now.getTime()}` },
  );
  return toComment(row);
}

/** A moderator approves a comment waiting for pre-moderation or for review after reports: it is shown. */
export async function approveComment(db: Db, id: number, staffId: number): Promise<ItemComment> {
  const comment = await lockComment(db, id);
  if (comment.state !== 'pending' && comment.state !== 'review') throw new DomainError('ILLEGAL_TRANSITION', { id, state: comment.state, action: 'approve' });
  // Reviewed and kept: it takes three new reports (from residents who have not reported it yet) to hide it again.
  const row = await db.updateTable('item_comment').set({ state: 'published', reports: 0, moderated_by_staff_id: staffId }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  // Its author was told it would be shown after a check: they hear that it is shown now. (One kept
  // after reports was never said to be hidden, so nothing is said.)
  if (comment.state === 'pending') {
    await notifyResident(
      db,
      comment.residentId,
      'item_comments.approved_notice',
      { text: excerpt(comment.text), title: await targetTitle(db, comment.target) },
      { kind: 'item_comment.approved', dedupeKey: `item-comment-approved:${id}` },
    );
  }
  return toComment(row);
}

/** The title of what a comment is on (a news item or a poll), for notices. */
async function targetTitle(db: Db, target: CommentTarget): Promise<string> {
  if (target.kind === 'news') return (await db.selectFrom('news_item').select('title').where('id', '=', target.id).executeTakeFirst())?.title ?? '';
  const poll = await sql<{ title: string }>`SELECT title FROM poll WHERE id = ${target.id}`.execute(db);
  return poll.rows[0]?.title ?? '';
}

/** An official's reply: stored with the comment and sent to its author; one per comment, as the author has it already. */
export async function replyToComment(db: Db, id: number, text: string, staffId: number, now: Date): Promise<ItemComment> {
  const current = await lockComment(db, id);
  if (current.replyText !== null) throw new DomainError('COMMENT_ALREADY_REPLIED', { id });
  const row = await db.updateTable('item_comment').set({ reply_text: text, replied_at: now, replied_by_staff_id: staffId }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  const comment = toComment(row);
  await notifyResident(
    db,
    comment.residentId,
    'item_comments.reply_notice',
    { text: excerpt(comment.text), reply: text },
    { kind: 'item_comment.reply', dedupeKey: `item-comment-reply:${id}:${now.getTime()}` },
  );
  return comment;
}

export type ReportResult = 'reported' | 'already' | 'own' | 'unavailable';

/**
 * A resident reports a comment (once each; not their own). The third report hides a published
 * comment pending a moderator's review.
 */
export async function reportComment(db: Db, id: number, residentId: number, now: Date): Promise<ReportResult> {
  const comment = await db.selectFrom('item_comment').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (comment?.state !== 'published') return 'unavailable';
  if (comment.resident_id === residentId) return 'own';
  const inserted = await db
    .insertInto('item_comment_report')
    .values({ comment_id: id, resident_id: residentId, created_at: now })
    .onConflict((oc) => oc.columns(['comment_id', 'resident_id']).doNothing())
    .returning('comment_id')
    .executeTakeFirst();
  if (!inserted) return 'already';
  const reports = comment.reports + 1;
  await db
    .updateTable('item_comment')
    .set({ reports, ...(reports >= REPORTS_TO_HIDE && { state: 'review' as const }) })
    .where('id', '=', id)
    .execute();
  return 'reported';
}

export interface CommentFilter {
  municipalityIds?: number[];
  target?: CommentTarget;
  targetKind?: CommentTargetKind;
  state?: ItemCommentState;
  beforeId?: number;
  limit: number;
}

/** Comments on news and polls for moderators, newest first. */
export async function listItemComments(db: Db, filter: CommentFilter): Promise<ItemComment[]> {
  let query = db.selectFrom('item_comment').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.municipalityIds) query = query.where('municipality_id', 'in', filter.municipalityIds.length > 0 ? filter.municipalityIds : [-1]);
  if (filter.target) query = query.where('target_kind', '=', filter.target.kind).where(filter.target.kind === 'news' ? 'news_item_id' : 'poll_id', '=', filter.target.id);
  if (filter.targetKind) query = query.where('target_kind', '=', filter.targetKind);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  return (await query.execute()).map(toComment);
}

function excerpt(text: string): string {
  const chars = [...text];
  return chars.length <= 200 ? text : `${chars.slice(0, 199).join('')}…`;
}
