import { describe, expect, it } from 'vitest';
import { farOutlines } from '../../test/boundary-outlines.ts';
import type { Boundary } from './geo.ts';
import { createOverlapChecker } from './overlap-check.ts';

const { far, twice } = farOutlines() as { far: Boundary; twice: Boundary };

describe('overlap checkers', () => {
  it('answer the first neighbour overlapped, and -1 with no neighbour (no thread started)', async () => {
    const checker = createOverlapChecker({ timeoutMs: 60_000 });
    expect(await checker.firstOverlap(twice, [far])).toMatchObject({ index: 0 });
    expect(await checker.firstOverlap(twice, [])).toEqual({ index: -1 });
    expect(checker.running()).toBe(0);
  });

  it("are each an app's own: stopping one ends its checks (SHUTTING_DOWN) and leaves another's running to its verdict", async () => {
    const stopped = createOverlapChecker({ timeoutMs: 60_000 });
    const other = createOverlapChecker({ timeoutMs: 60_000 });
    // Settled as it happens (an upload's route awaits it the same way), read after the stop.
    const ended = stopped.firstOverlap(twice, [far]).then(
      (verdict) => ({ verdict }),
      (error: unknown) => ({ error }),
    );
    const kept = other.firstOverlap(twice, [far]);
    expect([stopped.running(), other.running()]).toEqual([1, 1]);
    await stopped.stop();
    expect(await ended).toMatchObject({ error: { code: 'SHUTTING_DOWN', details: { field: 'boundary' } } });
    expect([stopped.running(), other.running()]).toEqual([0, 1]);
    expect(await kept).toMatchObject({ index: 0 });
    expect(other.running()).toBe(0);
  });

  it("time out by their own setting, not another checker's", async () => {
    const quick = createOverlapChecker({ timeoutMs: 50 });
    const patient = createOverlapChecker({ timeoutMs: 60_000 });
    const [timedOut, answered] = await Promise.allSettled([quick.firstOverlap(twice, [far]), patient.firstOverlap(twice, [far])]);
    expect(timedOut).toMatchObject({ status: 'rejected', reason: { code: 'BOUNDARY_CHECK_TIMEOUT', details: { timeoutMs: 50 } } });
    expect(answered).toMatchObject({ status: 'fulfilled', value: { index: 0 } });
  });
});
