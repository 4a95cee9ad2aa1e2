import { describe, expect, it } from 'vitest';
import { createBackoffPolicy } from './reconnect-policy';

describe('createBackoffPolicy', () => {
  it('retries at once, then backs off exponentially up to the cap', () => {
    const policy = createBackoffPolicy({ random: () => 0, baseDelayMs: 100, maxDelayMs: 1_000 });
    const delays = [0, 1, 2, 3, 4, 5, 6].map((attempt) =>
      policy.nextDelay({ attempt, elapsedMs: 0 }),
    );
    expect(delays).toEqual([0, 100, 200, 400, 800, 1_000, 1_000]);
  });

  it('adds jitter within [0, jitterMs) and never exceeds the cap', () => {
    const low = createBackoffPolicy({ random: () => 0, jitterMs: 500 });
    const high = createBackoffPolicy({ random: () => 0.999, jitterMs: 500 });
    for (let attempt = 2; attempt < 10; attempt++) {
      const a = low.nextDelay({ attempt, elapsedMs: 0 });
      const b = high.nextDelay({ attempt, elapsedMs: 0 });
      expect(a).not.toBeNull();
      expect(b).not.toBeNull();
      expect(b as number).toBeGreaterThanOrEqual(a as number);
      expect((b as number) - (a as number)).toBeLessThanOrEqual(500);
      expect(b as number).toBeLessThanOrEqual(7_000);
    }
  });

  it('varies between calls with the real random source', () => {
    const policy = createBackoffPolicy();
    const seen = new Set(
      Array.from({ length: 20 }, () => policy.nextDelay({ attempt: 3, elapsedMs: 0 })),
    );
    expect(seen.size).toBeGreaterThan(1);
  });

  it('gives up after maxAttempts or maxElapsedMs', () => {
    const policy = createBackoffPolicy({ maxAttempts: 3, maxElapsedMs: 10_000 });
    expect(policy.nextDelay({ attempt: 2, elapsedMs: 0 })).not.toBeNull();
    expect(policy.nextDelay({ attempt: 3, elapsedMs: 0 })).toBeNull();
    expect(policy.nextDelay({ attempt: 1, elapsedMs: 10_000 })).toBeNull();
  });

  it('stays finite for absurd attempt numbers', () => {
    const policy = createBackoffPolicy({ maxAttempts: Number.POSITIVE_INFINITY, random: () => 0 });
    expect(policy.nextDelay({ attempt: 5_000, elapsedMs: 0 })).toBe(7_000);
  });
});
