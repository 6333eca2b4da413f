import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * An answer's version, bumped by every change to it or to its photos (a revision, a return, an
 * approval, a bot photo's copy landing or being given up): a revision sent from what the console
 * read names it (If-Match), so a copy that landed since is never dropped by a photo list that could
 * not name it (409 CONCURRENT_CHANGE, the page reads the answer again). Answers existing now start at 1.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `ALTER TABLE answer ADD COLUMN version int NOT NULL DEFAULT 1;`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `ALTER TABLE answer DROP COLUMN version;`);
}
