import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * An answer still waiting for the curator (draft, or returned to its executor) when its message
 * closes is `withdrawn`: it can no longer be approved, so it leaves the approval lists and digests
 * instead of staying a draft forever.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE answer DROP CONSTRAINT answer_state_check;
    ALTER TABLE answer ADD CONSTRAINT answer_state_check CHECK (state IN ('draft', 'returned', 'approved', 'delivered', 'withdrawn'));
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    UPDATE answer SET state = 'returned' WHERE state = 'withdrawn';
    ALTER TABLE answer DROP CONSTRAINT answer_state_check;
    ALTER TABLE answer ADD CONSTRAINT answer_state_check CHECK (state IN ('draft', 'returned', 'approved', 'delivered'));
  `,
  );
}
