import type { Kysely } from 'kysely';
import { runStatements } from '../core/db/run-statements.ts';

/**
 * A published poll is announced to residents when it opens (its start), not when it is published:
 * - `announced_at`: when the announcement was queued (null: not yet — a poll published ahead of its
 *   start, or a draft); the `poll-announcements` job queues it once the start has come;
 * - `broadcast_id`: the announcement's broadcast.
 * Polls published before this change were announced at publication: they are marked announced, so
 * none is announced twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    ALTER TABLE poll
      ADD COLUMN announced_at timestamptz,
      ADD COLUMN broadcast_id int REFERENCES broadcast(id);
    UPDATE poll SET announced_at = published_at WHERE published_at IS NOT NULL;
    CREATE INDEX poll_announce_due_idx ON poll (starts_at) WHERE state = 'published' AND announced_at IS NULL;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    DROP INDEX poll_announce_due_idx;
    ALTER TABLE poll DROP COLUMN announced_at, DROP COLUMN broadcast_id;
  `,
  );
}
