import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * `regional_digest_day`: the regional curators' daily digest (the municipalities without a curator of
 * their own reachable in a messenger) marked done for a local date of the region's zone, as
 * `digest_day` marks a municipality's: a retry or a second instance finds the day done.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    CREATE TABLE regional_digest_day (
      local_date text PRIMARY KEY CHECK (local_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      created_at timestamptz NOT NULL
    );
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `DROP TABLE regional_digest_day;`);
}
