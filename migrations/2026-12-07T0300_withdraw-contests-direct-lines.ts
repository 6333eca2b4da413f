import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * A contest or a direct-line campaign published by mistake can be withdrawn (as a news item is
 * archived): a contest's new state `withdrawn` (entries kept, nothing further happens to it) and
 * `withdrawn_at` on both. Down: a withdrawn contest becomes a finished one (`results_published` at
 * its withdrawal, no winners), the nearest state the old schema has in which nothing happens.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE contest DROP CONSTRAINT contest_state_check;
    ALTER TABLE contest ADD CONSTRAINT contest_state_check
      CHECK (state IN ('draft', 'published', 'entries_open', 'voting_open', 'winners_chosen', 'results_published', 'withdrawn'));
    ALTER TABLE contest ADD COLUMN withdrawn_at timestamptz;
    DROP INDEX contest_active_idx;
    CREATE INDEX contest_active_idx ON contest (state) WHERE state NOT IN ('draft', 'results_published', 'withdrawn');
    ALTER TABLE direct_line ADD COLUMN withdrawn_at timestamptz;
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE direct_line DROP COLUMN withdrawn_at;
    UPDATE contest SET state = 'results_published', results_published_at = COALESCE(results_published_at, withdrawn_at) WHERE state = 'withdrawn';
    DROP INDEX contest_active_idx;
    CREATE INDEX contest_active_idx ON contest (state) WHERE state NOT IN ('draft', 'results_published');
    ALTER TABLE contest DROP COLUMN withdrawn_at;
    ALTER TABLE contest DROP CONSTRAINT contest_state_check;
    ALTER TABLE contest ADD CONSTRAINT contest_state_check
      CHECK (state IN ('draft', 'published', 'entries_open', 'voting_open', 'winners_chosen', 'results_published'));
    `,
  );
}
