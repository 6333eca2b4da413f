import type { Kysely } from 'kysely';
import { expandBatch } from '../core/broadcasts/broadcasts.ts';
import type { Database } from '../core/db/database.ts';

/**
 * Writes a broadcast's outbox rows now, as the expander would, and returns once they are all
 * committed. The app under test runs its own expander too: a batch it holds locked makes
 * expandBatch answer "done" at once (SKIP LOCKED), so this also waits for the state to leave
 * `expanding` before anyone reads the rows.
 */
export async function expandFully(db: Kysely<Database>, broadcastId: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await expandBatch(db, broadcastId, 1000);
    const row = await db.selectFrom('broadcast').select('state').where('id', '=', broadcastId).executeTakeFirstOrThrow();
    if (row.state !== 'expanding') return;
    if (Date.now() > deadline) throw new Error(`broadcast ${broadcastId} still expanding after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
