import { describe, expect, it } from 'vitest';
import {
  addSeat,
  banUser,
  createRoomRecord,
  joinRefusal,
  moderationRefusal,
  type RoomRecord,
  removeSeat,
  resolveMaxParticipants,
  setLocked,
  toRoomList,
  toRoomState,
  toRoomSummary,
  updateSeat,
} from './room';

const seat = (userId: string) => ({ userId, displayName: userId, socketId: `${userId}:1` });

function roomOf(userIds: string[], max = 6): RoomRecord {
  const [host = 'h', ...rest] = userIds;
  let room = createRoomRecord({
    id: 'r',
    name: 'R',
    maxParticipants: max,
    host: seat(host),
    now: 0,
  });
  rest.forEach((id, i) => {
    room = addSeat(room, seat(id), i + 1);
  });
  return room;
}

describe('resolveMaxParticipants', () => {
  it('defaults to the limit and accepts 2..limit', () => {
    expect(resolveMaxParticipants(undefined, 6)).toBe(6);
    expect(resolveMaxParticipants(2, 6)).toBe(2);
    expect(resolveMaxParticipants(6, 6)).toBe(6);
  });

  it('refuses values outside 2..limit or not whole', () => {
    expect(resolveMaxParticipants(7, 6)).toBeNull();
    expect(resolveMaxParticipants(1, 6)).toBeNull();
    expect(resolveMaxParticipants(2.5, 6)).toBeNull();
  });
});

describe('joinRefusal', () => {
  it('checks banned, then locked, then full', () => {
    const full = roomOf(['a', 'b'], 2);
    const all = setLocked(banUser(full, 'x'), true);
    expect(joinRefusal(all, 'x')).toBe('ROOM_BANNED');
    expect(joinRefusal(all, 'y')).toBe('ROOM_LOCKED');
    expect(joinRefusal(full, 'y')).toBe('ROOM_FULL');
    expect(joinRefusal(roomOf(['a']), 'y')).toBeNull();
  });
});

describe('removeSeat', () => {
  it('hands the host role to the earliest remaining joiner', () => {
    const room = roomOf(['a', 'b', 'c']);
    const removal = removeSeat(room, 'a');
    expect(removal?.newHostId).toBe('b');
    expect(removal?.room?.hostId).toBe('b');
    expect(removal?.room?.seats.map((s) => s.userId)).toEqual(['b', 'c']);
  });

  it('keeps the host when someone else leaves', () => {
    const removal = removeSeat(roomOf(['a', 'b', 'c']), 'b');
    expect(removal?.newHostId).toBeNull();
    expect(removal?.room?.hostId).toBe('a');
  });

  it('closes the room when the last one leaves', () => {
    expect(removeSeat(roomOf(['a']), 'a')).toMatchObject({ room: null, newHostId: null });
  });

  it('returns null for someone not seated', () => {
    expect(removeSeat(roomOf(['a']), 'z')).toBeNull();
  });
});

describe('moderationRefusal', () => {
  const room = roomOf(['h', 'p']);
  it('checks FORBIDDEN, then INVALID_TARGET, then NOT_IN_ROOM', () => {
    expect(moderationRefusal(room, 'p', 'p')).toBe('FORBIDDEN');
    expect(moderationRefusal(room, 'outsider', 'h')).toBe('FORBIDDEN');
    expect(moderationRefusal(room, 'h', 'h')).toBe('INVALID_TARGET');
    expect(moderationRefusal(room, 'h', 'z')).toBe('NOT_IN_ROOM');
    expect(moderationRefusal(room, 'h', 'p')).toBeNull();
    expect(moderationRefusal(room, 'h')).toBeNull();
  });
});

describe('views', () => {
  it('maps to the wire shapes', () => {
    const room = updateSeat(roomOf(['h', 'p']), 'p', { muted: true });
    expect(toRoomState(room)).toEqual({
      id: 'r',
      name: 'R',
      hostId: 'h',
      locked: false,
      maxParticipants: 6,
      participants: [
        {
          userId: 'h',
          displayName: 'h',
          isHost: true,
          muted: false,
          deafened: false,
          joinedAt: new Date(0).toISOString(),
        },
        {
          userId: 'p',
          displayName: 'p',
          isHost: false,
          muted: true,
          deafened: false,
          joinedAt: new Date(1).toISOString(),
        },
      ],
    });
    expect(toRoomSummary(room)).toEqual({
      id: 'r',
      name: 'R',
      hostId: 'h',
      participantCount: 2,
      maxParticipants: 6,
      locked: false,
    });
  });

  it('lists rooms oldest first', () => {
    const a = { ...roomOf(['a']), id: 'a', createdAt: 5 };
    const b = { ...roomOf(['b']), id: 'b', createdAt: 1 };
    expect(toRoomList([a, b]).map((r) => r.id)).toEqual(['b', 'a']);
  });

  it('never mutates its input', () => {
    const room = Object.freeze(roomOf(['a', 'b']));
    expect(() => removeSeat(room, 'a')).not.toThrow();
    expect(room.seats).toHaveLength(2);
  });
});
