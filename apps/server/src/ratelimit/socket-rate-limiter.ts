import { TokenBucket } from './token-bucket';

/**
 * Per-socket limits (PROTOCOL.md "Limits and knobs"). The config module maps the env
 * variables named on each field onto this object; anything left out takes the default.
 */
export interface RateLimitOptions {
  /** RATE_SIGNAL_PER_SEC: refill of the `webrtc:*` bucket. The protocol promises ≥ 100/s. */
  readonly signalPerSec: number;
  /**
   * RATE_SIGNAL_BURST: size of the `webrtc:*` bucket. 200 so that 100/s sustained with
   * bursts of 100 on top (an ICE gathering burst while media flows) is never limited.
   */
  readonly signalBurst: number;
  /** RATE_EVENTS_PER_SEC: refill of the bucket every other event shares. */
  readonly eventsPerSec: number;
  /** RATE_EVENTS_BURST: a burst of more than this many other events is limited. */
  readonly eventsBurst: number;
  /** RATE_ABUSE_DISCONNECT_AFTER: more limited events than this within the window disconnect. */
  readonly abuseDisconnectAfter: number;
  /** RATE_ABUSE_WINDOW_MS: the window over which limited events are counted. */
  readonly abuseWindowMs: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitOptions = {
  signalPerSec: 100,
  signalBurst: 200,
  eventsPerSec: 200,
  eventsBurst: 200,
  abuseDisconnectAfter: 100,
  abuseWindowMs: 10_000,
};

/**
 * allow: handle the event. limit: drop it and answer RATE_LIMITED.
 * disconnect: sustained abuse; drop it and close the socket.
 */
export type RateVerdict = 'allow' | 'limit' | 'disconnect';

export function isSignalEvent(event: string): boolean {
  return event.startsWith('webrtc:');
}

/**
 * One per socket (keep it on `socket.data`; it dies with the socket). `webrtc:*` events
 * have a bucket of their own so that chat-like traffic can never starve ICE, and vice versa.
 */
export class SocketRateLimiter {
  readonly options: RateLimitOptions;
  private readonly signal: TokenBucket;
  private readonly events: TokenBucket;
  /** Times of recent limited events, oldest first; never longer than the threshold + 1. */
  private readonly limitedAt: number[] = [];
  private abusive = false;

  constructor(
    options: Partial<RateLimitOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_RATE_LIMITS, ...options };
    const start = now();
    this.signal = new TokenBucket(this.options.signalPerSec, this.options.signalBurst, start);
    this.events = new TokenBucket(this.options.eventsPerSec, this.options.eventsBurst, start);
  }

  check(event: string): RateVerdict {
    if (this.abusive) return 'disconnect';
    const now = this.now();
    const bucket = isSignalEvent(event) ? this.signal : this.events;
    if (bucket.take(now)) return 'allow';

    const windowStart = now - this.options.abuseWindowMs;
    while (this.limitedAt.length > 0 && (this.limitedAt[0] ?? now) <= windowStart) {
      this.limitedAt.shift();
    }
    this.limitedAt.push(now);
    if (this.limitedAt.length > this.options.abuseDisconnectAfter) {
      this.abusive = true;
      return 'disconnect';
    }
    return 'limit';
  }
}
