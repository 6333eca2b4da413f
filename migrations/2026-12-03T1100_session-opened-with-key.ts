import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * A console session opened with an API key remembers that key, so revoking the key (a leaked
 * key, an official who left) ends the sessions it opened instead of leaving them 12 hours.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE api_key ADD COLUMN opened_with integer REFERENCES api_key (id);
    CREATE INDEX api_key_opened_with_idx ON api_key (opened_with) WHERE opened_with IS NOT NULL;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'ALTER TABLE api_key DROP COLUMN opened_with;');
}
