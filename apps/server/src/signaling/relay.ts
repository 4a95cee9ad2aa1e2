import { ERROR_CATALOG, type ParsedClientPayload } from '@openwcall/shared';
import { boundSocketOf, type CallRecord, roleOf } from '../calls/call';
import type { UserSession } from '../presence/presence';
import { type RoomRecord, seatOf } from '../rooms/room';
import { recordKey, type SignalingStore } from '../store/store';
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
 * Where a WebRTC signal may go: null (NOT_PEER) unless the two are seated in that room or
 * are the two parties of that accepted call; when `fromSocketId` is given it must be the
 * sender's socket in that room or call. `reachable` is false while the target's socket is
 * gone (its grace is running). Runs for every ICE candidate, so it is one batched store read
 * and no transaction: a signal racing a leave may slip through once, which is harmless (the
 * peer connection is being torn down anyway).
 */
export async function authorizeSignal(
  store: SignalingStore,
  fromUserId: string,
  fromSocketId: string | undefined,
  scope: SignalScope,
): Promise<(SignalRoute & { reachable: boolean }) | null> {
  const { to } = scope;
  if (to === fromUserId) return null;
  const inRoom = scope.roomId !== undefined && scope.callId === undefined;
  const inCall = scope.callId !== undefined && scope.roomId === undefined;
  if (!inRoom && !inCall) return null;
  const [scoped, target] = await store.readRecent([
    inRoom ? recordKey('room', scope.roomId as string) : recordKey('call', scope.callId as string),
    recordKey('user', to),
  ]);
  const targetSession = target?.value as UserSession | undefined;
  const reachable = (socketId: string) => targetSession?.sockets.includes(socketId) ?? false;
  if (inRoom) {
    const room = scoped?.value as RoomRecord | undefined;
    if (!room) return null;
    const mine = seatOf(room, fromUserId);
    const theirs = seatOf(room, to);
    if (!mine || !theirs) return null;
    if (fromSocketId !== undefined && mine.socketId !== fromSocketId) return null;
    return {
      targetUserId: to,
      targetSocketId: theirs.socketId,
      reachable: reachable(theirs.socketId),
    };
  }
  const call = scoped?.value as CallRecord | undefined;
  if (call?.state !== 'accepted') return null;
  if (roleOf(call, fromUserId) === null || roleOf(call, to) === null) return null;
  const mine = boundSocketOf(call, fromUserId);
  const theirs = boundSocketOf(call, to);
  if (theirs === null) return null;
  if (fromSocketId !== undefined && mine !== fromSocketId) return null;
  return { targetUserId: to, targetSocketId: theirs, reachable: reachable(theirs) };
}

/**
 * Relays a parsed `webrtc:*` payload: the relayed event to the target's socket; or a failure
 * with `webrtc:signal:error` to the sender as its effect: NOT_PEER, or PEER_UNREACHABLE when
 * the target's socket is gone within its grace (so the sender knows to re-offer later
 * instead of waiting on an answer that cannot come).
 */
export async function relaySignal(
  store: SignalingStore,
  actor: Actor,
  event: SignalEvent,
  payload: SignalPayload,
): Promise<Result<Empty>> {
  const route = await authorizeSignal(store, actor.userId, actor.socketId, payload);
  if (!route?.reachable) {
    const code = route ? 'PEER_UNREACHABLE' : 'NOT_PEER';
    return fail(code, [
      emit({ socket: actor.socketId }, 'webrtc:signal:error', {
        to: payload.to,
        code,
        message: ERROR_CATALOG[code].message,
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
        ? emit(to, 'webrtc:answer', {
            ...relayed,
            ...('answers' in payload && payload.answers !== undefined
              ? { answers: payload.answers }
              : {}),
          })
        : emit(to, 'webrtc:offer', relayed);
  } else {
    effect = emit(to, 'webrtc:ice', { from: actor.userId, ...scope, candidate: payload.candidate });
  }
  return ok(EMPTY, [effect]);
}
