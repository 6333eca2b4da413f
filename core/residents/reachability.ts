import type { Channel, Db } from '../db/types.ts';

/**
 * The messenger refused delivery for good (the account blocked the bot): notifications and, for a
 * linked official, alerts stop going to this account until it writes again (touchResident clears
 * the mark) or allows messages again (markIdentityReachable).
 */
export async function markIdentityUnreachable(db: Db, channel: Channel, externalId: string, now: Date): Promise<void> {
  for (const table of ['resident_identity', 'staff_identity'] as const) {
    await db.updateTable(table).set({ unreachable_at: now }).where('channel', '=', channel).where('external_id', '=', externalId).where('unreachable_at', 'is', null).execute();
  }
}

/** The account allowed messages again (VK message_allow, Telegram unblock): notifications and alerts may go to it. */
export async function markIdentityReachable(db: Db, channel: Channel, externalId: string): Promise<void> {
  for (const table of ['resident_identity', 'staff_identity'] as const) {
    await db.updateTable(table).set({ unreachable_at: null }).where('channel', '=', channel).where('external_id', '=', externalId).where('unreachable_at', 'is not', null).execute();
  }
}
