import { inTransaction } from '../db/transaction.ts';
import type { Db } from '../db/types.ts';
import { isDomainError } from '../errors.ts';
import { storableText } from '../text/unsafe-text.ts';
import { intakeIncident, suggestCategory, type IntakeInput } from './incidents.service.ts';

/**
 * VK walls as incident sources: the community's own wall through the Callback API
 * (`wall_post_new`, `wall_reply_new`), and monitored public pages polled with `wall.get`.
 * Everything from VK is plain JSON checked field by field here.
 */
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);

export const postUrl = (ownerId: number, postId: number) => `https://vk.com/wall${ownerId}_${postId}`;
export const commentUrl = (ownerId: number, postId: number, commentId: number) => `${postUrl(ownerId, postId)}?reply=${commentId}`;
const authorOf = (fromId: number | undefined) => (fromId === undefined ? null : fromId > 0 ? `https://vk.com/id${fromId}` : `https://vk.com/club${-fromId}`);

/** The largest size of each photo attachment. */
function photoUrls(attachments: unknown): string[] {
  if (!Array.isArray(attachments)) return [];
  const urls: string[] = [];
  for (const a of attachments) {
    if (!isObject(a) || a.type !== 'photo' || !isObject(a.photo)) continue;
    const sizes = Array.isArray(a.photo.sizes) ? a.photo.sizes.filter(isObject) : [];
    let best: { url: string; area: number } | undefined;
    for (const s of sizes) {
      const area = (Number(s.width) || 0) * (Number(s.height) || 0);
      if (typeof s.url === 'string' && /^https?:\/\//.test(s.url) && (!best || area > best.area)) best = { url: s.url, area };
    }
    if (best) urls.push(best.url);
  }
  return urls.slice(0, 10);
}

/**
 * A Callback API wall event of the community as an intake, or null when it is not a resident's
 * item: the community's own posts and comments (our published answers come back as
 * wall_reply_new), empty texts, and other event types.
 */
export function wallEventIntake(event: { type: string; object?: unknown }, groupId: number): IntakeInput | null {
  const o = event.object;
  if (!isObject(o)) return null;
  const text = typeof o.text === 'string' ? o.text.trim() : '';
  const fromId = int(o.from_id);
  const date = int(o.date);
  if (!text || fromId === undefined || fromId === -groupId || fromId < 0) return null;
  const postedAt = new Date((date ?? 0) * 1000);
  if (event.type === 'wall_post_new') {
    const id = int(o.id);
    const ownerId = int(o.owner_id);
    if (id === undefined || ownerId === undefined) return null;
    return {
      municipalityId: null,
      source: 'vk_wall',
      sourceUrl: postUrl(ownerId, id),
      sourceRef: { ownerId, postId: id },
      authorName: authorOf(fromId),
      text,
      postedAt,
      photos: photoUrls(o.attachments),
    };
  }
  if (event.type === 'wall_reply_new') {
    const id = int(o.id);
    const postId = int(o.post_id);
    const ownerId = int(o.owner_id) ?? int(o.post_owner_id);
    if (id === undefined || postId === undefined || ownerId === undefined) return null;
    return {
      municipalityId: null,
      source: 'vk_wall',
      sourceUrl: commentUrl(ownerId, postId, id),
      sourceRef: { ownerId, postId, commentId: id },
      authorName: authorOf(fromId),
      text,
      postedAt,
      photos: photoUrls(o.attachments),
    };
  }
  return null;
}

export interface WallPost {
  id: number;
  fromId: number | undefined;
  date: number;
  text: string;
  photos: string[];
  /** How many comments the post has (wall.get's comments.count). */
  comments: number;
}

/**
 * Reads public walls through the service token: the latest posts (wall.get) and a post's latest
 * comments (wall.getComments); throws when VK fails.
 */
export interface WallReader {
  posts(ownerId: number, count: number): Promise<WallPost[]>;
  comments(ownerId: number, postId: number, count: number): Promise<WallPost[]>;
}

export function parseWallGet(response: unknown): WallPost[] {
  const items = isObject(response) && Array.isArray(response.items) ? response.items : [];
  return items.filter(isObject).flatMap((p) => {
    const id = int(p.id);
    if (id === undefined) return [];
    const comments = isObject(p.comments) ? (int(p.comments.count) ?? 0) : 0;
    return [{ id, fromId: int(p.from_id), date: int(p.date) ?? 0, text: typeof p.text === 'string' ? p.text : '', photos: photoUrls(p.attachments), comments }];
  });
}

export const POLL_COUNT = 50;
/** Comments are read under at most this many of the newest posts that have any (one call each). */
export const COMMENTED_POSTS = 10;
export const COMMENTS_COUNT = 100;

/** A post whose content the intake refuses (no statement ran yet) is skipped, not the whole page. */
async function intakeSafely(db: Db, input: IntakeInput, now: Date): Promise<void> {
  try {
    await intakeIncident(db, { ...input, text: storableText(input.text) }, now);
  } catch (error) {
    if (isDomainError(error) && error.kind === 'validation') return;
    throw error;
  }
}

/**
 * Polls every active monitored page once: posts and comments newer than the last ones seen that
 * match a keyword rule of the page's municipality become triage items (idempotent by URL); the
 * last post and comment seen are remembered in the same short transaction, so a restart resumes there. A page VK refuses is
 * skipped this time (counted) and tried again at the next run.
 */
export async function pollIncidentSources(db: Db, read: WallReader, now: Date): Promise<{ pages: number; failed: number; posts: number; matched: number }> {
  const sources = await db.selectFrom('incident_source').select(['id', 'municipality_id', 'owner_id', 'last_post_id', 'last_comment_id']).where('active', '=', true).orderBy('id').execute();
  const counts = { pages: 0, failed: 0, posts: 0, matched: 0 };
  for (const source of sources) {
    const ownerId = Number(source.owner_id);
    const lastPost = Number(source.last_post_id);
    const lastComment = Number(source.last_comment_id);
    let posts: WallPost[];
    const comments: { postId: number; comment: WallPost }[] = [];
    try {
      posts = await read.posts(ownerId, POLL_COUNT);
      // Comments under the newest posts that have any (a comment of an older post waits for its post to show up in the window again: rare).
      const commented = posts
        .filter((p) => p.comments > 0)
        .sort((a, b) => b.id - a.id)
        .slice(0, COMMENTED_POSTS);
      for (const post of commented) {
        for (const comment of await read.comments(ownerId, post.id, COMMENTS_COUNT)) comments.push({ postId: post.id, comment });
      }
    } catch {
      counts.failed++;
      continue;
    }
    counts.pages++;
    // A pinned post may be old: the id, not the position, says what is new.
    const fresh = posts.filter((p) => p.id > lastPost).sort((a, b) => a.id - b.id);
    const freshComments = comments.filter((c) => c.comment.id > lastComment).sort((a, b) => a.comment.id - b.comment.id);
    await inTransaction(db, async (trx) => {
      const take = async (text: string, item: Omit<IntakeInput, 'municipalityId' | 'source' | 'text' | 'suggestedCategoryId' | 'incidentSourceId'>) => {
        counts.posts++;
        if (!text.trim()) return;
        const categoryId = await suggestCategory(trx, source.municipality_id, text);
        if (categoryId === null) return;
        counts.matched++;
        await intakeSafely(
          trx,
          { ...item, municipalityId: source.municipality_id, source: 'vk_page', incidentSourceId: source.id, text: text.trim().slice(0, 4000), suggestedCategoryId: categoryId },
          now,
        );
      };
      for (const post of fresh) {
        await take(post.text, {
          sourceUrl: postUrl(ownerId, post.id),
          sourceRef: { ownerId, postId: post.id },
          authorName: authorOf(post.fromId),
          postedAt: new Date(post.date * 1000),
          photos: post.photos,
        });
      }
      for (const { postId, comment } of freshComments) {
        await take(comment.text, {
          sourceUrl: commentUrl(ownerId, postId, comment.id),
          sourceRef: { ownerId, postId, commentId: comment.id },
          authorName: authorOf(comment.fromId),
          postedAt: new Date(comment.date * 1000),
          photos: comment.photos,
        });
      }
      await trx
        .updateTable('incident_source')
        .set({ last_post_id: Math.max(lastPost, ...fresh.map((p) => p.id)), last_comment_id: Math.max(lastComment, ...freshComments.map((c) => c.comment.id)), last_polled_at: now })
        .where('id', '=', source.id)
        .execute();
    });
  }
  return counts;
}
