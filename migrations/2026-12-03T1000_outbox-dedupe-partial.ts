import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * The outbox's dedupe key is unique only where it is set. The UNIQUE constraint indexed every row,
 * NULL keys too: a reply (no key) paid an entry in that index at insert and another at its settle
 * (a non-HOT update: `state` is in the partial indexes' predicates), and the outbox keeps its sent
 * rows, so the index grew with every message ever sent. Inserts that dedupe name the index's
 * predicate (`ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    CREATE UNIQUE INDEX outbox_dedupe_key_idx ON outbox (dedupe_key) WHERE dedupe_key IS NOT NULL;
    ALTER TABLE outbox DROP CONSTRAINT outbox_dedupe_key_key;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE outbox ADD CONSTRAINT outbox_dedupe_key_key UNIQUE (dedupe_key);
    DROP INDEX outbox_dedupe_key_idx;
  `,
  );
}
