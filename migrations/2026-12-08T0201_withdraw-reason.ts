import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * Why officials withdrew a contest or a direct-line campaign (optional, up to 500 characters):
 * shown in the admin API's read and told to the participants (a contest's entrants in their
 * notice, residents who tap a called-off campaign's button).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE contest ADD COLUMN withdrawn_reason text CHECK (char_length(withdrawn_reason) <= 500);
    ALTER TABLE direct_line ADD COLUMN withdrawn_reason text CHECK (char_length(withdrawn_reason) <= 500);
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE direct_line DROP COLUMN withdrawn_reason;
    ALTER TABLE contest DROP COLUMN withdrawn_reason;
    `,
  );
}
