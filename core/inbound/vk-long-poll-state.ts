import type { Db } from '../db/types.ts';

/** The ts stored after the last durably handled batch, or undefined before the first one. */
export async function loadVkLongPollTs(db: Db, groupId: string): Promise<string | undefined> {
  const row = await db.selectFrom('vk_long_poll_state').select('ts').where('group_id', '=', groupId).executeTakeFirst();
  return row?.ts;
}

export async function saveVkLongPollTs(db: Db, groupId: string, ts: string, now: Date): Promise<void> {
  await db
    .insertInto('vk_long_poll_state')
    .values({ group_id: groupId, ts, updated_at: now })
    .onConflict((oc) => oc.column('group_id').doUpdateSet({ ts, updated_at: now }))
    .execute();
}
