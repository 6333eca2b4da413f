import { parentPort, workerData } from 'node:worker_threads';
import type { Boundary } from './geo.ts';
import { boundariesOverlap } from './overlap.ts';
import type { OverlapTask, OverlapVerdict } from './overlap-check.ts';

/**
 * The overlap check of one upload on a thread of its own (core/geo/overlap-check.ts starts it): the
 * boundary against each neighbour in turn, stopping at the first it overlaps or cannot be compared
 * with. Posts one verdict; the caller terminates the thread.
 */
const { boundary, others } = workerData as OverlapTask;

function verdict(): OverlapVerdict {
  for (const [index, other] of others.entries()) {
    try {
      if (boundariesOverlap(boundary, other as Boundary)) return { index, overlaps: true };
    } catch (error) {
      return { index, failed: error instanceof Error ? error.message : String(error) };
    }
  }
  return { index: -1 };
}

parentPort!.postMessage(verdict());
