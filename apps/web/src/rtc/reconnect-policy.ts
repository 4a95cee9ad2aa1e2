export interface ReconnectContext {
  /** 0 for the first retry after the loss. */
  readonly attempt: number;
  /** Time since the connection was lost. */
  readonly elapsedMs: number;
}

/** Decides how long to wait before the next retry; `null` means give up. */
export interface ReconnectPolicy {
  nextDelay(context: ReconnectContext): number | null;
}

export interface BackoffOptions {
  /** Delay of the second retry; each later one doubles it. The first retry is immediate. */
  readonly baseDelayMs?: number;
  /** No delay exceeds this, jitter included. */
  readonly maxDelayMs?: number;
  /** Up to this much random delay is added, so peers that lost media together don't retry in lockstep. */
  readonly jitterMs?: number;
  readonly maxAttempts?: number;
  /** Give up once the loss has lasted this long. */
  readonly maxElapsedMs?: number;
  /** Injected for tests; must return a number in [0, 1). */
  readonly random?: () => number;
}

/**
 * Exponential backoff with jitter and a cap (after livekit's DefaultReconnectPolicy: an
 * immediate first retry, then growing delays with up to a second of jitter).
 * Defaults: 0, ~300, ~600, ~1200, … ms, at most 7 s apart, 10 attempts within 60 s.
 */
export function createBackoffPolicy(options: BackoffOptions = {}): ReconnectPolicy {
  const {
    baseDelayMs = 300,
    maxDelayMs = 7_000,
    jitterMs = 1_000,
    maxAttempts = 10,
    maxElapsedMs = 60_000,
    random = Math.random,
  } = options;
  return {
    nextDelay({ attempt, elapsedMs }) {
      if (attempt >= maxAttempts || elapsedMs >= maxElapsedMs) return null;
      if (attempt === 0) return 0;
      // 2 ** 30 is far past any cap; clamping the exponent keeps the number finite.
      const exponential = baseDelayMs * 2 ** Math.min(attempt - 1, 30);
      const jitter = attempt === 1 ? 0 : random() * jitterMs;
      return Math.round(Math.min(maxDelayMs, exponential + jitter));
    },
  };
}

export const defaultReconnectPolicy: ReconnectPolicy = createBackoffPolicy();
