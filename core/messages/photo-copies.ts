import type { Channel, Db } from '../db/types.ts';

/**
 * The queue of filed photos to copy into the media store (message_photo.copy_due_at). Copies are
 * made outside any request's transaction (bots/media/filing-photos.ts): a claim is one statement
 * that leases the rows (their due time moves past the lease, so a copier that dies leaves them to
 * the next one), and each outcome is one more.
 */
export interface PhotoToCopy {
  id: number;
  messageId: number;
  municipalityId: number;
  channel: Channel;
  fileId: string;
  fileUniqueId: string | null;
  sourceUrl: string | null;
  /** This attempt's number (1 for the first). */
  attempt: number;
}

export async function claimPhotoCopies(db: Db, options: { channels: readonly Channel[]; now: Date; leaseMs: number; limit: number }): Promise<PhotoToCopy[]> {
  if (options.channels.length === 0) return [];
  const rows = await db
    .updateTable('message_photo as p')
    .from('message as m')
    .set((eb) => ({ copy_due_at: new Date(options.now.getTime() + options.leaseMs), copy_attempts: eb('p.copy_attempts', '+', 1) }))
    .whereRef('m.id', '=', 'p.message_id')
    .where('p.id', 'in', (eb) =>
      eb
        .selectFrom('message_photo')
        .select('id')
        .where('copy_due_at', '<=', options.now)
        .where('channel', 'in', options.channels)
        .orderBy('copy_due_at')
        .orderBy('id')
        .limit(options.limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['p.id', 'p.message_id', 'm.municipality_id', 'p.channel', 'p.file_id', 'p.file_unique_id', 'p.source_url', 'p.copy_attempts'])
    .execute();
  // RETURNING follows no order: the oldest photos first, in their message's order.
  rows.sort((a, b) => a.id - b.id);
  return rows.map((r) => ({
    id: r.id,
    messageId: r.message_id,
    municipalityId: r.municipality_id,
    channel: r.channel,
    fileId: r.file_id,
    fileUniqueId: r.file_unique_id,
    sourceUrl: r.source_url,
    attempt: r.copy_attempts,
  }));
}

/** The copy is made: the photo points at it and leaves the queue. */
export async function photoCopied(db: Db, photoId: number, mediaId: number): Promise<void> {
  await db.updateTable('message_photo').set({ media_id: mediaId, copy_due_at: null, copy_error: null }).where('id', '=', photoId).execute();
}

/** The attempt failed: tried again at `retryAt`, or never (null: given up; the photo stays with its messenger). */
export async function photoCopyFailed(db: Db, photoId: number, error: string, retryAt: Date | null): Promise<void> {
  await db
    .updateTable('message_photo')
    .set({ copy_due_at: retryAt, copy_error: error.slice(0, 300) })
    .where('id', '=', photoId)
    .execute();
}
