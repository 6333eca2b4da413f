import { describe, expect, it } from 'vitest';
import { createRatePacer, sleep } from './rate-pacer.ts';

/** Most calls in any window of `windowMs` over sorted times. */
function busiestWindow(times: number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('rate pacer', () => {
  it('never lets more than the limit through in any one-second window, even with concurrent callers', async () => {
    const pacer = createRatePacer({ perSecond: 40, headroom: 0.05 });
    const times: number[] = [];
    await Promise.all(Array.from({ length: 100 }, () => pacer.take().then(() => times.push(Date.now()))));
    times.sort((a, b) => a - b);
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(40);
    // 100 calls at 38/s after a half-speed start cannot take less than two seconds.
    expect(times[times.length - 1]! - times[0]!).toBeGreaterThanOrEqual(2000);
  });

  it('holds every caller during a pause and slows down after it', async () => {
    const pacer = createRatePacer({ perSecond: 100, headroom: 0 });
    await pacer.take();
    const pausedAt = Date.now();
    pacer.pause(300);
    pacer.slowDown();
    expect(pacer.factor).toBeLessThan(1);
    await pacer.take();
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(295);
  });

  it('counts a call from when its answer came back: a slow call holds its slot a second past its end', async () => {
    const pacer = createRatePacer({ perSecond: 2, headroom: 0 });
    const start = Date.now();
    const slow = await pacer.take();
    (await pacer.take())(); // a quick call
    await sleep(300);
    slow(); // the slow call's answer came back 300 ms after it started
    await pacer.take();
    // Not a second after the slow call started (1000 ms) but a second after it ended.
    expect(Date.now() - start).toBeGreaterThanOrEqual(1295);
  });

  it('costs no memory up front for a limit far above what is sent (a local Bot API server)', async () => {
    const before = process.memoryUsage().heapUsed;
    const pacer = createRatePacer({ perSecond: 100_000_000, headroom: 0 });
    for (let i = 0; i < 1000; i++) (await pacer.take())();
    // A ring buffer sized to the limit up front took 1.6 GB here; it grows with the calls made.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(20 * 1024 * 1024);
  });
});
