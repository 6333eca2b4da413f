/** A wake-up call between async loops: `wait()` resolves on the next `notify()` (or after a timeout). */
export interface Signal {
  wait(timeoutMs?: number): Promise<void>;
  notify(): void;
}

export function createSignal(): Signal {
  let waiters: (() => void)[] = [];
  return {
    wait(timeoutMs) {
      return new Promise<void>((resolve) => {
        const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== done);
          resolve();
        }
        waiters.push(done);
      });
    },
    notify() {
      const current = waiters;
      waiters = [];
      for (const wake of current) wake();
    },
  };
}
