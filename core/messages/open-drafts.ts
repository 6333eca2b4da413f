import type { Db } from '../db/types.ts';

/**
 * When a message closes, the answers still waiting for the curator (draft or returned) can no
 * longer be approved: they become `withdrawn` and leave the approval lists.
 */
export async function withdrawOpenDrafts(db: Db, messageId: number, now: Date): Promise<void> {
  await db.updateTable('answer').set({ state: 'withdrawn', updated_at: now }).where('message_id', '=', messageId).where('state', 'in', ['draft', 'returned']).execute();
}
