import { sql } from 'kysely';
import type { Db } from '../db/types.ts';
import { DomainError } from '../errors.ts';
import { listAnswers, type Answer } from './answers.service.ts';
import { countSupporters, getRating, listComments, type Comment, type Rating } from './feedback.service.ts';
import { getMessage, listEvents, toMessage, type Message, type MessageEvent } from './message.repository.ts';
import { assigneeOf, type Assignee } from './queue.ts';

export interface MessageCard {
  message: Message;
  events: MessageEvent[];
  answers: Answer[];
  comments: Comment[];
  /** `mediaId`: the photo's copy in the media store, once made (bots/media/filing-photos.ts). */
  /** fileId: null for an open-source photo known only by its URL (shown through its copy). */
  photos: { fileId: string | null; fileUniqueId: string | null; channel: string; mediaId: number | null }[];
  rating: Rating | null;
  supporters: number;
  executorName: string | null;
  /** The executor organisation the message is assigned to and its linked staff. */
  assignee: Assignee | null;
}

/** Everything about one message; `visibleToResident` hides drafts the resident must not see. */
export async function getMessageCard(db: Db, messageId: number, options: { visibleToResident?: boolean } = {}): Promise<MessageCard> {
  const message = await getMessage(db, messageId);
  const [events, answers, comments, photos, rating, supporters, assignee] = await Promise.all([
    listEvents(db, messageId),
    listAnswers(db, messageId),
    listComments(db, messageId),
    db.selectFrom('message_photo').select(['file_id', 'file_unique_id', 'channel', 'media_id']).where('message_id', '=', messageId).orderBy('position').execute(),
    getRating(db, messageId),
    countSupporters(db, messageId),
    assigneeOf(db, message.executorId),
  ]);
  return {
    message,
    events,
    answers: options.visibleToResident ? answers.filter((a) => a.state === 'approved' || a.state === 'delivered') : answers,
    comments,
    photos: photos.map((p) => ({ fileId: p.file_id, fileUniqueId: p.file_unique_id, channel: p.channel, mediaId: p.media_id })),
    rating,
    supporters,
    executorName: assignee?.name ?? null,
    assignee,
  };
}

/**
 * A resident's own messages, newest first, a page at a time. One round trip: the page carries the
 * total (a window count); only a page past the end, which has no row to carry it, counts apart.
 */
export async function listResidentMessages(db: Db, residentId: number, page: { offset: number; limit: number }): Promise<{ items: Message[]; total: number }> {
  const rows = await db
    .selectFrom('message')
    .selectAll()
    .select(sql<string>`count(*) OVER ()`.as('total_count'))
    .where('author_id', '=', residentId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  if (rows.length > 0) return { items: rows.map(({ total_count, ...row }) => toMessage(row)), total: Number(rows[0]!.total_count) };
  if (page.offset === 0) return { items: [], total: 0 };
  const total = await db.selectFrom('message').select((eb) => eb.fn.countAll<string>().as('n')).where('author_id', '=', residentId).executeTakeFirstOrThrow();
  return { items: [], total: Number(total.n) };
}

/** Checks that a resident may open a message card: their own, or one they support. */
export async function assertResidentCanView(db: Db, residentId: number, messageId: number): Promise<Message> {
  const message = await getMessage(db, messageId);
  if (message.authorId === residentId) return message;
  const supports = await db.selectFrom('support').select('message_id').where('message_id', '=', messageId).where('resident_id', '=', residentId).executeTakeFirst();
  if (!supports && !message.published) throw new DomainError('MESSAGE_NOT_FOUND', { id: messageId });
  return message;
}
