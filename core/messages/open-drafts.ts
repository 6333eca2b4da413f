import { sql } from 'kysely';
import type { Db } from '../db/types.ts';

/**
 * The answers of a message still waiting for the curator (draft or returned) that can no longer be
 * approved become `withdrawn` and leave the approval lists: all of them when the message closes;
 * those written by `ofExecutor`'s staff when the message is handed to another executor. Returns
 * their ids.
 */
export async function withdrawOpenDrafts(db: Db, messageId: number, now: Date, ofExecutor?: number): Promise<number[]> {
  let update = db.updateTable('answer').set({ state: 'withdrawn', updated_at: now, version: sql`version + 1` }).where('message_id', '=', messageId).where('state', 'in', ['draft', 'returned']);
  if (ofExecutor !== undefined) update = update.where('author_staff_id', 'in', (eb) => eb.selectFrom('staff').select('id').where('executor_id', '=', ofExecutor));
  const rows = await update.returning('id').execute();
  return rows.map((r) => r.id).sort((a, b) => a - b);
}
