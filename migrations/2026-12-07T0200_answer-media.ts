import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * `answer.media_ids`: photos an official attaches to an answer, as files of the media store
 * (POST /api/v1/media), up to 10 images; they reach the resident with the approved answer in
 * whichever messenger they are reached in (the sender uploads each file there once).
 * Down: the column is dropped (the files stay in the media store).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `ALTER TABLE answer ADD COLUMN media_ids jsonb NOT NULL DEFAULT '[]'::jsonb;`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `ALTER TABLE answer DROP COLUMN media_ids;`);
}
