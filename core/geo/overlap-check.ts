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

/** How long one upload's check may take (BOUNDARY_CHECK_TIMEOUT_MS); set by the app from its config. */
let timeoutMs = 20_000;
/** The checks running now, each with the way to fail its upload when the instance stops. */
const running = new Map<Worker, (error: Error) => void>();

export function configureOverlapChecks(settings: { timeoutMs: number }): void {
  timeoutMs = settings.timeoutMs;
}

/**
 * Compares a boundary with its neighbours' on a worker thread (core/geo/overlap.worker.ts, loaded by
 * Node's type stripping like every other file), so a large upload (seconds at tens of thousands of
 * vertices) leaves the event loop, webhooks and probes included, free. One thread per check, started
 * only when there is a neighbour to compare with; past the time limit it is terminated and the upload
 * refused with BOUNDARY_CHECK_TIMEOUT.
 */
export function firstOverlap(boundary: Boundary, others: Boundary[]): Promise<OverlapVerdict> {
  if (others.length === 0) return Promise.resolve({ index: -1 });
  const limit = timeoutMs;
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
}

/** How many checks are running now. */
export function overlapChecksRunning(): number {
  return running.size;
}

/**
 * Terminates the checks still running (SIGTERM, once the webhooks have drained, and the app's stop):
 * their uploads fail with SHUTTING_DOWN (503, send it again) and their transactions roll back, so
 * a check of up to BOUNDARY_CHECK_TIMEOUT_MS does not hold the shutdown past its deadline.
 */
export async function stopOverlapChecks(): Promise<void> {
  const checks = [...running];
  running.clear();
  for (const [, fail] of checks) fail(new DomainError('SHUTTING_DOWN', { field: 'boundary' }));
  await Promise.all(checks.map(([worker]) => worker.terminate()));
}
