import { sql, type Selectable } from 'kysely';
import { announce, reviseAnnouncement, stopAnnouncement } from '../broadcasts/broadcasts.ts';
import { changedFields } from '../audit/changes.ts';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { usableMediaList } from '../media/media.repository.ts';
import { commentNewsId } from './actions.ts';
import type { NewsItemTable, NewsState } from './news.table.ts';

export const MAX_NEWS_PHOTOS = 10;
/** Longer texts are split at paragraph breaks by the messengers' renderers (4096 characters a message). */
export const MAX_NEWS_TEXT = 20_000;

export interface NewsFields {
  title: string;
  body: string;
  categoryId: number | null;
  mediaIds: number[];
  link: string | null;
  pollId: number | null;
}

/** A news item: what staff write (its fields) and what the platform keeps about it. */
export interface NewsItem extends NewsFields {
  id: number;
  municipalityId: number | null;
  state: NewsState;
  publishAt: Date | null;
  publishedAt: Date | null;
  archivedAt: Date | null;
  editedAt: Date | null;
  broadcastId: number | null;
  createdByStaffId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

function toNews(row: Selectable<NewsItemTable>): NewsItem {
  return {
    id: row.id,
    municipalityId: row.municipality_id,
    state: row.state,
    title: row.title,
    body: row.body,
    categoryId: row.category_id,
    mediaIds: Array.isArray(row.media_ids) ? row.media_ids : [],
    link: row.link,
    pollId: row.poll_id,
    publishAt: row.publish_at,
    publishedAt: row.published_at,
    archivedAt: row.archived_at,
    editedAt: row.edited_at,
    broadcastId: row.broadcast_id,
    createdByStaffId: row.created_by_staff_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Up to 10 images, or exactly one video, all usable by the item's scope (its municipality's files,
 * or regional ones for a regional item). Throws VALIDATION naming `mediaIds`.
 */
export async function checkNewsMedia(db: Db, municipalityId: number | null, mediaIds: number[]): Promise<void> {
  const kinds = (await usableMediaList(db, municipalityId, mediaIds, MAX_NEWS_PHOTOS)).map((media) => media.kind);
  if (kinds.includes('video') && kinds.length > 1) throw new DomainError('VALIDATION', { field: 'mediaIds', problem: 'up to 10 photos or one video, not both' });
}

/**
 * The poll an item reports a decision on must exist once the polls module is installed (its `poll`
 * table, read by name: this module does not depend on it). Throws VALIDATION naming `pollId`.
 */
async function checkPoll(db: Db, pollId: number | null, municipalityId: number | null): Promise<void> {
  if (pollId === null) return;
  const installed = await sql<{ t: string | null }>`SELECT to_regclass('poll')::text AS t`.execute(db);
  if (!installed.rows[0]?.t) return;
  const poll = await sql<{ municipality_id: number | null }>`SELECT municipality_id FROM poll WHERE id = ${pollId}`.execute(db);
  const row = poll.rows[0];
  // A municipality's item may report on its own polls and on regional ones.
  if (!row || (row.municipality_id !== null && row.municipality_id !== municipalityId)) throw new DomainError('VALIDATION', { field: 'pollId', problem: 'no such poll' });
}

/** A category for a new item or a changed one: it must exist and not be retired (as for polls and messages). */
async function checkCategory(db: Db, categoryId: number | null): Promise<void> {
  if (categoryId === null) return;
  const row = await db.selectFrom('category').select(['id', 'active']).where('id', '=', categoryId).executeTakeFirst();
  if (!row) throw new DomainError('VALIDATION', { field: 'categoryId', problem: 'no such category' });
  if (!row.active) throw new DomainError('VALIDATION', { field: 'categoryId', problem: 'the category is retired' });
}

export async function getNews(db: Db, id: number): Promise<NewsItem> {
  const row = await db.selectFrom('news_item').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('NEWS_NOT_FOUND', { id });
  return toNews(row);
}

async function lockNews(db: Db, id: number): Promise<NewsItem> {
  const row = await db.selectFrom('news_item').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new DomainError('NEWS_NOT_FOUND', { id });
  return toNews(row);
}

/** A draft, or a scheduled item when `publishAt` is given (published by cron at that time). */
export async function createNews(db: Db, input: NewsFields & { municipalityId: number | null; publishAt: Date | null; staffId: number | null }, now: Date): Promise<NewsItem> {
  await checkCategory(db, input.categoryId);
  await checkPoll(db, input.pollId, input.municipalityId);
  await checkNewsMedia(db, input.municipalityId, input.mediaIds);
  if (input.publishAt && input.publishAt.getTime() <= now.getTime())
    throw new DomainError('VALIDATION', { field: 'publishAt', problem: 'must be in the future (publish now with POST /news/{id}/publish)' });
  const row = await db
    .insertInto('news_item')
    .values({
      municipality_id: input.municipalityId,
      state: input.publishAt ? 'scheduled' : 'draft',
      title: input.title,
      body: input.body,
      category_id: input.categoryId,
      media_ids: JSON.stringify(input.mediaIds),
      link: input.link,
      poll_id: input.pollId,
      publish_at: input.publishAt,
      created_by_staff_id: input.staffId,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toNews(row);
}

export type NewsPatch = Partial<NewsFields> & { publishAt?: Date | null };

/**
 * Edits an item; an archived one is read-only. A published item's edit is stamped (`edited_at`,
 * and the route audits it) and reaches the residents its announcement has not reached yet; changing `publishAt` of a draft schedules it, null unschedules it.
 */
export async function updateNews(db: Db, id: number, patch: NewsPatch, now: Date): Promise<{ item: NewsItem; changed: string[] }> {
  const item = await lockNews(db, id);
  if (item.state === 'archived') throw new DomainError('ILLEGAL_TRANSITION', { id, state: item.state, action: 'edit' });
  // An item already in a category retired since keeps it when an edit names it again.
  if (patch.categoryId !== undefined && patch.categoryId !== item.categoryId) await checkCategory(db, patch.categoryId);
  if (patch.pollId !== undefined) await checkPoll(db, patch.pollId, item.municipalityId);
  if (patch.mediaIds !== undefined) await checkNewsMedia(db, item.municipalityId, patch.mediaIds);
  let state: NewsState = item.state;
  if (patch.publishAt !== undefined) {
    if (item.state === 'published') throw new DomainError('VALIDATION', { field: 'publishAt', problem: 'the item is published already' });
    if (patch.publishAt && patch.publishAt.getTime() <= now.getTime()) throw new DomainError('VALIDATION', { field: 'publishAt', problem: 'must be in the future' });
    state = patch.publishAt ? 'scheduled' : 'draft';
  }
  // Only what differs from the item counts: fields given again as they are change nothing.
  const changed = changedFields(item, patch);
  // Nothing to change: no write, no «edited» stamp on a published item (the route audits nothing).
  if (changed.length === 0) return { item, changed };
  const row = await db
    .updateTable('news_item')
    .set({
      ...(patch.title !== undefined && { title: patch.title }),
      ...(patch.body !== undefined && { body: patch.body }),
      ...(patch.categoryId !== undefined && { category_id: patch.categoryId }),
      ...(patch.mediaIds !== undefined && { media_ids: JSON.stringify(patch.mediaIds) }),
      ...(patch.link !== undefined && { link: patch.link }),
      ...(patch.pollId !== undefined && { poll_id: patch.pollId }),
      ...(patch.publishAt !== undefined && { publish_at: patch.publishAt }),
      state,
      updated_at: now,
      ...(item.state === 'published' && { edited_at: now }),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const updated = toNews(row);
  // Residents the announcement has not reached yet get the edited item.
  if (item.state === 'published') await reviseAnnouncement(db, updated.broadcastId, newsAnnouncement(updated));
  return { item: updated, changed };
}

/** What residents get: the title, the text, the link; photos or the video; a "Comment" button. */
export function newsAnnouncement(item: NewsItem) {
  return {
    key: 'news.broadcast',
    params: { title: item.title, body: item.body, link: item.link ? `\n\n${item.link}` : '' },
    ...(item.mediaIds.length > 0 && { media: item.mediaIds }),
    keyboard: { kind: 'inline', rows: [[{ id: commentNewsId(item.id), label: 'news.comment' }]] },
  };
}

/**
 * Publishes an item now: state `published`, and a broadcast to the residents of its area (its
 * municipality, or every municipality for a regional item) subscribed to `news`. Only a draft or a
 * scheduled item is published (a second publish is a 409, never a second broadcast).
 */
export async function publishNews(db: Db, id: number, now: Date, staffId: number | null): Promise<NewsItem> {
  const item = await lockNews(db, id);
  if (item.state !== 'draft' && item.state !== 'scheduled') throw new DomainError('ILLEGAL_TRANSITION', { id, state: item.state, action: 'publish' });
  const broadcastId = await announce(db, {
    audience: { municipalityId: item.municipalityId, topic: 'news' },
    message: newsAnnouncement(item),
    kind: 'broadcast.news',
    source: `news:${item.id}`,
    createdByStaffId: staffId,
  });
  const row = await db
    .updateTable('news_item')
    .set({ state: 'published', published_at: now, publish_at: item.publishAt ?? now, broadcast_id: broadcastId, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toNews(row);
}

/** Schedules a draft (or reschedules a scheduled item) for `at`. */
export async function scheduleNews(db: Db, id: number, at: Date, now: Date): Promise<NewsItem> {
  const item = await lockNews(db, id);
  if (item.state !== 'draft' && item.state !== 'scheduled') throw new DomainError('ILLEGAL_TRANSITION', { id, state: item.state, action: 'schedule' });
  if (at.getTime() <= now.getTime()) throw new DomainError('VALIDATION', { field: 'publishAt', problem: 'must be in the future' });
  const row = await db.updateTable('news_item').set({ state: 'scheduled', publish_at: at, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toNews(row);
}

/** Hidden from residents, kept for reports; what of its announcement is not sent yet is not sent. */
export async function archiveNews(db: Db, id: number, now: Date): Promise<NewsItem> {
  const item = await lockNews(db, id);
  if (item.state === 'archived') throw new DomainError('ILLEGAL_TRANSITION', { id, state: item.state, action: 'archive' });
  await stopAnnouncement(db, item.broadcastId, now);
  const row = await db.updateTable('news_item').set({ state: 'archived', archived_at: now, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toNews(row);
}

/**
 * Cron job body (runs in the job's transaction, under its advisory lock: core/jobs/run-job.ts):
 * publishes every scheduled item whose time has come. Each item is published behind a savepoint,
 * so one that cannot be published (rolled back alone, retried next minute) holds back no other.
 */
export async function publishDueNews(trx: Db, now: Date): Promise<{ published: number; failed: number }> {
  const due = await trx.selectFrom('news_item').select('id').where('state', '=', 'scheduled').where('publish_at', '<=', now).orderBy('publish_at').limit(200).forUpdate().skipLocked().execute();
  let published = 0;
  let failed = 0;
  for (const { id } of due) {
    await sql`SAVEPOINT news_publish`.execute(trx);
    try {
      await publishNews(trx, id, now, null);
      await sql`RELEASE SAVEPOINT news_publish`.execute(trx);
      published++;
    } catch {
      await sql`ROLLBACK TO SAVEPOINT news_publish`.execute(trx);
      failed++;
    }
  }
  return { published, failed };
}

export interface NewsFilter {
  /** undefined: every municipality and the region; null: regional items only. */
  municipalityIds?: number[];
  includeRegional?: boolean;
  state?: NewsState;
  pollId?: number;
  beforeId?: number;
  limit: number;
}

export async function listNews(db: Db, filter: NewsFilter): Promise<NewsItem[]> {
  let query = db.selectFrom('news_item').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.municipalityIds) {
    const ids = filter.municipalityIds.length > 0 ? filter.municipalityIds : [-1];
    query = query.where((eb) => (filter.includeRegional ? eb.or([eb('municipality_id', 'in', ids), eb('municipality_id', 'is', null)]) : eb('municipality_id', 'in', ids)));
  }
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.pollId !== undefined) query = query.where('poll_id', '=', filter.pollId);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  return (await query.execute()).map(toNews);
}

/**
 * The residents' feed: published items of the municipality and of the region, newest first; the
 * item at `index` with the total (one per screen, Previous / Next).
 */
export async function feedItem(db: Db, municipalityId: number | null, index: number): Promise<{ item: NewsItem | undefined; total: number }> {
  const area = db
    .selectFrom('news_item')
    .where('state', '=', 'published')
    .where((eb) => (municipalityId === null ? eb('municipality_id', 'is', null) : eb.or([eb('municipality_id', '=', municipalityId), eb('municipality_id', 'is', null)])));
  const count = await area.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const row = await area.selectAll().orderBy('published_at', 'desc').orderBy('id', 'desc').offset(index).limit(1).executeTakeFirst();
  return { item: row ? toNews(row) : undefined, total: Number(count.n) };
}

/** A published item a resident of `municipalityId` may open (its own municipality's or regional). */
export async function visibleNews(db: Db, id: number, municipalityId: number | null): Promise<NewsItem | undefined> {
  const row = await db.selectFrom('news_item').selectAll().where('id', '=', id).where('state', '=', 'published').executeTakeFirst();
  if (!row) return undefined;
  if (row.municipality_id !== null && row.municipality_id !== municipalityId) return undefined;
  return toNews(row);
}
