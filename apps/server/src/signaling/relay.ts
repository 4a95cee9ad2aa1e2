import { ERROR_CATALOG, type ParsedClientPayload } from '@openwcall/shared';
import { boundSocketOf, roleOf } from '../calls/call';
import { seatOf } from '../rooms/room';
import type { SignalingStore } from '../store/store';
import type { Actor } from './actor';
import { type Effect, emit } from './effects';
import { EMPTY, type Empty, fail, ok, type Result } from './result';

export interface SignalScope {
  readonly to: string;
  readonly roomId?: string | undefined;
  readonly callId?: string | undefined;
}

export interface SignalRoute {
  readonly targetUserId: string;
  /** The socket holding the target's seat or carrying the target's side of the call. */
  readonly targetSocketId: string;
}

export type SignalEvent = 'webrtc:offer' | 'webrtc:answer' | 'webrtc:ice';
export type SignalPayload = ParsedClientPayload<SignalEvent>;

/**
 * Where a WebRTC signal may go, or null (NOT_PEER). Allowed only between two people seated
 * in that room, or the two parties of that accepted call; when `fromSocketId` is given it
 * must be the sender's socket in that room or call. Runs for every ICE candidate, so it is
 * one store read and no lock: a signal racing a leave may slip through once, which is
 * harmless (the peer connection is being torn down anyway).
 */
export async function authorizeSignal(
  store: SignalingStore,
  fromUserId: string,
  fromSocketId: string | undefined,
  scope: SignalScope,
): Promise<SignalRoute | null> {
  const { to } = scope;
  if (to === fromUserId) return null;
  if (scope.roomId !== undefined && scope.callId === undefined) {
    const room = await store.getRoom(scope.roomId);
    if (!room) return null;
    const mine = seatOf(room, fromUserId);
    const theirs = seatOf(room, to);
    if (!mine || !theirs) return null;
    if (fromSocketId !== undefined && mine.socketId !== fromSocketId) return null;
    return { targetUserId: to, targetSocketId: theirs.socketId };
  }
  if (scope.callId !== undefined && scope.roomId === undefined) {
    const call = await store.getCall(scope.callId);
    if (call?.state !== 'accepted') return null;
    if (roleOf(call, fromUserId) === null || roleOf(call, to) === null) return null;
    const mine = boundSocketOf(call, fromUserId);
    const theirs = boundSocketOf(call, to);
    if (theirs === null) return null;
    if (fromSocketId !== undefined && mine !== fromSocketId) return null;
    return { targetUserId: to, targetSocketId: theirs };
  }
  return null;
}

/**
 * Relays a parsed `webrtc:*` payload: the relayed event to the target's socket, or the
 * failure NOT_PEER with `webrtc:signal:error` to the sender as its effect.
 */
export async function relaySignal(
  store: SignalingStore,
  actor: Actor,
  event: SignalEvent,
  payload: SignalPayload,
): Promise<Result<Empty>> {
  const route = await authorizeSignal(store, actor.userId, actor.socketId, payload);
  if (!route) {
    return fail('NOT_PEER', [
      emit({ socket: actor.socketId }, 'webrtc:signal:error', {
        to: payload.to,
        code: 'NOT_PEER',
        message: ERROR_CATALOG.NOT_PEER.message,
      }),
    ]);
  }
  const to = { socket: route.targetSocketId };
  const scope =
    payload.roomId !== undefined ? { roomId: payload.roomId } : { callId: payload.callId };
  let effect: Effect;
  if ('sdp' in payload) {
    const relayed = { from: actor.userId, ...scope, sdp: payload.sdp };
    effect =
      event === 'webrtc:answer'
        ? emit(to, 'webrtc:answer', relayed)
        : emit(to, 'webrtc:offer', relayed);
  } else {
    effect = emit(to, 'webrtc:ice', { from: actor.userId, ...scope, candidate: payload.candidate });
  }
  return ok(EMPTY, [effect]);
}
