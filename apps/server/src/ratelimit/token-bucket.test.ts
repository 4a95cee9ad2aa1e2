import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a full burst, then refills at the rate', () => {
    const bucket = new TokenBucket(10, 5, 0);
    for (let i = 0; i < 5; i++) expect(bucket.take(0)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(99)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.available(10_000)).toBe(5);
  });

  it('does not drain when the clock steps back', () => {
    const bucket = new TokenBucket(10, 5, 1000);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.available(1000)).toBe(4);
  });

  it('refuses nonsense settings', () => {
    expect(() => new TokenBucket(0, 5, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(5, 0, 0)).toThrow(RangeError);
  });
});
