import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * `running_line`: the message that shows a chat's running line (a Telegram album's photo count,
 * View `slot`) as the outbox sent it, so the album's later line edits it instead of adding one
 * (core/outbox/running-line.ts). One row per chat and slot, overwritten by the next album; rows
 * older than a day are pruned with the inbound retention job.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    CREATE TABLE running_line (
      channel text NOT NULL,
      chat_id text NOT NULL,
      slot text NOT NULL,
      album text NOT NULL,
      message_id bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (channel, chat_id, slot)
    );
    CREATE INDEX running_line_updated_idx ON running_line (updated_at);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'DROP TABLE running_line;');
}
