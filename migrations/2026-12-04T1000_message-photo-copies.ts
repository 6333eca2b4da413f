import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * A filed message's photos are copied into the media store after the filing commits (bots/media/
 * filing-photos.ts), so an official in the other messenger sees them and the API serves them
 * whatever messenger they came through:
 * - `media_id`: the copy, once made;
 * - `source_url`: where VK photos are downloaded from (the largest size of the attachment; a
 *   Telegram photo is fetched by its file id);
 * - `copy_due_at`: when the copier may try next (null: nothing left to do — copied, given up, or
 *   filed before copies existed), `copy_attempts` and `copy_error` its record.
 * Photos of Telegram messages still open (new or in work) are queued now: their cards are still to come.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE message_photo
      ADD COLUMN media_id int REFERENCES media(id) ON DELETE SET NULL,
      ADD COLUMN source_url text,
      ADD COLUMN copy_due_at timestamptz,
      ADD COLUMN copy_attempts int NOT NULL DEFAULT 0,
      ADD COLUMN copy_error text;
    CREATE INDEX message_photo_copy_due_idx ON message_photo (copy_due_at) WHERE copy_due_at IS NOT NULL;
    UPDATE message_photo SET copy_due_at = now()
      WHERE channel = 'tg' AND message_id IN (SELECT id FROM message WHERE status IN ('new', 'in_work'));
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DROP INDEX message_photo_copy_due_idx;
    ALTER TABLE message_photo
      DROP COLUMN media_id,
      DROP COLUMN source_url,
      DROP COLUMN copy_due_at,
      DROP COLUMN copy_attempts,
      DROP COLUMN copy_error;
  `,
  );
}
