import type { LeaveReason } from '@openwcall/shared';
import { type CallOutcome, type CallRecord, transition } from '../calls/call';
import { isConnected, type UserSession } from '../presence/presence';
import { removeSeat, seatOf, toParticipant } from '../rooms/room';
import type { Actor } from './actor';
import type { SignalingCore } from './core';
import { type Effect, emit, leaveChannel, roomChannel } from './effects';
import type { Tx } from './tx';

/*
 * Steps several operations share, run inside an operation's transaction. They write
 * through `tx`, queue persistence and timers with `tx.after`, and return the effects.
 */

/** The actor's session, provided the socket they act from is still connected. */
export async function connectedSession(tx: Tx, actor: Actor): Promise<UserSession | undefined> {
  const session = await tx.user(actor.userId);
  return session && isConnected(session, actor.socketId) ? session : undefined;
}

/** Takes `userId` out of `roomId`: channel, notices, host hand-over, closing when empty. */
export async function leaveRoomIn(
  core: SignalingCore,
  tx: Tx,
  userId: string,
  roomId: string,
  reason: LeaveReason,
): Promise<Effect[]> {
  const session = await tx.user(userId);
  if (session?.roomId === roomId) tx.put('user', userId, { ...session, roomId: null });
  const room = await tx.room(roomId);
  const removal = room ? removeSeat(room, userId) : null;
  if (!removal) return [];

  const at = new Date(core.clock());
  const others = { room: roomId, exceptUser: userId };
  const effects: Effect[] = [
    leaveChannel(removal.seat.socketId, roomChannel(roomId)),
    emit(others, 'room:participant:left', { roomId, userId, reason }),
  ];
  tx.put('room', roomId, removal.room);
  tx.after(() => core.persist((sink) => sink.membershipEnded({ roomId, userId, at, reason })));

  const { newHostId } = removal;
  if (removal.room === null) {
    tx.after(() => {
      core.log.info({ roomId }, 'room closed');
      core.persist((sink) => sink.roomClosed({ roomId, closedAt: at }));
    });
  } else if (newHostId !== null) {
    effects.push(
      emit(others, 'room:host:action', {
        roomId,
        action: 'host-transferred',
        targetUserId: newHostId,
        byUserId: userId,
      }),
    );
    const newHost = seatOf(removal.room, newHostId);
    if (newHost) {
      effects.push(
        emit(others, 'room:participant:updated', {
          roomId,
          participant: toParticipant(removal.room, newHost),
        }),
      );
    }
    tx.after(() => {
      core.log.info({ roomId, from: userId, to: newHostId }, 'room host transferred');
      core.persist((sink) =>
        sink.moderation({
          roomId,
          action: 'host-transferred',
          byUserId: userId,
          targetUserId: newHostId,
          at,
        }),
      );
    });
  }
  return effects;
}

/** `call:direct:state` for every socket of both parties, each seeing the other as `peer`. */
export function callStateEffects(call: CallRecord): Effect[] {
  return [
    emit({ user: call.caller.id }, 'call:direct:state', {
      callId: call.id,
      state: call.state,
      peer: call.callee,
    }),
    emit({ user: call.callee.id }, 'call:direct:state', {
      callId: call.id,
      state: call.state,
      peer: call.caller,
    }),
  ];
}

export const ringDeadline = (callId: string) => `ring:${callId}`;
export const graceDeadline = (socketId: string) => `grace:${socketId}`;

export function logTransition(core: SignalingCore, callId: string, from: string, to: string) {
  core.log.info({ callId, from, to }, `call ${from} -> ${to}`);
}

/** Moves a call to a final state and forgets it: it is CALL_NOT_FOUND from now on. */
export async function finishCall(
  core: SignalingCore,
  tx: Tx,
  call: CallRecord,
  outcome: CallOutcome,
): Promise<Effect[]> {
  const step = transition(call, outcome, core.clock());
  if (!step.ok) throw new Error(`call ${call.id}: ${step.from} -> ${step.to} is not allowed`);
  const done = step.call;
  tx.put('call', call.id, null);
  for (const party of [call.caller, call.callee]) {
    const session = await tx.user(party.id);
    if (session?.callIds.includes(call.id)) {
      tx.put('user', party.id, {
        ...session,
        callIds: session.callIds.filter((id) => id !== call.id),
      });
    }
  }
  core.setDeadline(tx, ringDeadline(call.id), null);
  tx.after(() => {
    core.finishedCalls[outcome] += 1;
    logTransition(core, call.id, call.state, outcome);
    core.persist((sink) =>
      sink.callUpdated({
        callId: done.id,
        state: outcome,
        startedAt: new Date(done.createdAt),
        answeredAt: done.answeredAt === null ? null : new Date(done.answeredAt),
        endedAt: done.endedAt === null ? null : new Date(done.endedAt),
      }),
    );
  });
  return callStateEffects(done);
}

/**
 * One conversation at a time: taking a seat withdraws the user's own ringing invitation
 * (it would otherwise connect them to a call while they sit in a room).
 */
export async function cancelOutgoingRinging(
  core: SignalingCore,
  tx: Tx,
  userId: string,
): Promise<Effect[]> {
  const session = await tx.user(userId);
  const effects: Effect[] = [];
  for (const callId of session?.callIds ?? []) {
    const call = await tx.call(callId);
    if (call?.state === 'ringing' && call.caller.id === userId) {
      effects.push(...(await finishCall(core, tx, call, 'cancelled')));
    }
  }
  return effects;
}

/** Whether the user has placed a call that is still ringing. */
export async function hasOutgoingRinging(tx: Tx, session: UserSession): Promise<boolean> {
  for (const callId of session.callIds) {
    const call = await tx.call(callId);
    if (call?.state === 'ringing' && call.caller.id === session.userId) return true;
  }
  return false;
}
