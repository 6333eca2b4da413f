import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * `messenger`: whether each messenger's bot runs, as the instance that started last found its token
 * (app.ts at start). A resident's notices go to the messenger they chose, else the one they wrote in
 * last; while the chosen one is turned off they go to another messenger of theirs that runs, so
 * an answer does not wait unseen for a bot that no longer answers. No row: taken as running.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    CREATE TABLE messenger (
      channel text PRIMARY KEY CHECK (channel IN ('tg', 'vk')),
      running boolean NOT NULL,
      changed_at timestamptz NOT NULL
    );
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, 'DROP TABLE messenger;');
}
