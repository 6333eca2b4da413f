import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { dropCancelledUnsent, expandBatch, expandingBroadcasts } from './broadcasts.ts';

export interface BroadcastExpander {
  /** A broadcast was just committed: expand now rather than at the next poll. */
  kick(): void;
  stop(): Promise<void>;
}

export interface ExpanderOptions {
  db: Kysely<Database>;
  /** Residents per batch (one short transaction each). */
  batchSize: number;
  pollMs: number;
  /** After each batch that wrote rows (the app wakes the outbox senders). */
  onRows?: () => void;
  onError?: (error: unknown) => void;
}

/**
 * Expands queued broadcasts into outbox rows, one batch after another, on every instance (a
 * broadcast row locked by one instance's batch is skipped by the others), and marks the rows of
 * cancelled broadcasts still waiting `cancelled` (dropCancelledUnsent). Memory stays bounded:
 * rows are written by INSERT … SELECT in the database, never held here.
 */
export function startBroadcastExpander(options: ExpanderOptions): BroadcastExpander {
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;

  async function runOnce(): Promise<void> {
    // Rows of broadcasts cancelled since are never claimed; marked so here, in short batches.
    await dropCancelledUnsent(options.db);
    for (const id of await expandingBroadcasts(options.db)) {
      for (;;) {
        if (stopped) return;
        const { inserted, done } = await expandBatch(options.db, id, options.batchSize);
        if (inserted > 0) options.onRows?.();
        if (done) break;
      }
    }
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await runOnce().catch((error: unknown) => options.onError?.(error));
      } while (again && !stopped);
    })().finally(() => (running = undefined));
  }

  const timer = setInterval(kick, options.pollMs);
  kick();
  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
