/**
 * Async mutual exclusion per string key. Waiters are served in arrival order; a key's
 * entry is dropped when its last holder releases, so the map does not grow with traffic.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Resolves with the release function once `key` is free. Not reentrant. */
  async lock(key: string): Promise<() => void> {
    const previous = this.tails.get(key);
    let open!: () => void;
    const mine = new Promise<void>((resolve) => {
      open = resolve;
    });
    const tail = previous ? previous.then(() => mine) : mine;
    this.tails.set(key, tail);
    if (previous) await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      open();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }

  /**
   * Locks every key, in sorted order: two callers needing overlapping key sets take them
   * in the same order, so they cannot deadlock.
   */
  async lockAll(keys: Iterable<string>): Promise<() => void> {
    const sorted = [...new Set(keys)].sort();
    const releases: Array<() => void> = [];
    for (const key of sorted) releases.push(await this.lock(key));
    return () => {
      for (const release of releases.reverse()) release();
    };
  }

  /** Keys currently held or waited for. */
  get size(): number {
    return this.tails.size;
  }
}
