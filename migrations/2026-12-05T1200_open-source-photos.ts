import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * The photos of an open-source item (core/incidents: a VK wall post or comment) become photos of
 * the message its triage creates, so the filed-photo copier (bots/media/filing-photos.ts) copies
 * them into the media store like a resident's: VK's URLs expire and the post may be deleted. Such a
 * photo has no messenger file of the bot's own — only the URL it is downloaded from — so
 * `message_photo.file_id` may now be null; its copy is shown in every messenger.
 * Down: those photos are dropped (they existed only as copies of the item's URLs, which stay on the item).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `ALTER TABLE message_photo ALTER COLUMN file_id DROP NOT NULL;`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DELETE FROM message_photo WHERE file_id IS NULL;
    ALTER TABLE message_photo ALTER COLUMN file_id SET NOT NULL;
  `,
  );
}
