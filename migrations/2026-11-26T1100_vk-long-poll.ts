import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * Where the VK Bots Long Poll stream stands, one row per community: the `ts` after the last batch
 * that was handled durably, so a restart resumes there and VK re-sends what it still holds.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `
    CREATE TABLE vk_long_poll_state (
      group_id text PRIMARY KEY,
      ts text NOT NULL,
      updated_at timestamptz NOT NULL
    );
  `);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, `DROP TABLE vk_long_poll_state;`);
}
