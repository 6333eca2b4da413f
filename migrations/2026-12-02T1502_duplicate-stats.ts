import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * Statistics leave out duplicates that entered the work (counted once, as their original): the
 * covering index of period aggregates carries `duplicate_of` so they stay index-only scans.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DROP INDEX message_stats_idx;
    CREATE INDEX message_stats_idx ON message (created_at)
      INCLUDE (municipality_id, category_id, status, executor_id, channel, open_source, accepted_at, first_intermediate_at, closed_at, h3_r10, rating_stars, duplicate_of);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DROP INDEX message_stats_idx;
    CREATE INDEX message_stats_idx ON message (created_at)
      INCLUDE (municipality_id, category_id, status, executor_id, channel, open_source, accepted_at, first_intermediate_at, closed_at, h3_r10, rating_stars);
  `,
  );
}
