import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/** How a moderator hears of new messages (issue 18 item 13): at once, in an hourly batch, or only in the 09:00 digest. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, "ALTER TABLE staff ADD COLUMN new_message_alerts text NOT NULL DEFAULT 'immediate' CHECK (new_message_alerts IN ('immediate', 'hourly', 'digest'));");
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'ALTER TABLE staff DROP COLUMN new_message_alerts;');
}
