import type { Db } from '../db/types.ts';

/**
 * How long an inbound update id is remembered for dedupe. Telegram gives up redelivering an
 * update within a day and VK within minutes, so a week is a wide margin; older ids only cost space.
 */
export const PROCESSED_UPDATE_RETENTION_DAYS = 7;

/** Deletes dedupe records past the retention period (uses the processed_at index). */
export async function pruneProcessedUpdates(db: Db, now: Date): Promise<{ processedUpdatesPruned: number }> {
  const cutoff = new Date(now.getTime() - PROCESSED_UPDATE_RETENTION_DAYS * 86_400_000);
  const result = await db.deleteFrom('processed_update').where('processed_at', '<', cutoff).executeTakeFirst();
  return { processedUpdatesPruned: Number(result.numDeletedRows) };
}
