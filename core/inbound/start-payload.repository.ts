import type { Channel, Db } from '../db/types.ts';

/** Telegram allows up to 64 characters in a /start payload; anything longer is not ours. */
export const MAX_START_PAYLOAD = 64;

export async function recordStartPayload(db: Db, input: { channel: Channel; externalId: string; payload: string }, now: Date): Promise<void> {
  await db
    .insertInto('start_payload')
    .values({ channel: input.channel, external_id: input.externalId, payload: input.payload.slice(0, MAX_START_PAYLOAD), received_at: now })
    .execute();
}
