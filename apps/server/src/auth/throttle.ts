import type { Redis } from 'ioredis';
import { AppError } from '../errors';

/** Fixed-window attempt counters for login and registration, keyed by IP or account. */
export interface Throttle {
  /** Counts an attempt; false when the key is over its limit for the current window. */
  hit(key: string): Promise<boolean>;
  reset(key: string): Promise<void>;
}

/** Builds a throttle with its own name, limit and window. */
export type ThrottleFactory = (name: string, limit: number, windowMs: number) => Throttle;

/** One node's own counters (the embedded mode). */
export const localThrottles: ThrottleFactory = (_name, limit, windowMs) => {
  const counter = new AttemptThrottle(limit, windowMs);
  return {
    hit: async (key) => counter.hit(key),
    reset: async (key) => counter.reset(key),
  };
};

/**
 * Counters in Redis, shared by every node: a guess on any node counts against the same limit.
 * INCR then PEXPIRE NX in one transaction, so the window starts with the first attempt.
 */
export function redisThrottles(redis: Redis, prefix: string): ThrottleFactory {
  return (name, limit, windowMs) => {
    const key = (id: string) => `${prefix}throttle:${name}:${id}`;
    return {
      async hit(id) {
        // Redis down: refuse (UNAVAILABLE) rather than let guesses through uncounted.
        const replies = await redis
          .multi()
          .incr(key(id))
          .pexpire(key(id), windowMs, 'NX')
          .exec()
          .catch((err: unknown) => {
            throw Object.assign(new AppError('UNAVAILABLE'), { cause: err });
          });
        const count = Number(replies?.[0]?.[1] ?? Number.POSITIVE_INFINITY);
        return count <= limit;
      },
      async reset(id) {
        await redis.del(key(id));
      },
    };
  };
}

/** In-process counters behind `localThrottles`. */
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
