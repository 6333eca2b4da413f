import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * Sectors can be retired as a whole (`sector.active`): a retired sector's categories leave filing,
 * and the seed 002 §5 rule (at least three categories per active sector) no longer binds it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'ALTER TABLE sector ADD COLUMN active boolean NOT NULL DEFAULT true;');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'ALTER TABLE sector DROP COLUMN active;');
}
