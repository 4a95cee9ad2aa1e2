import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Actor } from './actor';
import { createHarness, type Harness } from './testing';

let h: Harness;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  h = createHarness();
});

afterEach(() => {
  h.service.close();
  vi.useRealTimers();
});

async function roomWith(host: Actor, ...others: Actor[]): Promise<string> {
  const { room } = await h.must(h.service.handle('room:create', host, { name: 'Standup' }));
  for (const actor of others) {
    vi.advanceTimersByTime(1); // distinct join times
    await h.must(h.service.handle('room:join', actor, { roomId: room.id }));
  }
  h.wire.clear();
  return room.id;
}

describe('room:create', () => {
  it('seats the creator as host and tells everyone about the room', async () => {
    const alice = await h.connect('alice');
    await h.connect('bob');
    h.wire.clear();

    const { room } = await h.must(h.service.handle('room:create', alice, { name: 'Standup' }));

    expect(room).toMatchObject({
      name: 'Standup',
      hostId: 'alice',
      locked: false,
      maxParticipants: 6,
      participants: [{ userId: 'alice', displayName: 'Alice', isHost: true, muted: false }],
    });
    expect(h.wire.received('alice:1', 'room:joined')).toEqual([{ room }]);
    const summary = {
      id: room.id,
      name: 'Standup',
      hostId: 'alice',
      participantCount: 1,
      maxParticipants: 6,
      locked: false,
    };
    expect(h.wire.received('bob:1', 'room:list')).toEqual([{ rooms: [summary] }]);
    expect(h.wire.received('alice:1', 'room:list')).toEqual([{ rooms: [summary] }]);
    expect(h.wire.inChannel(`room:${room.id}`)).toEqual(['alice:1']);
    expect(h.persistence.events.map((e) => e.method)).toEqual(['roomCreated', 'membershipStarted']);
  });

  it('generates ids with crypto.randomUUID by default', async () => {
    const { SignalingService } = await import('./service');
    const { InMemoryStore } = await import('../store/in-memory-store');
    const service = new SignalingService({
      store: new InMemoryStore(),
      findUser: async () => null,
      emit: () => {},
    });
    await service.authenticated('u', 'U', 's');
    const created = await service.handle(
      'room:create',
      { userId: 'u', socketId: 's' },
      { name: 'x' },
    );
    expect(created.ok && created.result.room.id).toMatch(/^[0-9a-f-]{36}$/);
    service.close();
  });

  it('takes maxParticipants up to MAX_ROOM_PARTICIPANTS and refuses more', async () => {
    const alice = await h.connect('alice');
    const small = await h.must(
      h.service.handle('room:create', alice, { name: 'x', maxParticipants: 2 }),
    );
    expect(small.room.maxParticipants).toBe(2);
    const over = await h.service.handle('room:create', alice, { name: 'x', maxParticipants: 7 });
    expect(over).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(over.effects).toEqual([]);
  });

  it('uses the configured limit', async () => {
    h.service.close();
    h = createHarness({ config: { maxRoomParticipants: 10 } });
    const alice = await h.connect('alice');
    const { room } = await h.must(h.service.handle('room:create', alice, { name: 'x' }));
    expect(room.maxParticipants).toBe(10);
  });

  it('moves the creator out of the room they were in', async () => {
    const [alice, bob] = [await h.connect('alice'), await h.connect('bob')];
    const first = await roomWith(alice, bob);
    const { room } = await h.must(h.service.handle('room:create', alice, { name: 'Second' }));

    expect(h.wire.received('bob:1', 'room:participant:left')).toEqual([
      { roomId: first, userId: 'alice', reason: 'left' },
    ]);
    const lists = h.wire.received('bob:1', 'room:list');
    expect(lists).toHaveLength(1);
    expect(lists[0]?.rooms.map((r) => [r.id, r.hostId, r.participantCount])).toEqual([
      [first, 'bob', 1],
      [room.id, 'alice', 1],
    ]);
    expect(h.wire.inChannel(`room:${first}`)).toEqual(['bob:1']);
  });

  it('fails UNAUTHENTICATED for a socket the service does not know', async () => {
    await h.connect('alice');
    const result = await h.service.handle(
      'room:create',
      { userId: 'alice', socketId: 'other' },
      { name: 'x' },
    );
    expect(result).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
  });
});

describe('room:join', () => {
  it('seats the joiner and tells the others and everyone', async () => {
    const [alice, bob, carol] = [
      await h.connect('alice'),
      await h.connect('bob'),
      await h.connect('carol'),
    ];
    const roomId = await roomWith(alice);

    const { room } = await h.must(h.service.handle('room:join', bob, { roomId }));

    expect(room.participants.map((p) => [p.userId, p.isHost])).toEqual([
      ['alice', true],
      ['bob', false],
    ]);
    expect(h.wire.received('bob:1', 'room:joined')).toEqual([{ room }]);
    expect(h.wire.received('alice:1', 'room:participant:joined')).toEqual([
      { roomId, participant: room.participants[1] },
    ]);
    expect(h.wire.received('bob:1', 'room:participant:joined')).toEqual([]);
    expect(h.wire.received('carol:1', 'room:list')[0]?.rooms[0]?.participantCount).toBe(2);
    expect(h.wire.inChannel(`room:${roomId}`)).toEqual(['alice:1', 'bob:1']);
    expect(carol).toBeDefined();
  });

  it('checks ROOM_NOT_FOUND, ROOM_BANNED, ROOM_LOCKED, ROOM_FULL in that order', async () => {
    h.users.set('gina', { id: 'gina', displayName: 'Gina' });
    const [alice, bob, carol] = [
      await h.connect('alice'),
      await h.connect('bob'),
      await h.connect('carol'),
    ];
    const gina = await h.connect('gina');

    expect(await h.service.handle('room:join', bob, { roomId: 'nope' })).toMatchObject({
      ok: false,
      code: 'ROOM_NOT_FOUND',
    });

    const { room } = await h.must(
      h.service.handle('room:create', alice, { name: 'x', maxParticipants: 2 }),
    );
    const roomId = room.id;
    await h.must(h.service.handle('room:join', bob, { roomId }));
    await h.must(h.service.handle('room:host:kick', alice, { roomId, userId: 'bob' }));
    await h.must(h.service.handle('room:join', carol, { roomId })); // now full
    await h.must(h.service.handle('room:host:lock', alice, { roomId, locked: true }));

    const codeFor = async (actor: Actor) => {
      const result = await h.service.handle('room:join', actor, { roomId });
      return result.ok ? 'ok' : result.code;
    };
    expect(await codeFor(bob)).toBe('ROOM_BANNED'); // banned, locked and full
    expect(await codeFor(gina)).toBe('ROOM_LOCKED'); // locked and full
    await h.must(h.service.handle('room:host:lock', alice, { roomId, locked: false }));
    expect(await codeFor(gina)).toBe('ROOM_FULL');
  });

  it('joining the room one is in succeeds and changes nothing', async () => {
    const [alice, bob] = [await h.connect('alice'), await h.connect('bob')];
    const roomId = await roomWith(alice, bob);
    h.persistence.events.length = 0;

    const result = await h.perform(h.service.handle('room:join', bob, { roomId }));

    expect(result).toMatchObject({ ok: true, effects: [] });
    expect(result.ok && result.result.room.participants).toHaveLength(2);
    expect(h.wire.inbox('alice:1')).toEqual([]);
    expect(h.persistence.events).toEqual([]);
  });

  it('a locked or full room still lets its own participant "rejoin"', async () => {
    const [alice, bob] = [await h.connect('alice'), await h.connect('bob')];
    const { room } = await h.must(
      h.service.handle('room:create', alice, { name: 'x', maxParticipants: 2 }),
    );
    await h.must(h.service.handle('room:join', bob, { roomId: room.id }));
    await h.must(h.service.handle('room:host:lock', alice, { roomId: room.id, locked: true }));
    expect((await h.service.handle('room:join', bob, { roomId: room.id })).ok).toBe(true);
  });

  it('joining another room leaves the current one first', async () => {
    const [alice, bob, carol] = [
      await h.connect('alice'),
      await h.connect('bob'),
      await h.connect('carol'),
    ];
    const first = await roomWith(alice, bob);
    const second = await roomWith(carol);

    await h.must(h.service.handle('room:join', bob, { roomId: second }));

    expect(h.wire.received('alice:1', 'room:participant:left')).toEqual([
      { roomId: first, userId: 'bob', reason: 'left' },
    ]);
    expect(h.wire.received('carol:1', 'room:participant:joined')).toHaveLength(1);
    expect(h.wire.inChannel(`room:${first}`)).toEqual(['alice:1']);
    expect(h.wire.inChannel(`room:${second}`)).toEqual(['bob:1', 'carol:1']);
    // Still in a room, now another one: the delta names it (extension: roomId).
    expect(h.wire.received('alice:1', 'presence:list')).toEqual([
      {
        full: false,
        users: [
          { userId: 'bob', displayName: 'Bob', status: 'online', inCall: true, roomId: second },
        ],
      },
    ]);
    expect(h.persistence.of('membershipEnded')).toMatchObject([
      { roomId: first, userId: 'bob', reason: 'left' },
    ]);
  });

  it('a second socket of the same user takes the seat over', async () => {
    const [alice, bob] = [await h.connect('alice'), await h.connect('bob')];
    const roomId = await roomWith(alice, bob);
    const bob2 = await h.connect('bob', 'bob:2');
    h.wire.clear();

    const { room } = await h.must(h.service.handle('room:join', bob2, { roomId }));

    expect(room.participants.map((p) => p.userId)).toEqual(['alice', 'bob']);
    expect(h.wire.inChannel(`room:${roomId}`)).toEqual(['alice:1', 'bob:2']);
    expect(h.wire.received('bob:2', 'room:joined')).toEqual([{ room }]);
    expect(h.wire.received('bob:1', 'room:participant:left')).toEqual([
      { roomId, userId: 'bob', reason: 'left' },
    ]);
    expect(h.wire.inbox('alice:1')).toEqual([]);
    expect((await h.records.getRoom(roomId))?.seats[1]?.socketId).toBe('bob:2');
    // Signals for this room now go to and come from bob:2 only.
    const route = await h.service.authorizeSignal('alice', 'alice:1', { to: 'bob', roomId });
    expect(route).toMatchObject({ ok: true, result: { targetSocketId: 'bob:2' } });
  });

  it('admits exactly the free seats under 30 concurrent joins', async () => {
    const ids = Array.from({ length: 31 }, (_, i) => `u${i}`);
    h.service.close();
    h = createHarness({ users: ids });
    const actors = await Promise.all(ids.map((id) => h.connect(id)));
    const [host, ...rest] = actors;
    if (!host) throw new Error('unreachable');
    const { room } = await h.must(h.service.handle('room:create', host, { name: 'Race' }));

    const results = await Promise.all(
      rest.map((actor) => h.service.handle('room:join', actor, { roomId: room.id })),
    );

    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.code)).toEqual(
      Array(25).fill('ROOM_FULL'),
    );
    expect((await h.records.getRoom(room.id))?.seats).toHaveLength(6);
  });

  it('admits exactly the free seats when joins race leaves', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `u${i}`);
    h.service.close();
    h = createHarness({ users: ids });
    const actors = await Promise.all(ids.map((id) => h.connect(id)));
    const [host, a, b, ...rest] = actors;
    if (!host || !a || !b) throw new Error('unreachable');
    const roomId = await roomWith(host, a, b);

    const results = await Promise.all([
      h.service.handle('room:leave', a, { roomId }),
      ...rest.map((actor) => h.service.handle('room:join', actor, { roomId })),
      h.service.handle('room:leave', b, { roomId }),
    ]);

    const joined = results.slice(1, -1).filter((r) => r.ok).length;
    expect(joined).toBeGreaterThanOrEqual(3);
    expect(joined).toBeLessThanOrEqual(5);
    expect((await h.records.getRoom(roomId))?.seats).toHaveLength(3 + joined - 2);
  });
});

describe('room:leave, host transfer and closing', () => {
  it('fails ROOM_NOT_FOUND and NOT_IN_ROOM', async () => {
    const [alice, bob] = [await h.connect('alice'), await h.connect('bob')];
    const roomId = await roomWith(alice);
    expect(await h.service.handle('room:leave', bob, { roomId: 'nope' })).toMatchObject({
      ok: false,
      code: 'ROOM_NOT_FOUND',
    });
    expect(await h.service.handle('room:leave', bob, { roomId })).toMatchObject({
      ok: false,
      code: 'NOT_IN_ROOM',
    });
  });

  it('tells the others, and hands the host role to the earliest joiner', async () => {
    const [alice, bob, carol, dave] = [
      await h.connect('alice'),
      await h.connect('bob'),
      await h.connect('carol'),
      await h.connect('dave'),
    ];
    const roomId = await roomWith(alice, carol, bob, dave);

    await h.must(h.service.handle('room:leave', alice, { roomId }));

    for (const socket of ['bob:1', 'carol:1', 'dave:1']) {
      expect(h.wire.events(socket).filter((e) => e.startsWith('room:'))).toEqual([
        'room:participant:left',
        'room:host:action',
        'room:participant:updated',
        'room:list',
      ]);
      expect(h.wire.received(socket, 'room:host:action')).toEqual([
        { roomId, action: 'host-transferred', targetUserId: 'carol', byUserId: 'alice' },
      ]);
      expect(h.wire.received(socket, 'room:participant:updated')[0]?.participant).toMatchObject({
        userId: 'carol',
        isHost: true,
      });
    }
    expect(h.wire.received('alice:1', 'room:participant:left')).toEqual([]);
    expect(h.wire.received('alice:1', 'room:list')[0]?.rooms[0]?.hostId).toBe('carol');

    // Next in line after carol is bob (joined before dave).
    await h.must(h.service.handle('room:leave', carol, { roomId }));
    expect((await h.records.getRoom(roomId))?.hostId).toBe('bob');
    expect(h.persistence.of('moderation').map((m) => [m.action, m.targetUserId])).toEqual([
      ['host-transferred', 'carol'],
      ['host-transferred', 'bob'],
    ]);
  });

  it('a participant leaving keeps the host', async () => {
    const [alice, bob, carol] = [
      await h.connect('alice'),
      await h.connect('bob'),
      await h.connect('carol'),
    ];
    const roomId = await roomWith(alice, bob, carol);
    await h.must(h.service.handle('room:leave', bob, { roomId }));
    expect(h.wire.received('alice:1', 'room:host:action')).toEqual([]);
    expect((await h.records.getRoom(roomId))?.hostId).toBe('alice');
  });

  it('the last one out closes the room', async () => {
    const [alice, bob] = [await h.connect('alice'), await h.connect('bob')];
    const roomId = await roomWith(alice, bob);
    await h.must(h.service.handle('room:leave', alice, { roomId }));
    await h.must(h.service.handle('room:leave', bob, { roomId }));

    expect(await h.records.getRoom(roomId)).toBeUndefined();
    expect(h.wire.received('alice:1', 'room:list').at(-1)).toEqual({ rooms: [] });
    expect(await h.service.handle('room:join', alice, { roomId })).toMatchObject({
      ok: false,
      code: 'ROOM_NOT_FOUND',
    });
    expect(h.persistence.of('roomClosed')).toMatchObject([{ roomId }]);
  });
});

describe('room:self:mute', () => {
  it('tells everyone in the room, the muter included', async () => {
    const [alice, bob, carol] = [
      await h.connect('alice'),
      await h.connect('bob'),
      await h.connect('carol'),
    ];
    const roomId = await roomWith(alice, bob);

    await h.must(h.service.handle('room:self:mute', bob, { roomId, muted: true }));

    for (const socket of ['alice:1', 'bob:1']) {
      expect(h.wire.received(socket, 'room:participant:updated')).toMatchObject([
        { roomId, participant: { userId: 'bob', muted: true, isHost: false } },
      ]);
    }
    expect(h.wire.inbox('carol:1')).toEqual([]); // no summary change: no room:list
    expect(await h.service.handle('room:self:mute', carol, { roomId, muted: true })).toMatchObject({
      ok: false,
      code: 'NOT_IN_ROOM',
    });
    expect(
      await h.service.handle('room:self:mute', bob, { roomId: 'nope', muted: true }),
    ).toMatchObject({
      ok: false,
      code: 'ROOM_NOT_FOUND',
    });
  });
});

describe('host moderation', () => {
  let alice: Actor;
  let bob: Actor;
  let carol: Actor;
  let roomId: string;

  beforeEach(async () => {
    [alice, bob, carol] = [
      await h.connect('alice'),
      await h.connect('bob'),
      await h.connect('carol'),
    ];
    roomId = await roomWith(alice, bob);
  });

  const ops = {
    mute: (actor: Actor, room: string, userId: string) =>
      h.service.handle('room:host:mute', actor, { roomId: room, userId }),
    kick: (actor: Actor, room: string, userId: string) =>
      h.service.handle('room:host:kick', actor, { roomId: room, userId }),
  };

  describe.each(Object.keys(ops) as Array<keyof typeof ops>)('%s', (op) => {
    it('fails ROOM_NOT_FOUND, FORBIDDEN, INVALID_TARGET, NOT_IN_ROOM', async () => {
      const code = async (actor: Actor, room: string, target: string) => {
        const result = await ops[op](actor, room, target);
        return result.ok ? 'ok' : result.code;
      };
      expect(await code(alice, 'nope', 'bob')).toBe('ROOM_NOT_FOUND');
      expect(await code(bob, roomId, 'alice')).toBe('FORBIDDEN');
      expect(await code(bob, roomId, 'bob')).toBe('FORBIDDEN');
      expect(await code(carol, roomId, 'bob')).toBe('FORBIDDEN');
      expect(await code(alice, roomId, 'alice')).toBe('INVALID_TARGET');
      expect(await code(alice, roomId, 'carol')).toBe('NOT_IN_ROOM');
      expect(await code(alice, roomId, 'nobody')).toBe('NOT_IN_ROOM');
      expect(h.wire.inbox('bob:1')).toEqual([]);
    });
  });

  it('mute: the target is muted, everyone in the room hears it, and it can unmute itself', async () => {
    await h.must(h.service.handle('room:host:mute', alice, { roomId, userId: 'bob' }));

    for (const socket of ['alice:1', 'bob:1']) {
      expect(h.wire.received(socket, 'room:host:action')).toEqual([
        { roomId, action: 'mute', targetUserId: 'bob', byUserId: 'alice' },
      ]);
      expect(h.wire.received(socket, 'room:participant:updated')).toMatchObject([
        { roomId, participant: { userId: 'bob', muted: true } },
      ]);
    }
    expect(h.persistence.of('moderation')).toMatchObject([
      { roomId, action: 'mute', byUserId: 'alice', targetUserId: 'bob' },
    ]);
    await h.must(h.service.handle('room:self:mute', bob, { roomId, muted: false }));
    expect((await h.records.getRoom(roomId))?.seats[1]?.muted).toBe(false);
  });

  it('kick: everyone hears it, then the others see the target leave; it may not come back', async () => {
    await h.must(h.service.handle('room:host:kick', alice, { roomId, userId: 'bob' }));

    expect(h.wire.events('bob:1').filter((e) => e.startsWith('room:'))).toEqual([
      'room:host:action',
      'room:list',
    ]);
    expect(h.wire.received('alice:1', 'room:host:action')).toEqual([
      { roomId, action: 'kick', targetUserId: 'bob', byUserId: 'alice' },
    ]);
    expect(h.wire.received('alice:1', 'room:participant:left')).toEqual([
      { roomId, userId: 'bob', reason: 'kicked' },
    ]);
    expect(h.wire.inChannel(`room:${roomId}`)).toEqual(['alice:1']);
    expect(h.wire.received('carol:1', 'presence:list')).toEqual([
      {
        full: false,
        users: [{ userId: 'bob', displayName: 'Bob', status: 'online', inCall: false }],
      },
    ]);
    expect(await h.service.handle('room:join', bob, { roomId })).toMatchObject({
      ok: false,
      code: 'ROOM_BANNED',
    });
    expect(h.persistence.of('membershipEnded')).toMatchObject([
      { userId: 'bob', reason: 'kicked' },
    ]);
  });

  it('the ban ends with the room', async () => {
    await h.must(h.service.handle('room:host:kick', alice, { roomId, userId: 'bob' }));
    await h.must(h.service.handle('room:leave', alice, { roomId }));
    // A new room, even by the same host, has a fresh ban list.
    const { room } = await h.must(h.service.handle('room:create', alice, { name: 'Again' }));
    expect((await h.service.handle('room:join', bob, { roomId: room.id })).ok).toBe(true);
  });

  it('lock and unlock: only the host; everyone in the room hears it; the list shows it', async () => {
    expect(await h.service.handle('room:host:lock', bob, { roomId, locked: true })).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
    });
    expect(
      await h.service.handle('room:host:lock', alice, { roomId: 'nope', locked: true }),
    ).toMatchObject({
      ok: false,
      code: 'ROOM_NOT_FOUND',
    });

    await h.must(h.service.handle('room:host:lock', alice, { roomId, locked: true }));
    expect(h.wire.received('bob:1', 'room:host:action')).toEqual([
      { roomId, action: 'lock', byUserId: 'alice' },
    ]);
    expect(h.wire.received('carol:1', 'room:list')[0]?.rooms[0]?.locked).toBe(true);
    expect(await h.service.handle('room:join', carol, { roomId })).toMatchObject({
      ok: false,
      code: 'ROOM_LOCKED',
    });

    h.wire.clear();
    await h.must(h.service.handle('room:host:lock', alice, { roomId, locked: false }));
    expect(h.wire.received('alice:1', 'room:host:action')).toEqual([
      { roomId, action: 'unlock', byUserId: 'alice' },
    ]);
    expect(h.wire.received('carol:1', 'room:list')[0]?.rooms[0]?.locked).toBe(false);
    expect((await h.service.handle('room:join', carol, { roomId })).ok).toBe(true);
  });

  it('the new host moderates after a transfer, the old one no longer can', async () => {
    await h.must(h.service.handle('room:join', carol, { roomId }));
    await h.must(h.service.handle('room:leave', alice, { roomId }));
    await h.must(h.service.handle('room:join', alice, { roomId }));
    expect(
      await h.service.handle('room:host:mute', alice, { roomId, userId: 'carol' }),
    ).toMatchObject({
      ok: false,
      code: 'FORBIDDEN',
    });
    expect((await h.service.handle('room:host:kick', bob, { roomId, userId: 'alice' })).ok).toBe(
      true,
    );
  });
});
