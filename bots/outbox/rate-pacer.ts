/**
 * Paces one channel's API calls with two rules:
 * - evenly spaced slots at the configured rate minus a headroom; a caller that comes late (the
 *   event loop was busy) may still use slots up to CATCH_UP_MS old, so a short stall costs nothing;
 * - a hard guard shaped like the messenger's own check: never more than `perSecond` calls in any
 *   window of 1 s plus the headroom (50 ms at 5%), which also bounds the catch-up bursts and leaves
 *   that margin for jitter between our clock and the messenger's arrival times. A call counts in
 *   that window from when its answer came back, once it has: the messenger saw it somewhere
 *   between our start and our end, so a request held up in a busy process or the network cannot
 *   land in the same window as the calls made a second after it started.
 * A 429 pauses the channel and slows it down (multiplicatively); the rate then recovers linearly.
 * After a start or a long idle the rate ramps up from half over a second: the first calls open new
 * connections and arrive late, the next ones reuse them and catch up, and that crowding would
 * otherwise overfill the messenger's first one-second window (measured in bench/outbox.ts).
 */
export interface RatePacer {
  /** Resolves when the caller may make one call; each call takes its own slot. Call the returned function once the call's answer has come back. */
  take(): Promise<CallFinished>;
  /** No slot before `ms` from now. */
  pause(ms: number): void;
  /** The messenger complained: go slower for a while. */
  slowDown(): void;
  /** The current share of the configured rate (1 = full speed), for logs and tests. */
  readonly factor: number;
}

export type CallFinished = () => void;

export interface RatePacerOptions {
  perSecond: number;
  /** Share of the limit kept unused as a safety margin (0.05 = pace at 95%). */
  headroom: number;
  now?: () => number;
}

const MIN_FACTOR = 0.25;
const SLOW_DOWN_BY = 0.8;
const RECOVERY_PER_SECOND = 0.1;
const CATCH_UP_MS = 25;
const RAMP_MS = 1000;
const STALL_MS = 10;
const IDLE_RESTARTS_RAMP_MS = 5000;

export function createRatePacer(options: RatePacerOptions): RatePacer {
  const now = options.now ?? Date.now;
  const baseRate = options.perSecond * (1 - options.headroom);
  const windowMs = 1000 * (1 + options.headroom);
  // The last `perSecond` call times, oldest first at `oldest` (a ring buffer). It grows as calls
  // are made, up to that size: a limit set far above what is ever sent (a local Bot API server)
  // must not cost memory up front (a million entries took 16 MB).
  const capacity = Math.max(1, Math.floor(options.perSecond));
  const recent: number[] = [];
  // Which call holds each entry, so a late "finished" cannot move a newer call's time.
  const holder: number[] = [];
  let calls = 0;
  let oldest = 0;
  let nextSlot = 0;
  let pausedUntil = 0;
  let factor = 1;
  let factorAt = now();
  let rampFrom = -Infinity;
  let lastCall = -Infinity;

  const currentFactor = (at: number) => {
    factor = Math.min(1, factor + ((at - factorAt) / 1000) * RECOVERY_PER_SECOND);
    factorAt = at;
    return factor;
  };

  /**
   * Woken later than asked: the event loop was blocked (GC, a synchronous database like PGlite).
   * Calls started just before the block left the process only after it, so for the guard they
   * count as made now; otherwise they would crowd the messenger's window with the calls after them.
   */
  function noteStall(expectedAt: number): void {
    const at = now();
    const lateness = at - expectedAt;
    if (lateness < STALL_MS) return;
    const blockedFrom = at - lateness - STALL_MS;
    for (let i = 0; i < recent.length; i++) if (recent[i]! >= blockedFrom) recent[i] = at;
  }

  return {
    async take() {
      for (;;) {
        const at = now();
        // Fewer than `perSecond` calls ever made: the guard cannot bind yet.
        const notBefore = recent.length < capacity ? pausedUntil : Math.max(pausedUntil, recent[oldest]! + windowMs);
        const wakeAt = Math.max(notBefore, nextSlot);
        if (wakeAt > at) {
          await sleep(wakeAt - at);
          noteStall(wakeAt);
          continue; // re-check the pause and the guard after sleeping (another caller may have gone)
        }
        const slot = Math.max(nextSlot, at - CATCH_UP_MS);
        if (at - lastCall > IDLE_RESTARTS_RAMP_MS) rampFrom = at;
        const ramp = Math.min(1, 0.5 + (0.5 * (at - rampFrom)) / RAMP_MS);
        nextSlot = slot + 1000 / (baseRate * ramp * currentFactor(at));
        lastCall = at;
        const call = ++calls;
        const entry = recent.length < capacity ? recent.length : oldest;
        recent[entry] = at;
        holder[entry] = call;
        if (recent.length === capacity) oldest = (entry + 1) % capacity;
        return () => {
          if (holder[entry] === call) recent[entry] = Math.max(recent[entry]!, now());
        };
      }
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
      nextSlot = Math.max(nextSlot, pausedUntil);
    },
    slowDown() {
      factor = Math.max(MIN_FACTOR, currentFactor(now()) * SLOW_DOWN_BY);
    },
    get factor() {
      return currentFactor(now());
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
