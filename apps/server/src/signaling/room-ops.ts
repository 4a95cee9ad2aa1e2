import type { ParsedClientPayload, RoomState } from '@openwcall/shared';
import {
  addSeat,
  banUser,
  createRoomRecord,
  joinRefusal,
  moderationRefusal,
  resolveMaxParticipants,
  seatOf,
  setLocked,
  toParticipant,
  toRoomState,
  updateSeat,
} from '../rooms/room';
import type { Actor } from './actor';
import type { SignalingCore } from './core';
import { type Effect, emit, joinChannel, leaveChannel, roomChannel } from './effects';
import { EMPTY, type Empty, fail, ok, type Result } from './result';
import { cancelOutgoingRinging, connectedSession, leaveRoomIn } from './steps';

export async function createRoom(
  core: SignalingCore,
  actor: Actor,
  payload: ParsedClientPayload<'room:create'>,
): Promise<Result<{ room: RoomState }>> {
  const max = resolveMaxParticipants(payload.maxParticipants, core.config.maxRoomParticipants);
  if (max === null) return fail('VALIDATION_FAILED');
  const roomId = core.newId();

  return core.run(async (tx) => {
    const session = await connectedSession(tx, actor);
    if (!session) return fail('UNAUTHENTICATED');
    if (await core.inAcceptedCall(tx, session)) return fail('BUSY');

    const effects: Effect[] = [];
    if (session.roomId !== null) {
      effects.push(...(await leaveRoomIn(core, tx, actor.userId, session.roomId, 'left')));
    }
    effects.push(...(await cancelOutgoingRinging(core, tx, actor.userId)));

    if (await tx.room(roomId)) throw new Error(`room id ${roomId} is taken`);
    const now = core.clock();
    const room = createRoomRecord({
      id: roomId,
      name: payload.name,
      maxParticipants: max,
      host: { userId: actor.userId, displayName: session.displayName, socketId: actor.socketId },
      now,
    });
    tx.put('room', roomId, room);
    const current = (await tx.user(actor.userId)) ?? session;
    tx.put('user', actor.userId, { ...current, roomId });

    const state = toRoomState(room);
    effects.push(
      joinChannel(actor.socketId, roomChannel(roomId)),
      emit({ socket: actor.socketId }, 'room:joined', { room: state }),
    );
    tx.after(() => {
      const at = new Date(now);
      core.log.info({ roomId, hostId: actor.userId }, 'room created');
      core.persist((sink) =>
        sink.roomCreated({
          roomId,
          name: room.name,
          hostId: actor.userId,
          maxParticipants: max,
          createdAt: at,
        }),
      );
      core.persist((sink) => sink.membershipStarted({ roomId, userId: actor.userId, at }));
    });
    return ok({ room: state }, effects);
  });
}

export async function joinRoom(
  core: SignalingCore,
  actor: Actor,
  { roomId }: ParsedClientPayload<'room:join'>,
): Promise<Result<{ room: RoomState }>> {
  return core.run(async (tx) => {
    const session = await connectedSession(tx, actor);
    if (!session) return fail('UNAUTHENTICATED');
    const room = await tx.room(roomId);
    if (!room) return fail('ROOM_NOT_FOUND');

    const seat = seatOf(room, actor.userId);
    if (seat) {
      if (seat.socketId === actor.socketId) return ok({ room: toRoomState(room) });
      // The same user from another socket: that socket takes the seat over.
      const moved = updateSeat(room, actor.userId, { socketId: actor.socketId });
      tx.put('room', roomId, moved);
      const state = toRoomState(moved);
      return ok({ room: state }, [
        leaveChannel(seat.socketId, roomChannel(roomId)),
        emit({ socket: seat.socketId }, 'room:participant:left', {
          roomId,
          userId: actor.userId,
          reason: 'left',
        }),
        joinChannel(actor.socketId, roomChannel(roomId)),
        emit({ socket: actor.socketId }, 'room:joined', { room: state }),
      ]);
    }

    const refusal = joinRefusal(room, actor.userId);
    if (refusal) return fail(refusal);
    if (await core.inAcceptedCall(tx, session)) return fail('BUSY');

    const effects: Effect[] = [];
    if (session.roomId !== null) {
      effects.push(...(await leaveRoomIn(core, tx, actor.userId, session.roomId, 'left')));
    }
    effects.push(...(await cancelOutgoingRinging(core, tx, actor.userId)));

    const now = core.clock();
    const joined = addSeat(
      room,
      { userId: actor.userId, displayName: session.displayName, socketId: actor.socketId },
      now,
    );
    tx.put('room', roomId, joined);
    const current = (await tx.user(actor.userId)) ?? session;
    tx.put('user', actor.userId, { ...current, roomId });

    const state = toRoomState(joined);
    const newSeat = seatOf(joined, actor.userId);
    effects.push(
      joinChannel(actor.socketId, roomChannel(roomId)),
      emit({ socket: actor.socketId }, 'room:joined', { room: state }),
    );
    if (newSeat) {
      effects.push(
        emit({ room: roomId, exceptUser: actor.userId }, 'room:participant:joined', {
          roomId,
          participant: toParticipant(joined, newSeat),
        }),
      );
    }
    tx.after(() =>
      core.persist((sink) =>
        sink.membershipStarted({ roomId, userId: actor.userId, at: new Date(now) }),
      ),
    );
    return ok({ room: state }, effects);
  });
}

export async function leaveRoom(
  core: SignalingCore,
  actor: Actor,
  { roomId }: ParsedClientPayload<'room:leave'>,
): Promise<Result<Empty>> {
  return core.run(async (tx) => {
    const room = await tx.room(roomId);
    if (!room) return fail('ROOM_NOT_FOUND');
    if (!seatOf(room, actor.userId)) return fail('NOT_IN_ROOM');
    return ok(EMPTY, await leaveRoomIn(core, tx, actor.userId, roomId, 'left'));
  });
}

export function selfMute(
  core: SignalingCore,
  actor: Actor,
  { roomId, muted }: ParsedClientPayload<'room:self:mute'>,
): Promise<Result<Empty>> {
  return updateOwnSeat(core, actor, roomId, { muted });
}

/** Extension: deafened people hear nobody and send nothing; the room sees it on their tile. */
export function selfDeafen(
  core: SignalingCore,
  actor: Actor,
  { roomId, deafened }: ParsedClientPayload<'room:self:deafen'>,
): Promise<Result<Empty>> {
  return updateOwnSeat(core, actor, roomId, { deafened });
}

/** One flag of one's own seat; the room hears of it (also when it was already so). */
function updateOwnSeat(
  core: SignalingCore,
  actor: Actor,
  roomId: string,
  patch: { muted: boolean } | { deafened: boolean },
): Promise<Result<Empty>> {
  return core.run(async (tx) => {
    const room = await tx.room(roomId);
    if (!room) return fail('ROOM_NOT_FOUND');
    const seat = seatOf(room, actor.userId);
    if (!seat) return fail('NOT_IN_ROOM');
    const updated = updateSeat(room, actor.userId, patch);
    const next = { ...seat, ...patch };
    if (next.muted !== seat.muted || next.deafened !== seat.deafened) {
      tx.put('room', roomId, updated);
    }
    return ok(EMPTY, [
      emit({ room: roomId }, 'room:participant:updated', {
        roomId,
        participant: toParticipant(updated, next),
      }),
    ]);
  });
}

export async function hostMute(
  core: SignalingCore,
  actor: Actor,
  { roomId, userId: targetUserId }: ParsedClientPayload<'room:host:mute'>,
): Promise<Result<Empty>> {
  return core.run(async (tx) => {
    const room = await tx.room(roomId);
    if (!room) return fail('ROOM_NOT_FOUND');
    const refusal = moderationRefusal(room, actor.userId, targetUserId);
    if (refusal) return fail(refusal);
    const seat = seatOf(room, targetUserId);
    if (!seat) return fail('NOT_IN_ROOM');

    const updated = updateSeat(room, targetUserId, { muted: true });
    if (!seat.muted) tx.put('room', roomId, updated);
    const at = new Date(core.clock());
    tx.after(() =>
      core.persist((sink) =>
        sink.moderation({ roomId, action: 'mute', byUserId: actor.userId, targetUserId, at }),
      ),
    );
    return ok(EMPTY, [
      emit({ room: roomId }, 'room:host:action', {
        roomId,
        action: 'mute',
        targetUserId,
        byUserId: actor.userId,
      }),
      emit({ room: roomId }, 'room:participant:updated', {
        roomId,
        participant: toParticipant(updated, { ...seat, muted: true }),
      }),
    ]);
  });
}

export async function hostKick(
  core: SignalingCore,
  actor: Actor,
  { roomId, userId: targetUserId }: ParsedClientPayload<'room:host:kick'>,
): Promise<Result<Empty>> {
  return core.run(async (tx) => {
    const room = await tx.room(roomId);
    if (!room) return fail('ROOM_NOT_FOUND');
    const refusal = moderationRefusal(room, actor.userId, targetUserId);
    if (refusal) return fail(refusal);

    // The target hears it too, before it is taken out of the room's channel.
    const effects: Effect[] = [
      emit({ room: roomId }, 'room:host:action', {
        roomId,
        action: 'kick',
        targetUserId,
        byUserId: actor.userId,
      }),
      ...(await leaveRoomIn(core, tx, targetUserId, roomId, 'kicked')),
    ];
    const remaining = await tx.room(roomId);
    if (remaining) tx.put('room', roomId, banUser(remaining, targetUserId));
    const at = new Date(core.clock());
    tx.after(() =>
      core.persist((sink) =>
        sink.moderation({ roomId, action: 'kick', byUserId: actor.userId, targetUserId, at }),
      ),
    );
    return ok(EMPTY, effects);
  });
}

export async function hostLock(
  core: SignalingCore,
  actor: Actor,
  { roomId, locked }: ParsedClientPayload<'room:host:lock'>,
): Promise<Result<Empty>> {
  return core.run(async (tx) => {
    const room = await tx.room(roomId);
    if (!room) return fail('ROOM_NOT_FOUND');
    const refusal = moderationRefusal(room, actor.userId);
    if (refusal) return fail(refusal);
    if (room.locked !== locked) tx.put('room', roomId, setLocked(room, locked));
    const action = locked ? 'lock' : 'unlock';
    const at = new Date(core.clock());
    tx.after(() =>
      core.persist((sink) =>
        sink.moderation({ roomId, action, byUserId: actor.userId, targetUserId: null, at }),
      ),
    );
    return ok(EMPTY, [
      emit({ room: roomId }, 'room:host:action', { roomId, action, byUserId: actor.userId }),
    ]);
  });
}
