import { sql } from 'kysely';
import { inTransaction } from '../db/transaction.ts';
import type { Channel, Db } from '../db/types.ts';
import { enqueue, type OutboxEntry } from '../outbox/outbox.repository.ts';
import type { OutboxPayload } from '../outbox/outbox.table.ts';

/**
 * The queue of filed photos to copy into the media store (message_photo.copy_due_at). Copies are
 * made outside any request's transaction (bots/media/filing-photos.ts): a claim is one statement
 * that leases the rows (their due time moves past the lease, so a copier that dies leaves them to
 * the next one), and each outcome is one more.
 */
export interface PhotoToCopy {
  id: number;
  /** The message the photo belongs to (an answer's photo: the answer's message); null for an open-source item's (incident_photo). */
  messageId: number | null;
  /** An answer's photo (answer_photo): its answer; absent for a filed one. */
  answerId?: number;
  /** An open-source item's photo (incident_photo): its item, before or after triage. */
  incidentId?: number;
  /** Whose the copy is; null: the region's (an item of the region's shared queue). */
  municipalityId: number | null;
  channel: Channel;
  /** Null for an open-source photo: downloaded from `sourceUrl` whatever its channel. */
  fileId: string | null;
  fileUniqueId: string | null;
  sourceUrl: string | null;
  /** This attempt's number (1 for the first). */
  attempt: number;
  /** The claim's lease: the photo's due time until it is settled (or given back, releasePhotoCopies). */
  leasedUntil: Date;
}

/**
 * The queues of photos to copy, with the same copy columns: filed photos (message_photo, of a
 * message), those sent with an answer in the bot (answer_photo, of an answer of a message) and an
 * open-source item's on VK's file servers (incident_photo, from intake on: core/incidents/incident-photos.ts).
 */
export type CopyQueueTable = 'message_photo' | 'answer_photo' | 'incident_photo';

export interface ClaimOptions {
  channels: readonly Channel[];
  now: Date;
  leaseMs: number;
  limit: number;
}

/**
 * Claims up to `limit` photos of `table` due for copying through `channels`, oldest first, in one
 * statement: each row's due time moves to the lease's end and its attempt is counted (SKIP LOCKED,
 * so concurrent copiers take different rows). An answer's photo comes with its answer and message.
 */
export async function claimPhotoCopies(db: Db, table: CopyQueueTable, options: ClaimOptions): Promise<PhotoToCopy[]> {
  if (options.channels.length === 0) return [];
  const leasedUntil = new Date(options.now.getTime() + options.leaseMs);
  const answers = table === 'answer_photo';
  const incidents = table === 'incident_photo';
  const owner = answers
    ? sql`FROM answer a JOIN message m ON m.id = a.message_id WHERE a.id = p.answer_id`
    : incidents
      ? sql`FROM incident i WHERE i.id = p.incident_id`
      : sql`FROM message m WHERE m.id = p.message_id`;
  const returned = incidents
    ? sql`p.id, NULL::int AS message_id, NULL::int AS answer_id, i.id AS incident_id, i.municipality_id, p.channel, NULL::text AS file_id, NULL::text AS file_unique_id, p.source_url, p.copy_attempts`
    : sql`p.id, m.id AS message_id, ${answers ? sql`a.id` : sql`NULL::int`} AS answer_id, NULL::int AS incident_id, m.municipality_id, p.channel, p.file_id, p.file_unique_id, p.source_url, p.copy_attempts`;
  const { rows } = await sql<{
    id: number;
    message_id: number | null;
    answer_id: number | null;
    incident_id: number | null;
    municipality_id: number | null;
    channel: Channel;
    file_id: string | null;
    file_unique_id: string | null;
    source_url: string | null;
    copy_attempts: number;
  }>`
    UPDATE ${sql.table(table)} AS p SET copy_due_at = ${leasedUntil}, copy_attempts = p.copy_attempts + 1
    ${owner}
      AND p.id IN (
        SELECT id FROM ${sql.table(table)}
        WHERE copy_due_at <= ${options.now} AND channel IN (${sql.join([...options.channels])})
        ORDER BY copy_due_at, id LIMIT ${options.limit} FOR UPDATE SKIP LOCKED
      )
    RETURNING ${returned}`.execute(db);
  // RETURNING follows no order: the oldest photos first, in their message's (or answer's) order.
  rows.sort((a, b) => a.id - b.id);
  return rows.map((r) => ({
    id: r.id,
    messageId: r.message_id,
    ...(r.answer_id !== null && { answerId: r.answer_id }),
    ...(r.incident_id !== null && { incidentId: r.incident_id }),
    municipalityId: r.municipality_id,
    channel: r.channel,
    fileId: r.file_id,
    fileUniqueId: r.file_unique_id,
    sourceUrl: r.source_url,
    attempt: r.copy_attempts,
    leasedUntil,
  }));
}

/**
 * Claimed photos whose download never started (the copier is stopping) go back to the queue at
 * once, their attempt uncounted, rather than waiting for the lease to run out: the next instance's
 * copier takes them at its first pass. A photo whose lease is no longer this claim's is left alone.
 */
export async function releasePhotoCopies(db: Db, table: CopyQueueTable, photos: readonly PhotoToCopy[], now: Date): Promise<void> {
  for (const [leasedUntil, leased] of Map.groupBy(photos, (p) => p.leasedUntil.getTime())) {
    const ids = leased.map((p) => p.id);
    await sql`
      UPDATE ${sql.table(table)} SET copy_due_at = ${now}, copy_attempts = copy_attempts - 1
      WHERE id IN (${sql.join(ids)}) AND media_id IS NULL AND copy_due_at = ${new Date(leasedUntil)}`.execute(db);
  }
}

/** The outbox kind of the photos sent after a card that went out without them. */
export const LATE_PHOTOS_KIND = 'alert.photos';
/**
 * Cards that show the message's photos (core/alerts/cards.ts, new-message.ts): the ones a late copy
 * is sent after — the executor's while it is in work, the moderators' while it is new.
 */
const CARD_KIND_BY_STATUS: Partial<Record<string, string>> = { in_work: 'alert.assigned', new: 'alert.new_message' };

/**
 * Copies of one message's photos are made (`copies`, in the message's order): each photo points
 * at its copy and leaves the queue, and every card of the message already queued without them —
 * in the other messenger (in any, for an open-source photo), to an official of the message's
 * current executor — gets them in a follow-up row, all of them in one (an album in Telegram).
 * Returns the follow-up rows queued.
 *
 * One transaction that first share-locks the message: a card is queued under the message's row
 * lock (acceptMessage, routeMessage lock it before reading the photos), so either the card's
 * transaction saw these copies (it committed after this one) or this one sees the card (it
 * committed before). A photo already copied (a second copier whose lease had run out) counts for
 * nothing, and each follow-up's dedupe key names its card and photos: repeated or concurrent
 * passes queue a card's photos once.
 */
export async function recordCopies(db: Db, messageId: number, copies: { photoId: number; mediaId: number }[]): Promise<number> {
  if (copies.length === 0) return 0;
  return inTransaction(db, async (trx) => {
    const message = await trx.selectFrom('message').select(['id', 'status', 'executor_id']).where('id', '=', messageId).forShare().executeTakeFirst();
    const fresh: { id: number; channel: Channel; file_id: string | null; media_id: number | null; position: number; comment_id: number | null }[] = [];
    for (const copy of copies) {
      const row = await trx
        .updateTable('message_photo')
        .set({ media_id: copy.mediaId, copy_due_at: null, copy_error: null })
        .where('id', '=', copy.photoId)
        .where('message_id', '=', messageId)
        .where('media_id', 'is', null)
        .returning(['id', 'channel', 'file_id', 'media_id', 'position', 'comment_id'])
        .executeTakeFirst();
      if (row) fresh.push(row);
    }
    fresh.sort((a, b) => a.position - b.position || a.id - b.id);
    // Photos a clarification reply brought follow its alert, not the message's card (which never showed them).
    const entries = await replyFollowUps(trx, messageId, fresh);
    const filed = fresh.filter((p) => p.comment_id === null);
    const cardKind = message ? CARD_KIND_BY_STATUS[message.status] : undefined;
    const executorId = message?.status === 'in_work' ? message.executor_id : null;
    if (cardKind === undefined || (cardKind === 'alert.assigned' && executorId === null) || filed.length === 0) return (await enqueue(trx, entries)).length;
    const cards = await trx
      .selectFrom('staff_alert as a')
      .innerJoin('outbox as o', (join) => join.on('o.dedupe_key', 'in', [sql<string>`a.dedupe_key || ':tg'`, sql<string>`a.dedupe_key || ':vk'`]))
      .innerJoin('staff as s', 's.id', 'a.staff_id')
      .select(['o.id', 'o.channel', 'o.chat_id', 'o.staff_id', 'o.payload', 'o.priority'])
      .where('a.message_id', '=', messageId)
      .where('a.kind', '=', cardKind)
      .$if(executorId !== null, (q) => q.where('s.executor_id', '=', executorId!))
      .where('s.active', '=', true)
      .where('o.state', 'in', ['pending', 'sending', 'sent'])
      .execute();
    entries.push(...lateEntries(cards, messageId, filed));
    return (await enqueue(trx, entries)).length;
  });
}

interface FreshCopy {
  id: number;
  channel: Channel;
  file_id: string | null;
  media_id: number | null;
}

interface SentCard {
  id: number;
  channel: Channel;
  chat_id: string;
  staff_id: number | null;
  payload: OutboxPayload;
  priority: number;
}

/**
 * The follow-ups of clarification replies' photos (message_photo.comment_id): each reply's alert
 * (core/alerts/author-comments.ts), once per official and messenger (its first row), gets the
 * reply's photos that came through the other messenger.
 */
async function replyFollowUps(trx: Db, messageId: number, fresh: (FreshCopy & { comment_id: number | null })[]): Promise<OutboxEntry[]> {
  const entries: OutboxEntry[] = [];
  for (const [commentId, photos] of Map.groupBy(
    fresh.filter((p) => p.comment_id !== null),
    (p) => p.comment_id!,
  )) {
    const rows = await trx
      .selectFrom('staff_alert as a')
      .innerJoin('outbox as o', (join) => join.on('o.dedupe_key', 'in', [sql<string>`a.dedupe_key || ':tg'`, sql<string>`a.dedupe_key || ':vk'`]))
      .innerJoin('staff as s', 's.id', 'a.staff_id')
      .select(['o.id', 'o.channel', 'o.chat_id', 'o.staff_id', 'o.payload', 'o.priority'])
      .where('a.message_id', '=', messageId)
      .where('a.kind', '=', 'alert.author_comment')
      .where('a.dedupe_key', 'like', `author_comment:${commentId}:%`)
      .where('s.active', '=', true)
      .where('o.state', 'in', ['pending', 'sending', 'sent'])
      .orderBy('o.id')
      .execute();
    entries.push(...lateEntries(rows, messageId, photos));
  }
  return entries;
}

/** A follow-up row per card for the fresh copies it does not show (its messenger's own photos it shows already). */
function lateEntries(cards: SentCard[], messageId: number, fresh: FreshCopy[]): OutboxEntry[] {
  return cards.flatMap((card) => {
    const shown = new Set(card.payload.media ?? []);
    // A messenger's own photos are on its cards already; an open-source photo (no file id) only ever as its copy.
    const late = fresh.filter((p) => (p.channel !== card.channel || p.file_id === null) && p.media_id !== null && !shown.has(p.media_id));
    if (late.length === 0) return [];
    const payload: OutboxPayload = {
      key: 'alert.late_photos',
      params: { messageId },
      ...(card.payload.language && { language: card.payload.language }),
      media: late.map((p) => p.media_id!),
    };
    return [
      {
        channel: card.channel,
        chatId: card.chat_id,
        recipientKind: 'staff' as const,
        staffId: card.staff_id,
        kind: LATE_PHOTOS_KIND,
        payload,
        // The card's lane: the follow-up leaves after it, never before.
        priority: card.priority,
        dedupeKey: `late_photos:${card.id}:${late.map((p) => p.id).join(',')}`,
      },
    ];
  });
}

/**
 * The attempt failed: tried again at `retryAt`, or never (null: given up; a message's photo stays
 * with its messenger, an item's with its VK link). Any of the copy queues, as claiming and releasing.
 */
export async function photoCopyFailed(db: Db, table: CopyQueueTable, photoId: number, error: string, retryAt: Date | null): Promise<void> {
  await sql`UPDATE ${sql.table(table)} SET copy_due_at = ${retryAt}, copy_error = ${error.slice(0, 300)} WHERE id = ${photoId}`.execute(db);
}
