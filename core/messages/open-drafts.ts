import type { Db } from '../db/types.ts';

/**
 * When a message closes, the answers still waiting for the curator (draft or returned) can no
 * longer be approved: they become `withdrawn` and leave the approval lists.
 */
export async function withdrawOpenDrafts(db: Db, messageId: number, now: Date): Promise<void> {
  await db.updateTable('answer').set({ state: 'withdrawn', updated_at: now }).where('message_id', '=', messageId).where('state', 'in', ['draft', 'returned']).execute();
}

/**
 * When a message is handed to another executor, the answers the previous executor's staff left
 * waiting (draft or returned) are theirs no more: they become `withdrawn`. Returns their ids.
 */
export async function withdrawDraftsOfExecutor(db: Db, messageId: number, executorId: number, now: Date): Promise<number[]> {
  const rows = await db
    .updateTable('answer')
    .set({ state: 'withdrawn', updated_at: now })
    .where('message_id', '=', messageId)
    .where('state', 'in', ['draft', 'returned'])
    .where('author_staff_id', 'in', (eb) => eb.selectFrom('staff').select('id').where('executor_id', '=', executorId))
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort((a, b) => a - b);
}
