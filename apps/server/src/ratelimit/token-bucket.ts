/**
 * A token bucket: holds up to `burst` tokens, refilled continuously at `ratePerSec`.
 * Pure: the caller passes the current time, so tests need no timers.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    now: number,
  ) {
    if (!(ratePerSec > 0) || !(burst >= 1)) {
      throw new RangeError(`TokenBucket needs ratePerSec > 0 and burst >= 1`);
    }
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Gives back a token taken for something that did not happen after all. */
  refund(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }

  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  private refill(now: number): void {
    // A clock that steps backwards (NTP) refills nothing rather than draining the bucket.
    const elapsedMs = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs * this.ratePerSec) / 1000);
    this.updatedAt = Math.max(this.updatedAt, now);
  }
}
