import type { PublicUser } from '@openwcall/shared';
import type { CallRecord } from '../calls/call';
import { createSession, type UserSession } from '../presence/presence';
import type { RoomRecord } from '../rooms/room';
import type { SignalingCore } from './core';
import { EMPTY, ok } from './result';
import { graceDeadline } from './steps';

/*
 * Embedded mode keeps live state in this process only, so a restart (an upgrade of a
 * one-node install) would drop every room and call. What the database knows of open rooms,
 * seats, bans and accepted calls is put back at start-up instead, each seat and call held
 * for RESTART_GRACE_MS by a placeholder socket: its owner's new socket takes it over exactly
 * as after a reconnect, and the grace deadline of whoever does not come back closes it
 * properly (leave, host hand-over, call end, all written to the database).
 */

export interface RestoredRoom {
  readonly id: string;
  readonly name: string;
  readonly hostId: string;
  readonly maxParticipants: number;
  readonly locked: boolean;
  readonly createdAt: number;
  /** Open memberships, earliest first. */
  readonly seats: ReadonlyArray<{ userId: string; displayName: string; joinedAt: number }>;
  readonly banned: readonly string[];
}

export interface RestoredCall {
  readonly id: string;
  readonly caller: PublicUser;
  readonly callee: PublicUser;
  readonly createdAt: number;
  readonly answeredAt: number;
}

export interface RestoreSnapshot {
  readonly rooms: readonly RestoredRoom[];
  readonly calls: readonly RestoredCall[];
}

/** The socket id that holds a restored seat or call until its owner is back. */
export const restoredSocket = (userId: string) => `restored:${userId}`;

export async function restoreState(
  core: SignalingCore,
  snapshot: RestoreSnapshot,
  graceMs: number,
): Promise<{ rooms: number; calls: number; users: number }> {
  const sessions = new Map<string, UserSession>();
  const session = (user: PublicUser) => {
    let existing = sessions.get(user.id);
    if (!existing) {
      existing = {
        ...createSession(user.id, user.displayName),
        lastSocketGone: restoredSocket(user.id),
      };
      sessions.set(user.id, existing);
    }
    return existing;
  };
  const rooms: RoomRecord[] = snapshot.rooms.map((room) => {
    for (const seat of room.seats) {
      const s = session({ id: seat.userId, displayName: seat.displayName });
      sessions.set(seat.userId, { ...s, roomId: room.id });
    }
    return {
      id: room.id,
      name: room.name,
      hostId: room.hostId,
      locked: room.locked,
      maxParticipants: room.maxParticipants,
      createdAt: room.createdAt,
      seats: room.seats.map((seat) => ({
        ...seat,
        socketId: restoredSocket(seat.userId),
        muted: false,
        deafened: false,
      })),
      banned: [...room.banned],
    };
  });
  const calls: CallRecord[] = snapshot.calls.map((call) => {
    for (const party of [call.caller, call.callee]) {
      const s = session(party);
      sessions.set(party.id, { ...s, callIds: [...s.callIds, call.id] });
    }
    return {
      id: call.id,
      caller: call.caller,
      callee: call.callee,
      state: 'accepted',
      callerSocketId: restoredSocket(call.caller.id),
      calleeSocketId: restoredSocket(call.callee.id),
      createdAt: call.createdAt,
      answeredAt: call.answeredAt,
      endedAt: null,
    };
  });
  if (sessions.size === 0) return { rooms: 0, calls: 0, users: 0 };

  const due = core.clock() + graceMs;
  await core.run(async (tx) => {
    for (const room of rooms) {
      await tx.room(room.id);
      tx.put('room', room.id, room);
    }
    for (const call of calls) {
      await tx.call(call.id);
      tx.put('call', call.id, call);
    }
    for (const [userId, restored] of sessions) {
      await tx.user(userId);
      tx.put('user', userId, restored);
      const socketId = restoredSocket(userId);
      core.setDeadline(tx, graceDeadline(socketId), { kind: 'grace', userId, socketId, due });
    }
    return ok(EMPTY);
  });
  core.log.info(
    { rooms: rooms.length, calls: calls.length, users: sessions.size, graceMs },
    'restored rooms and calls from the database; seats held for their owners',
  );
  return { rooms: rooms.length, calls: calls.length, users: sessions.size };
}
