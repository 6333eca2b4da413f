import type { Channel, Db } from '../db/types.ts';

/**
 * The messenger refused delivery for good (the resident blocked the bot): notifications stop
 * going to this identity until the resident writes again (touchResident clears the mark).
 */
export async function markIdentityUnreachable(db: Db, channel: Channel, externalId: string, now: Date): Promise<void> {
  await db
    .updateTable('resident_identity')
    .set({ unreachable_at: now })
    .where('channel', '=', channel)
    .where('external_id', '=', externalId)
    .where('unreachable_at', 'is', null)
    .execute();
}

/** The resident allowed messages again (VK message_allow): notifications may go to this identity. */
export async function markIdentityReachable(db: Db, channel: Channel, externalId: string): Promise<void> {
  await db.updateTable('resident_identity').set({ unreachable_at: null }).where('channel', '=', channel).where('external_id', '=', externalId).execute();
}
