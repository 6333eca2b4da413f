/**
 * Paces one channel's API calls: evenly spaced slots at the configured rate minus a headroom,
 * so that even with a few ms of jitter between our clock and the messenger's arrival times no
 * sliding one-second window ever holds more calls than the limit. A 429 pauses the channel and
 * slows it down (multiplicatively); the rate then recovers linearly to the configured one.
 */
export interface RatePacer {
  /** Resolves when the caller may make one call; each call takes its own slot. */
  take(): Promise<void>;
  /** No slot before `ms` from now. */
  pause(ms: number): void;
  /** The messenger complained: go slower for a while. */
  slowDown(): void;
  /** The current share of the configured rate (1 = full speed), for logs and tests. */
  readonly factor: number;
}

export interface RatePacerOptions {
  perSecond: number;
  /** Share of the limit kept unused as a safety margin (0.05 = pace at 95%). */
  headroom: number;
  now?: () => number;
}

const MIN_FACTOR = 0.25;
const SLOW_DOWN_BY = 0.7;
const RECOVERY_PER_SECOND = 0.1;

export function createRatePacer(options: RatePacerOptions): RatePacer {
  const now = options.now ?? Date.now;
  const baseRate = options.perSecond * (1 - options.headroom);
  let nextSlot = 0;
  let pausedUntil = 0;
  let factor = 1;
  let factorAt = now();

  const currentFactor = (at: number) => {
    factor = Math.min(1, factor + ((at - factorAt) / 1000) * RECOVERY_PER_SECOND);
    factorAt = at;
    return factor;
  };

  return {
    async take() {
      for (;;) {
        const at = now();
        if (pausedUntil > at) {
          await sleep(pausedUntil - at);
          continue;
        }
        // Slots follow an ideal schedule: a timer that fires late is caught up by the next
        // slots (the headroom absorbs that), while an idle channel does not bank a burst.
        const slot = Math.max(nextSlot, at);
        nextSlot = slot + 1000 / (baseRate * currentFactor(at));
        if (slot > at) await sleep(slot - at);
        if (pausedUntil > now()) continue; // a 429 arrived while we waited: queue up again
        return;
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
