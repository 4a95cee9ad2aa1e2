import { ERROR_CATALOG, type ErrorCode } from '@openwcall/shared';
import type { Effect } from './effects';

export interface Ok<R> {
  readonly ok: true;
  readonly result: R;
  readonly effects: readonly Effect[];
}

/**
 * A refused operation: nothing changed. `effects` is empty except where the protocol
 * wants a failure reported on the wire besides the ack (NOT_PEER's webrtc:signal:error);
 * the gateway performs them and then sends no `error` event.
 */
export interface Fail {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly message: string;
  readonly effects: readonly Effect[];
}

export type Result<R> = Ok<R> | Fail;

/** The result of operations whose ack carries nothing but `ok: true`. */
export type Empty = Record<string, never>;

export function ok<R>(result: R, effects: readonly Effect[] = []): Ok<R> {
  return { ok: true, result, effects };
}

export function fail(code: ErrorCode, effects: readonly Effect[] = []): Fail {
  return { ok: false, code, message: ERROR_CATALOG[code].message, effects };
}

export const EMPTY: Empty = Object.freeze({});
