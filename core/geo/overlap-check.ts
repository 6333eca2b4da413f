import { Worker } from 'node:worker_threads';
import { DomainError } from '../errors.ts';
import type { Boundary } from './geo.ts';

/** What a check's thread gets: the uploaded boundary and its neighbours' (those whose boxes meet its). */
export interface OverlapTask {
  boundary: Boundary;
  others: Boundary[];
}

/**
 * The first neighbour (`index` into `others`) the boundary overlaps or could not be compared with
 * (`failed`: the polygon library's message); `index` -1 when it overlaps none.
 */
export type OverlapVerdict = { index: number; overlaps?: true; failed?: string };

/** Compares uploaded boundaries with their neighbours' off the event loop; one per app (buildApp). */
export interface OverlapChecker {
  /**
   * The first neighbour the boundary overlaps, compared on a worker thread (core/geo/overlap.worker.ts,
   * loaded by Node's type stripping like every other file), so a large upload (seconds at tens of
   * thousands of vertices) leaves the event loop, webhooks and probes included, free. One thread per
   * check, started only when there is a neighbour to compare with; past the time limit it is
   * terminated and the upload refused with BOUNDARY_CHECK_TIMEOUT.
   */
  firstOverlap(boundary: Boundary, others: Boundary[]): Promise<OverlapVerdict>;
  /** How many of this checker's checks are running now. */
  running(): number;
  /**
   * Terminates this checker's checks still running (SIGTERM, once the webhooks have drained, and the
   * app's stop): their uploads fail with SHUTTING_DOWN (503, send it again) and their transactions
   * roll back, so a check of up to BOUNDARY_CHECK_TIMEOUT_MS does not hold the shutdown past its
   * deadline. Checks asked for afterwards still run (a stopped app takes no requests).
   */
  stop(): Promise<void>;
}

/** A checker whose every check may take `timeoutMs` (BOUNDARY_CHECK_TIMEOUT_MS). */
export function createOverlapChecker(settings: { timeoutMs: number }): OverlapChecker {
  /** The checks running now, each with the way to fail its upload when the app stops. */
  const running = new Map<Worker, (error: Error) => void>();
  return {
    firstOverlap(boundary, others) {
      if (others.length === 0) return Promise.resolve({ index: -1 });
      const limit = settings.timeoutMs;
      const task: OverlapTask = { boundary, others };
      const worker = new Worker(new URL('./overlap.worker.ts', import.meta.url), { workerData: task });
      let timer: NodeJS.Timeout | undefined;
      return new Promise<OverlapVerdict>((resolve, reject) => {
        running.set(worker, reject);
        timer = setTimeout(() => reject(new DomainError('BOUNDARY_CHECK_TIMEOUT', { field: 'boundary', timeoutMs: limit })), limit);
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the boundary overlap check stopped (exit code ${code}) before it answered`)));
      }).finally(() => {
        clearTimeout(timer);
        running.delete(worker);
        void worker.terminate();
      });
    },
    running: () => running.size,
    async stop() {
      const checks = [...running];
      running.clear();
      for (const [, fail] of checks) fail(new DomainError('SHUTTING_DOWN', { field: 'boundary' }));
      await Promise.all(checks.map(([worker]) => worker.terminate()));
    },
  };
}
