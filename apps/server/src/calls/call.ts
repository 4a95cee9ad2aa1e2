import type { CallState, PublicUser } from '@openwcall/shared';

/*
 * A direct (one-to-one) call and its state machine. Every state change goes through
 * `transition`, which refuses anything not in CALL_TRANSITIONS.
 */

export interface CallRecord {
  readonly id: string;
  readonly caller: PublicUser;
  readonly callee: PublicUser;
  readonly state: CallState;
  /** The caller's socket that placed the call; re-bound when the caller reconnects. */
  readonly callerSocketId: string;
  /** The callee's socket that accepted; null while ringing (every callee socket rings). */
  readonly calleeSocketId: string | null;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly answeredAt: number | null;
  readonly endedAt: number | null;
}

export type CallOutcome = Exclude<CallState, 'ringing' | 'accepted'>;
export type CallRole = 'caller' | 'callee';

/**
 * ringing → ended is the one edge beyond the obvious ones: a party gone past the
 * reconnect grace ends a ringing call too (PROTOCOL.md Rules).
 */
export const CALL_TRANSITIONS = {
  ringing: ['accepted', 'declined', 'cancelled', 'missed', 'ended'],
  accepted: ['ended'],
  declined: [],
  cancelled: [],
  missed: [],
  ended: [],
} as const satisfies Record<CallState, readonly CallState[]>;

export function isFinal(state: CallState): state is CallOutcome {
  return CALL_TRANSITIONS[state].length === 0;
}

export function canTransition(from: CallState, to: CallState): boolean {
  return (CALL_TRANSITIONS[from] as readonly CallState[]).includes(to);
}

export type TransitionResult =
  | { readonly ok: true; readonly call: CallRecord }
  | { readonly ok: false; readonly from: CallState; readonly to: CallState };

/** The only way a call changes state; stamps answeredAt / endedAt. */
export function transition(call: CallRecord, to: CallState, now: number): TransitionResult {
  if (!canTransition(call.state, to)) return { ok: false, from: call.state, to };
  if (to === 'accepted') return { ok: true, call: { ...call, state: to, answeredAt: now } };
  return { ok: true, call: { ...call, state: to, endedAt: now } };
}

export function createCallRecord(input: {
  id: string;
  caller: PublicUser;
  callee: PublicUser;
  callerSocketId: string;
  now: number;
}): CallRecord {
  return {
    id: input.id,
    caller: input.caller,
    callee: input.callee,
    state: 'ringing',
    callerSocketId: input.callerSocketId,
    calleeSocketId: null,
    createdAt: input.now,
    answeredAt: null,
    endedAt: null,
  };
}

export function roleOf(call: CallRecord, userId: string): CallRole | null {
  if (call.caller.id === userId) return 'caller';
  if (call.callee.id === userId) return 'callee';
  return null;
}

/** The other party, as seen by `userId` (who must be a party). */
export function peerOf(call: CallRecord, userId: string): PublicUser {
  return call.caller.id === userId ? call.callee : call.caller;
}

/** The socket that carries this call for `userId`, if bound. */
export function boundSocketOf(call: CallRecord, userId: string): string | null {
  const role = roleOf(call, userId);
  if (role === 'caller') return call.callerSocketId;
  if (role === 'callee') return call.calleeSocketId;
  return null;
}

export function rebindSocket(call: CallRecord, userId: string, socketId: string): CallRecord {
  const role = roleOf(call, userId);
  if (role === 'caller') return { ...call, callerSocketId: socketId };
  if (role === 'callee') return { ...call, calleeSocketId: socketId };
  return call;
}

/** Accept and decline: only the callee, only while ringing. */
export function answerRefusal(
  call: CallRecord,
  userId: string,
): 'FORBIDDEN' | 'CALL_NOT_RINGING' | null {
  if (call.callee.id !== userId) return 'FORBIDDEN';
  if (call.state !== 'ringing') return 'CALL_NOT_RINGING';
  return null;
}

/**
 * What `call:direct:end` by `userId` means: the caller withdrawing a ringing call cancels
 * it, the callee doing so declines it, either party hangs up an accepted call.
 * Null when `userId` is not a party.
 */
export function hangUpOutcome(call: CallRecord, userId: string): CallOutcome | null {
  const role = roleOf(call, userId);
  if (role === null) return null;
  if (call.state === 'ringing') return role === 'caller' ? 'cancelled' : 'declined';
  return 'ended';
}
