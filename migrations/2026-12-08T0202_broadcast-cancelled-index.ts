import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * The expander looks for cancelled broadcasts with rows still waiting at every poll on every
 * instance (dropCancelledUnsent: a cancel writes only the broadcast's row, its waiting outbox
 * rows are marked afterwards). The cancelled ones are a small share of every broadcast ever
 * sent: a partial index keeps that look a scan of them alone, not of the whole table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `CREATE INDEX broadcast_cancelled_idx ON broadcast (id) WHERE state = 'cancelled';`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'DROP INDEX broadcast_cancelled_idx;');
}
