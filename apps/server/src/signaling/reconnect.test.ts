import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Actor } from './actor';
import { createHarness, type Harness } from './testing';

const GRACE = 5000;
let h: Harness;
let alice: Actor;
let bob: Actor;
let carol: Actor;

beforeEach(async () => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  h = createHarness({ config: { reconnectGraceMs: GRACE } });
  alice = await h.connect('alice');
  bob = await h.connect('bob');
  carol = await h.connect('carol');
});

afterEach(() => {
  h.service.close();
  vi.useRealTimers();
});

async function room(...members: Actor[]): Promise<string> {
  const [host, ...rest] = members;
  if (!host) throw new Error('no host');
  const { room } = await h.must(h.service.handle('room:create', host, { name: 'R' }));
  for (const actor of rest) {
    vi.advanceTimersByTime(1);
    await h.must(h.service.handle('room:join', actor, { roomId: room.id }));
  }
  h.wire.clear();
  return room.id;
}

async function talk(caller: Actor, callee: Actor): Promise<string> {
  const { callId } = await h.must(
    h.service.handle('call:direct:invite', caller, { toUserId: callee.userId }),
  );
  await h.must(h.service.handle('call:direct:accept', callee, { callId }));
  h.wire.clear();
  return callId;
}

describe('back within the grace', () => {
  it('keeps the seat, re-bound to the new socket, which gets room:joined again', async () => {
    const roomId = await room(alice, bob, carol);
    await h.disconnect('alice:1');
    await h.advance(GRACE - 1000);

    await h.connect('alice', 'alice:2');

    const joined = h.wire.received('alice:2', 'room:joined');
    expect(joined).toHaveLength(1);
    expect(joined[0]?.room).toMatchObject({ id: roomId, hostId: 'alice' });
    expect(h.wire.events('alice:2').slice(0, 2)).toEqual(['presence:list', 'room:list']);
    expect(h.wire.inChannel(`room:${roomId}`)).toEqual(['alice:2', 'bob:1', 'carol:1']);
    expect((await h.records.getRoom(roomId))?.seats[0]?.socketId).toBe('alice:2');

    await h.advance(GRACE * 2);
    // Nobody saw alice leave, the host did not change, presence did not flicker.
    expect(h.wire.inbox('bob:1')).toEqual([]);
    expect((await h.records.getRoom(roomId))?.hostId).toBe('alice');
    expect(h.persistence.of('membershipEnded')).toEqual([]);
  });

  it('keeps an accepted call; the new socket gets call:direct:state again and carries it', async () => {
    const callId = await talk(alice, bob);
    await h.disconnect('bob:1');
    await h.advance(GRACE - 1);

    await h.connect('bob', 'bob:2');

    expect(h.wire.received('bob:2', 'call:direct:state')).toEqual([
      { callId, state: 'accepted', peer: { id: 'alice', displayName: 'Alice' }, resumed: true },
    ]);
    await h.advance(GRACE * 2);
    expect((await h.records.getCall(callId))?.state).toBe('accepted');
    expect(h.wire.inbox('alice:1')).toEqual([]);
    const route = await h.service.authorizeSignal('alice', 'alice:1', { to: 'bob', callId });
    expect(route).toMatchObject({ ok: true, result: { targetSocketId: 'bob:2' } });
  });

  it('a caller whose call is still ringing keeps it; a callee’s new socket rings too', async () => {
    const { callId } = await h.must(
      h.service.handle('call:direct:invite', alice, { toUserId: 'bob' }),
    );
    await h.disconnect('alice:1');
    await h.disconnect('bob:1');
    h.wire.clear();

    await h.connect('alice', 'alice:2');
    await h.connect('bob', 'bob:2');

    expect(h.wire.received('alice:2', 'call:direct:state')).toEqual([
      { callId, state: 'ringing', peer: { id: 'bob', displayName: 'Bob' }, resumed: true },
    ]);
    expect(h.wire.received('bob:2', 'call:direct:incoming')).toEqual([
      { callId, from: { id: 'alice', displayName: 'Alice' } },
    ]);
    await h.advance(GRACE);
    await h.must(
      h.service.handle('call:direct:accept', { userId: 'bob', socketId: 'bob:2' }, { callId }),
    );
    expect(h.wire.received('alice:2', 'call:direct:state').at(-1)?.state).toBe('accepted');
  });
});

describe('grace expiry', () => {
  it('leaves the room (disconnected), hands over the host, and goes offline', async () => {
    const roomId = await room(alice, bob, carol);
    await h.disconnect('alice:1');
    await h.advance(GRACE - 1);
    expect(h.wire.inbox('bob:1')).toEqual([]);

    await h.advance(1);

    for (const socket of ['bob:1', 'carol:1']) {
      expect(h.wire.received(socket, 'room:participant:left')).toEqual([
        { roomId, userId: 'alice', reason: 'disconnected' },
      ]);
      expect(h.wire.received(socket, 'room:host:action')).toEqual([
        { roomId, action: 'host-transferred', targetUserId: 'bob', byUserId: 'alice' },
      ]);
      expect(h.wire.received(socket, 'presence:list')).toEqual([
        {
          full: false,
          users: [{ userId: 'alice', displayName: 'Alice', status: 'offline', inCall: false }],
        },
      ]);
      expect(h.wire.received(socket, 'room:list')[0]?.rooms[0]).toMatchObject({
        hostId: 'bob',
        participantCount: 2,
      });
    }
    expect(await h.records.getUser('alice')).toBeUndefined();
    expect(h.persistence.of('membershipEnded')).toMatchObject([
      { roomId, userId: 'alice', reason: 'disconnected' },
    ]);
  });

  it('ends an accepted call and takes the party offline', async () => {
    const callId = await talk(alice, bob);
    await h.disconnect('bob:1');
    await h.advance(GRACE);

    expect(h.wire.received('alice:1', 'call:direct:state')).toEqual([
      { callId, state: 'ended', peer: { id: 'bob', displayName: 'Bob' } },
    ]);
    expect(h.wire.received('carol:1', 'presence:list')).toEqual([
      {
        full: false,
        users: expect.arrayContaining([
          { userId: 'alice', displayName: 'Alice', status: 'online', inCall: false },
          { userId: 'bob', displayName: 'Bob', status: 'offline', inCall: false },
        ]),
      },
    ]);
    expect(await h.records.getCall(callId)).toBeUndefined();
  });

  it('ends a ringing call when the callee is gone', async () => {
    const { callId } = await h.must(
      h.service.handle('call:direct:invite', alice, { toUserId: 'bob' }),
    );
    h.wire.clear();
    await h.disconnect('bob:1');
    await h.advance(GRACE);
    expect(h.wire.received('alice:1', 'call:direct:state')).toEqual([
      { callId, state: 'ended', peer: { id: 'bob', displayName: 'Bob' } },
    ]);
    expect(h.service.pendingTimers.ring).toBe(0);
  });

  it('the last one disconnecting closes the room', async () => {
    const roomId = await room(alice);
    await h.disconnect('alice:1');
    await h.advance(GRACE);
    expect(await h.records.getRoom(roomId)).toBeUndefined();
    expect(h.wire.received('bob:1', 'room:list')).toEqual([{ rooms: [] }]);
  });

  it('coming back after the grace is a fresh start', async () => {
    await room(alice, bob);
    await h.disconnect('alice:1');
    await h.advance(GRACE);
    h.wire.clear();

    await h.connect('alice', 'alice:2');

    expect(h.wire.received('alice:2', 'room:joined')).toEqual([]);
    expect(h.wire.received('bob:1', 'presence:list')).toEqual([
      {
        full: false,
        users: [{ userId: 'alice', displayName: 'Alice', status: 'online', inCall: false }],
      },
    ]);
  });
});

describe('several sockets per user', () => {
  it('offline only when the last socket has been gone for the grace', async () => {
    await h.connect('alice', 'alice:2');
    h.wire.clear();

    await h.disconnect('alice:1');
    await h.advance(GRACE * 2);
    expect(h.wire.inbox('bob:1')).toEqual([]);

    await h.disconnect('alice:2');
    await h.advance(GRACE);
    expect(h.wire.received('bob:1', 'presence:list')[0]?.users).toEqual([
      { userId: 'alice', displayName: 'Alice', status: 'offline', inCall: false },
    ]);
  });

  it('an earlier socket’s grace does not take the user offline while a later one is in its own', async () => {
    await h.connect('alice', 'alice:2');
    h.wire.clear();
    await h.disconnect('alice:1');
    await h.advance(4000);
    await h.disconnect('alice:2');
    await h.advance(1000); // alice:1's grace is over
    expect(h.wire.inbox('bob:1')).toEqual([]);
    expect(await h.records.getUser('alice')).toBeDefined();
    await h.advance(4000); // alice:2's grace is over
    expect(h.wire.received('bob:1', 'presence:list')[0]?.users[0]?.status).toBe('offline');
  });

  it('the seat socket vanishing leaves the room while the user stays online on another', async () => {
    const roomId = await room(alice, bob);
    await h.connect('alice', 'alice:2');
    h.wire.clear();

    await h.disconnect('alice:1');
    await h.advance(GRACE);

    expect(h.wire.received('bob:1', 'room:participant:left')).toEqual([
      { roomId, userId: 'alice', reason: 'disconnected' },
    ]);
    expect(h.wire.received('bob:1', 'presence:list')[0]?.users).toEqual([
      { userId: 'alice', displayName: 'Alice', status: 'online', inCall: false },
    ]);
  });

  it('a socket that closes while its auth is in flight still counts as gone', async () => {
    h.wire.connect('alice:9');
    const auth = h.service.authenticated('dave', 'Dave', 'dave:1');
    const gone = h.service.disconnected('dave:1');
    await auth;
    await gone;
    await h.advance(GRACE);
    expect(await h.records.getUser('dave')).toBeUndefined();
    expect(await h.records.getSocketUser('dave:1')).toBeUndefined();
  });

  it('a disconnect for an unknown socket changes nothing', async () => {
    const result = await h.service.disconnected('never-authenticated');
    expect(result).toEqual({ ok: true, result: {}, effects: [] });
  });

  it('close() stops pending timers', async () => {
    await h.disconnect('alice:1');
    expect(h.service.pendingTimers.grace).toBe(1);
    h.service.close();
    expect(h.service.pendingTimers.grace).toBe(0);
    await h.advance(GRACE);
    expect(await h.records.getUser('alice')).toBeDefined();
  });
});

describe('with RECONNECT_GRACE_MS=0 (tests)', () => {
  it('a disconnect settles on the next tick', async () => {
    h.service.close();
    h = createHarness({ config: { reconnectGraceMs: 0 } });
    const a = await h.connect('alice');
    await h.connect('bob');
    await h.must(h.service.handle('room:create', a, { name: 'x' }));
    h.wire.clear();
    await h.disconnect('alice:1');
    await h.advance(0);
    expect(h.wire.received('bob:1', 'room:list')).toEqual([{ rooms: [] }]);
    expect(h.wire.received('bob:1', 'presence:list')[0]?.users[0]?.status).toBe('offline');
  });
});

describe('a page back on a new socket while its old one still looks open', () => {
  it('the old socket counts as closed at once: the new one takes the seat', async () => {
    const roomId = await room(alice, bob);
    // A network change: alice:1 is dead, but nothing told the server.
    await h.must(h.service.replaced('alice', 'alice:1'));
    expect(h.wire.disconnected).toEqual(['alice:1']);
    await h.connect('alice', 'alice:2');

    expect(h.wire.received('alice:2', 'room:joined')).toHaveLength(1);
    expect((await h.records.getRoom(roomId))?.seats[0]?.socketId).toBe('alice:2');
    expect(h.wire.received('bob:1', 'room:participant:left')).toEqual([]);
    // The grace of the replaced socket runs out without ending anything.
    await h.advance(GRACE * 2);
    expect(h.wire.received('bob:1', 'room:participant:left')).toEqual([]);
    expect((await h.records.getRoom(roomId))?.seats.map((s) => s.userId)).toEqual(['alice', 'bob']);
  });

  it("leaves another user's socket and a socket already gone alone", async () => {
    await room(alice, bob);
    await h.must(h.service.replaced('alice', 'bob:1'));
    await h.disconnect('alice:1');
    await h.must(h.service.replaced('alice', 'alice:1'));
    expect(h.wire.disconnected).toEqual([]);
    expect(h.wire.inChannel(`user:bob`)).toEqual(['bob:1']);
  });
});
