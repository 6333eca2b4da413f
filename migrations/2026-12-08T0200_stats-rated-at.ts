import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * The heat map's and the slices' mean rating count only the stars given by the period's end
 * (`message.rated_at`, as KPI 11 and the monthly report): the covering index of period aggregates
 * carries `rated_at` so they stay index-only scans.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DROP INDEX message_stats_idx;
    CREATE INDEX message_stats_idx ON message (created_at)
      INCLUDE (municipality_id, category_id, status, executor_id, channel, open_source, accepted_at, first_intermediate_at, closed_at, h3_r10, rating_stars, duplicate_of, rated_at);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DROP INDEX message_stats_idx;
    CREATE INDEX message_stats_idx ON message (created_at)
      INCLUDE (municipality_id, category_id, status, executor_id, channel, open_source, accepted_at, first_intermediate_at, closed_at, h3_r10, rating_stars, duplicate_of);
  `,
  );
}
