import type { ParsedClientPayload, PublicUser } from '@openwcall/shared';
import { boundSocketOf, peerOf, rebindSocket } from '../calls/call';
import {
  addSocket,
  createSession,
  isConnected,
  removeSocket,
  type UserSession,
} from '../presence/presence';
import { seatOf, toParticipant, toRoomState, updateSeat } from '../rooms/room';
import type { Actor } from './actor';
import type { SignalingCore } from './core';
import {
  AUTHENTICATED_CHANNEL,
  disconnectSocket,
  type Effect,
  emit,
  joinChannel,
  roomChannel,
  userChannel,
} from './effects';
import { EMPTY, type Empty, fail, ok, type Result } from './result';
import { finishCall, graceDeadline, leaveRoomIn } from './steps';
import type { Tx } from './tx';

/**
 * A socket proved who it is. The gateway emits `auth:ok` first, then these effects:
 * channels, the full presence list and the room list to this socket, a presence delta to
 * everyone else if the user just came online, and, if the user is back within the grace,
 * their seat and calls re-bound to this socket with `room:joined` / `call:direct:state`.
 */
export async function authenticated(
  core: SignalingCore,
  userId: string,
  displayName: string,
  socketId: string,
): Promise<Result<{ user: PublicUser }>> {
  return core.run(
    async (tx) => {
      const existing = await tx.user(userId);
      if (
        existing &&
        !existing.sockets.includes(socketId) &&
        existing.sockets.length >= core.config.maxSocketsPerUser
      ) {
        return fail('TOO_MANY_CONNECTIONS');
      }
      const session = {
        ...addSocket(existing ?? createSession(userId, displayName), socketId),
        displayName,
      };
      tx.put('user', userId, session);
      tx.bindSocket(socketId, { userId, nodeId: core.nodeId });

      const self = await core.presenceOf(tx, userId, 'current');
      const effects: Effect[] = [
        joinChannel(socketId, userChannel(userId)),
        joinChannel(socketId, AUTHENTICATED_CHANNEL),
        emit({ socket: socketId }, 'presence:list', {
          full: true,
          users: await core.presenceSnapshot(self ? [self] : []),
        }),
        await core.roomListEffect({ socket: socketId }),
        ...(await rebindSeat(tx, session, socketId)),
        ...(await rebindCalls(tx, session, socketId)),
      ];
      return ok({ user: { id: userId, displayName } }, effects);
    },
    { presenceExcept: userId },
  );
}

/** The seat, if its socket is gone (within the grace), moves to the new socket. */
async function rebindSeat(tx: Tx, session: UserSession, socketId: string): Promise<Effect[]> {
  if (session.roomId === null) return [];
  const room = await tx.room(session.roomId);
  const seat = room && seatOf(room, session.userId);
  if (!room || !seat || isConnected(session, seat.socketId)) return [];
  const moved = updateSeat(room, session.userId, { socketId });
  tx.put('room', room.id, moved);
  return [
    joinChannel(socketId, roomChannel(room.id)),
    emit({ socket: socketId }, 'room:joined', { room: toRoomState(moved) }),
  ];
}

/**
 * Calls bound to a vanished socket move to the new one and it hears their state again;
 * an incoming call still ringing rings on the new socket as well.
 */
async function rebindCalls(tx: Tx, session: UserSession, socketId: string): Promise<Effect[]> {
  const effects: Effect[] = [];
  for (const callId of session.callIds) {
    const call = await tx.call(callId);
    if (!call) continue;
    const peer = peerOf(call, session.userId);
    if (call.state === 'ringing' && call.callee.id === session.userId) {
      effects.push(
        emit({ socket: socketId }, 'call:direct:incoming', { callId, from: call.caller }),
        emit({ socket: socketId }, 'call:direct:state', { callId, state: call.state, peer }),
      );
      continue;
    }
    const bound = boundSocketOf(call, session.userId);
    if (bound === null || isConnected(session, bound)) continue;
    tx.put('call', callId, rebindSocket(call, session.userId, socketId));
    effects.push(
      emit({ socket: socketId }, 'call:direct:state', {
        callId,
        state: call.state,
        peer,
        resumed: true,
      }),
    );
  }
  return effects;
}

/**
 * A socket closed. Nothing visible happens yet: its seat, calls and the user's presence
 * stay for the reconnect grace, counted from `at` (now, or a dead node's last heartbeat),
 * after which the grace deadline settles them.
 */
export async function disconnected(
  core: SignalingCore,
  socketId: string,
  at: number = core.clock(),
): Promise<Result<Empty>> {
  const binding = await core.store.getSocket(socketId);
  if (binding === undefined) return ok(EMPTY);
  const { userId } = binding;

  return core.run(async (tx) => {
    tx.bindSocket(socketId, null);
    const session = await tx.user(userId);
    if (!session || !isConnected(session, socketId)) return ok(EMPTY);
    tx.put('user', userId, removeSocket(session, socketId));
    core.setDeadline(tx, graceDeadline(socketId), {
      kind: 'grace',
      userId,
      socketId,
      due: at + core.config.reconnectGraceMs,
    });
    return ok(EMPTY);
  });
}

/**
 * The user's page came back on a new socket while `socketId`, its previous one, still looks
 * open: a network change left that connection dead, which the server would only notice at the
 * ping timeout, and then end the seat of someone who is back. It counts as closed now (so the
 * new socket takes the seat and calls over) and is disconnected. Another user's socket, or
 * one already gone, is left alone.
 */
export async function replaced(
  core: SignalingCore,
  userId: string,
  socketId: string,
): Promise<Result<Empty>> {
  const binding = await core.store.getSocket(socketId);
  if (binding?.userId !== userId) return ok(EMPTY);
  const closed = await disconnected(core, socketId);
  return ok(EMPTY, [...closed.effects, disconnectSocket(socketId)]);
}

/**
 * The grace of a closed socket is over and nobody took its place: its seat is left
 * (`disconnected`), calls it carried end, and if it was the user's last socket, the user
 * goes offline and every call of theirs ends.
 */
export async function graceExpiredIn(
  core: SignalingCore,
  tx: Tx,
  userId: string,
  socketId: string,
): Promise<Effect[]> {
  const session = await tx.user(userId);
  if (!session) return [];
  const goingOffline = session.sockets.length === 0 && session.lastSocketGone === socketId;
  const effects: Effect[] = [];

  if (session.roomId !== null) {
    const room = await tx.room(session.roomId);
    const seat = room && seatOf(room, userId);
    if (seat && (goingOffline || seat.socketId === socketId)) {
      effects.push(...(await leaveRoomIn(core, tx, userId, session.roomId, 'disconnected')));
    }
  }
  for (const callId of session.callIds) {
    const call = await tx.call(callId);
    if (call && (goingOffline || boundSocketOf(call, userId) === socketId)) {
      effects.push(...(await finishCall(core, tx, call, 'ended')));
    }
  }
  if (goingOffline) {
    tx.put('user', userId, null);
    tx.after(() => core.log.info({ userId }, 'user offline'));
  }
  return effects;
}

/**
 * The user changed their display name (PATCH /me): their live session, seat and calls carry
 * it from now on, so everyone sees it at once (a presence delta, `room:participant:updated`
 * for the room) instead of after their next sign-in. Offline users have nothing live.
 */
export async function renamed(
  core: SignalingCore,
  userId: string,
  displayName: string,
): Promise<Result<Empty>> {
  return core.run(async (tx) => {
    const session = await tx.user(userId);
    if (!session || session.displayName === displayName) return ok(EMPTY);
    tx.put('user', userId, { ...session, displayName });
    const effects: Effect[] = [];
    const room = session.roomId === null ? undefined : await tx.room(session.roomId);
    const seat = room && seatOf(room, userId);
    if (room && seat) {
      const updated = updateSeat(room, userId, { displayName });
      tx.put('room', room.id, updated);
      effects.push(
        emit({ room: room.id }, 'room:participant:updated', {
          roomId: room.id,
          participant: toParticipant(updated, { ...seat, displayName }),
        }),
      );
    }
    for (const callId of session.callIds) {
      const call = await tx.call(callId);
      if (!call) continue;
      const rename = (party: PublicUser) =>
        party.id === userId ? { ...party, displayName } : party;
      tx.put('call', callId, { ...call, caller: rename(call.caller), callee: rename(call.callee) });
    }
    return ok(EMPTY, effects);
  });
}

export async function setPresence(
  core: SignalingCore,
  actor: Actor,
  { status }: ParsedClientPayload<'presence:set'>,
): Promise<Result<Empty>> {
  return core.run(async (tx) => {
    const session = await tx.user(actor.userId);
    if (!session) return fail('UNAUTHENTICATED');
    if (session.status !== status) tx.put('user', actor.userId, { ...session, status });
    return ok(EMPTY);
  });
}
