import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * What a chat's messenger app can show, as it last said (VK `client_info` of each message_new:
 * keyboards, inline keyboards, callback buttons), and the numbered options last shown to an app
 * without keyboards (bots/vk/client.ts). Per chat, next to its dialog position; null until the
 * chat's first message that tells it (capabilities unknown: rendered as before).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `ALTER TABLE dialog_state ADD COLUMN client jsonb;`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `ALTER TABLE dialog_state DROP COLUMN client;`);
}
