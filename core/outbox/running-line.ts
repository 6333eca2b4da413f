import { sql } from 'kysely';
import type { Channel, Db } from '../db/types.ts';

/**
 * The messages showing a chat's running lines (bots/dialogs/view.ts `slot`) of one Telegram album,
 * as the outbox sent them: a later line of the same slot and album edits that message instead of
 * adding another, however far apart the album's photos came. Written by the sender right after the
 * call that showed the line; a chat's rows leave in order, so the album's next line is sent after it.
 */

/** How long a line is kept: an album's photos come within minutes; older rows only cost space. */
export const RUNNING_LINE_RETENTION_MS = 86_400_000;

/** The album's lines sent to the chat: message id by slot (none: every line is sent anew). */
export async function runningLines(db: Db, channel: Channel, chatId: string, album: string): Promise<Record<string, number>> {
  const rows = await db.selectFrom('running_line').select(['slot', 'message_id']).where('channel', '=', channel).where('chat_id', '=', chatId).where('album', '=', album).execute();
  return Object.fromEntries(rows.map((r) => [r.slot, Number(r.message_id)]));
}

/** The message that now shows the chat's line of `slot` for `album` (an earlier album's line of the slot is forgotten). */
export async function recordRunningLine(db: Db, line: { channel: Channel; chatId: string; album: string; slot: string; messageId: number }): Promise<void> {
  await db
    .insertInto('running_line')
    .values({ channel: line.channel, chat_id: line.chatId, slot: line.slot, album: line.album, message_id: line.messageId })
    .onConflict((oc) => oc.columns(['channel', 'chat_id', 'slot']).doUpdateSet((eb) => ({ album: eb.ref('excluded.album'), message_id: eb.ref('excluded.message_id'), updated_at: sql<Date>`now()` })))
    .execute();
}

/** Deletes lines older than RUNNING_LINE_RETENTION_MS (their albums are long over). */
export async function pruneRunningLines(db: Db, now: Date): Promise<{ runningLinesPruned: number }> {
  const result = await db
    .deleteFrom('running_line')
    .where('updated_at', '<', new Date(now.getTime() - RUNNING_LINE_RETENTION_MS))
    .executeTakeFirst();
  return { runningLinesPruned: Number(result.numDeletedRows) };
}
