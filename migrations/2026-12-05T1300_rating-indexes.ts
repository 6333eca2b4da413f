import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * The rankings of executors and municipalities (core/kpi/ratings.ts, seed 002 §4.1) read, per
 * municipality and month, the messages closed in the month (quantity, quality, speed) and those
 * accepted into work in it (completeness), a linked duplicate left out. The indexes they had
 * (municipality_id, closed_at and accepted_at apart) met in a BitmapAnd of ~25,000 and ~35,000
 * entries per municipality of a 1,000,000-message region and then read every matching row for
 * `duplicate_of`: 20–100 ms a query, 68 of them per ranking. These two cover those queries: a
 * municipality's month is an index-only range scan (under 1 ms).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    CREATE INDEX message_rating_closed_idx ON message (municipality_id, closed_at)
      INCLUDE (executor_id, created_at, first_intermediate_at, rating_stars)
      WHERE status IN ('solved', 'explained') AND duplicate_of IS NULL;
    CREATE INDEX message_rating_accepted_idx ON message (municipality_id, accepted_at)
      INCLUDE (executor_id, status)
      WHERE accepted_at IS NOT NULL AND duplicate_of IS NULL;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DROP INDEX message_rating_accepted_idx;
    DROP INDEX message_rating_closed_idx;
  `,
  );
}
