/** The tests waiting on a fake API until a predicate holds: `wake()` after every recorded call. */
export class Waiters {
  private waiting: { predicate: () => boolean; resolve: () => void }[] = [];
  /** The fake's name, for the timeout's message. */
  private readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  /** Resolves when `predicate` holds (checked after every call), or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}.waitFor timed out`)), timeoutMs);
      this.waiting.push({
        predicate,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Resolves the waiters whose predicate now holds and keeps the others. */
  wake(): void {
    const ready = this.waiting.filter((w) => w.predicate());
    this.waiting = this.waiting.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}
