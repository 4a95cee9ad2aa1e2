/**
 * Fixed-window attempt counters for login and registration, keyed by IP or account.
 * In-process: with several nodes each node counts its own share, which still bounds
 * guessing per node; a Redis-backed counter can replace it behind the same interface.
 */
export class AttemptThrottle {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts an attempt; false when the key is over its limit for the current window. */
  hit(key: string): boolean {
    const t = this.now();
    let w = this.#windows.get(key);
    if (!w || w.resetAt <= t) {
      w = { count: 0, resetAt: t + this.windowMs };
      this.#windows.set(key, w);
      if (this.#windows.size > 10_000) this.#sweep(t);
    }
    w.count += 1;
    return w.count <= this.limit;
  }

  reset(key: string) {
    this.#windows.delete(key);
  }

  #sweep(t: number) {
    for (const [key, w] of this.#windows) if (w.resetAt <= t) this.#windows.delete(key);
  }
}
