import type { Participant, RoomState, RoomSummary } from '@openwcall/shared';

/*
 * A room as stored: plain, JSON-serialisable data (the store may live in Redis), changed
 * only through the pure functions below, which return new records and never mutate.
 */

export interface Seat {
  readonly userId: string;
  readonly displayName: string;
  /** The socket holding the seat: the room's channel and WebRTC signals go through it. */
  readonly socketId: string;
  readonly muted: boolean;
  /** Hears nobody and sends nothing (an extension). Records written before it lack it. */
  readonly deafened: boolean;
  /** Epoch milliseconds. */
  readonly joinedAt: number;
}

export interface RoomRecord {
  readonly id: string;
  readonly name: string;
  readonly hostId: string;
  readonly locked: boolean;
  readonly maxParticipants: number;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** In join order: the first seat is the earliest joiner, next in line to host. */
  readonly seats: readonly Seat[];
  /** Users the host kicked; they may not rejoin while the room stays open. */
  readonly banned: readonly string[];
}

export type JoinRefusal = 'ROOM_BANNED' | 'ROOM_LOCKED' | 'ROOM_FULL';
export type ModerationRefusal = 'FORBIDDEN' | 'INVALID_TARGET' | 'NOT_IN_ROOM';

/** The smallest room that makes sense: a room of one is a waiting room, not a call. */
export const MIN_ROOM_PARTICIPANTS = 2;

/**
 * `maxParticipants` of a new room: the server's limit when absent, `null` (VALIDATION_FAILED)
 * when outside 2..limit. The shared schema bounds it loosely; the limit is configuration.
 */
export function resolveMaxParticipants(
  requested: number | undefined,
  limit: number,
): number | null {
  if (requested === undefined) return limit;
  if (!Number.isInteger(requested)) return null;
  if (requested < MIN_ROOM_PARTICIPANTS || requested > limit) return null;
  return requested;
}

export function createRoomRecord(input: {
  id: string;
  name: string;
  maxParticipants: number;
  host: { userId: string; displayName: string; socketId: string };
  now: number;
}): RoomRecord {
  return {
    id: input.id,
    name: input.name,
    hostId: input.host.userId,
    locked: false,
    maxParticipants: input.maxParticipants,
    createdAt: input.now,
    seats: [{ ...input.host, muted: false, deafened: false, joinedAt: input.now }],
    banned: [],
  };
}

export function seatOf(room: RoomRecord, userId: string): Seat | undefined {
  return room.seats.find((seat) => seat.userId === userId);
}

/** Why `userId` (not seated yet) may not join, in the protocol's order; null when they may. */
export function joinRefusal(room: RoomRecord, userId: string): JoinRefusal | null {
  if (room.banned.includes(userId)) return 'ROOM_BANNED';
  if (room.locked) return 'ROOM_LOCKED';
  if (room.seats.length >= room.maxParticipants) return 'ROOM_FULL';
  return null;
}

export function addSeat(
  room: RoomRecord,
  seat: { userId: string; displayName: string; socketId: string },
  now: number,
): RoomRecord {
  return {
    ...room,
    seats: [...room.seats, { ...seat, muted: false, deafened: false, joinedAt: now }],
  };
}

export interface SeatRemoval {
  /** The room afterwards, or null when the last one left and the room closes. */
  readonly room: RoomRecord | null;
  readonly seat: Seat;
  /** Set when the host left and the earliest remaining joiner took over. */
  readonly newHostId: string | null;
}

export function removeSeat(room: RoomRecord, userId: string): SeatRemoval | null {
  const seat = seatOf(room, userId);
  if (!seat) return null;
  const seats = room.seats.filter((s) => s.userId !== userId);
  const successor = seats[0];
  if (!successor) return { room: null, seat, newHostId: null };
  const hostLeft = room.hostId === userId;
  return {
    room: { ...room, seats, hostId: hostLeft ? successor.userId : room.hostId },
    seat,
    newHostId: hostLeft ? successor.userId : null,
  };
}

export function updateSeat(
  room: RoomRecord,
  userId: string,
  patch: Partial<Pick<Seat, 'muted' | 'deafened' | 'socketId' | 'displayName'>>,
): RoomRecord {
  return {
    ...room,
    seats: room.seats.map((seat) => (seat.userId === userId ? { ...seat, ...patch } : seat)),
  };
}

export function banUser(room: RoomRecord, userId: string): RoomRecord {
  return room.banned.includes(userId) ? room : { ...room, banned: [...room.banned, userId] };
}

export function setLocked(room: RoomRecord, locked: boolean): RoomRecord {
  return { ...room, locked };
}

/** Only the host moderates, never itself, and only someone seated in the room. */
export function moderationRefusal(
  room: RoomRecord,
  actorId: string,
  targetId?: string,
): ModerationRefusal | null {
  if (room.hostId !== actorId) return 'FORBIDDEN';
  if (targetId === undefined) return null;
  if (targetId === actorId) return 'INVALID_TARGET';
  if (!seatOf(room, targetId)) return 'NOT_IN_ROOM';
  return null;
}

export function toParticipant(room: RoomRecord, seat: Seat): Participant {
  return {
    userId: seat.userId,
    displayName: seat.displayName,
    isHost: seat.userId === room.hostId,
    muted: seat.muted,
    deafened: seat.deafened === true,
    joinedAt: new Date(seat.joinedAt).toISOString(),
  };
}

export function toRoomState(room: RoomRecord): RoomState {
  return {
    id: room.id,
    name: room.name,
    hostId: room.hostId,
    locked: room.locked,
    maxParticipants: room.maxParticipants,
    participants: room.seats.map((seat) => toParticipant(room, seat)),
  };
}

export function toRoomSummary(room: RoomRecord): RoomSummary {
  return {
    id: room.id,
    name: room.name,
    hostId: room.hostId,
    participantCount: room.seats.length,
    maxParticipants: room.maxParticipants,
    locked: room.locked,
  };
}

export function sameSummary(a: RoomSummary | null, b: RoomSummary | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.hostId === b.hostId &&
    a.participantCount === b.participantCount &&
    a.maxParticipants === b.maxParticipants &&
    a.locked === b.locked
  );
}

/** The room list as clients see it: oldest room first. */
export function toRoomList(rooms: readonly RoomRecord[]): RoomSummary[] {
  return [...rooms]
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(toRoomSummary);
}
