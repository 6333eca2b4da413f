import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * What the outbox sender needs beyond the foundation:
 * - `sent_parts`: how many API calls of a multi-call row (photos, text, location) already went out,
 *   so a retry resumes after them instead of showing the photos twice;
 * - a claim index in the sender's order (channel, priority, id) over pending rows, so a claim reads
 *   the first due rows without sorting the whole backlog;
 * - a lease index over rows being sent, so expired claims of a killed instance are found cheaply.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    ALTER TABLE outbox ADD COLUMN sent_parts smallint NOT NULL DEFAULT 0;
    CREATE INDEX outbox_claim_idx ON outbox (channel, priority, id) WHERE state = 'pending';
    CREATE INDEX outbox_lease_idx ON outbox (claimed_at) WHERE state = 'sending';
    CREATE INDEX outbox_dead_idx ON outbox (id) WHERE state = 'dead';
  `);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    DROP INDEX outbox_dead_idx;
    DROP INDEX outbox_lease_idx;
    DROP INDEX outbox_claim_idx;
    ALTER TABLE outbox DROP COLUMN sent_parts;
  `);
}
