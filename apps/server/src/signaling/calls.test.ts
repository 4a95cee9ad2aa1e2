import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Actor } from './actor';
import { createHarness, type Harness } from './testing';

let h: Harness;
let alice: Actor;
let bob: Actor;
let carol: Actor;

beforeEach(async () => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  h = createHarness();
  alice = await h.connect('alice');
  bob = await h.connect('bob');
  carol = await h.connect('carol');
  h.wire.clear();
});

afterEach(() => {
  h.service.close();
  vi.useRealTimers();
});

const A = { id: 'alice', displayName: 'Alice' };
const B = { id: 'bob', displayName: 'Bob' };

async function ring(from = alice, to = 'bob'): Promise<string> {
  const { callId } = await h.must(h.service.handle('call:direct:invite', from, { toUserId: to }));
  h.wire.clear();
  return callId;
}

async function talk(): Promise<string> {
  const callId = await ring();
  await h.must(h.service.handle('call:direct:accept', bob, { callId }));
  h.wire.clear();
  return callId;
}

const codeOf = async (pending: Promise<{ ok: boolean; code?: string }>) => {
  const result = await pending;
  return result.ok ? 'ok' : result.code;
};

describe('call:direct:invite', () => {
  it('rings every socket of the callee and tells both parties the state', async () => {
    const bob2 = await h.connect('bob', 'bob:2');
    h.wire.clear();

    const { callId } = await h.must(
      h.service.handle('call:direct:invite', alice, { toUserId: 'bob' }),
    );

    for (const socket of ['bob:1', bob2.socketId]) {
      expect(h.wire.received(socket, 'call:direct:incoming')).toEqual([{ callId, from: A }]);
      expect(h.wire.received(socket, 'call:direct:state')).toEqual([
        { callId, state: 'ringing', peer: A },
      ]);
    }
    expect(h.wire.received('alice:1', 'call:direct:state')).toEqual([
      { callId, state: 'ringing', peer: B },
    ]);
    expect(h.wire.received('alice:1', 'call:direct:incoming')).toEqual([]);
    expect(h.wire.inbox('carol:1')).toEqual([]); // ringing is not inCall: no presence delta
    expect(h.persistence.of('callRinging')).toMatchObject([
      { callId, callerId: 'alice', calleeId: 'bob' },
    ]);
  });

  it('checks INVALID_TARGET, USER_NOT_FOUND, BUSY, USER_OFFLINE, USER_BUSY in that order', async () => {
    h.users.set('olga', { id: 'olga', displayName: 'Olga' }); // exists, never connects
    const invite = (from: Actor, to: string) =>
      codeOf(h.service.handle('call:direct:invite', from, { toUserId: to }));

    expect(await invite(alice, 'alice')).toBe('INVALID_TARGET');
    expect(await invite(alice, 'ghost')).toBe('USER_NOT_FOUND');

    // Caller BUSY beats callee problems: alice is in a room.
    const { room } = await h.must(h.service.handle('room:create', alice, { name: 'x' }));
    expect(await invite(alice, 'olga')).toBe('BUSY');
    // ... but not USER_NOT_FOUND, which comes first.
    expect(await invite(alice, 'ghost')).toBe('USER_NOT_FOUND');
    await h.must(h.service.handle('room:leave', alice, { roomId: room.id }));

    expect(await invite(alice, 'olga')).toBe('USER_OFFLINE');

    await h.must(h.service.handle('presence:set', bob, { status: 'busy' }));
    expect(await invite(alice, 'bob')).toBe('USER_BUSY');
    await h.must(h.service.handle('presence:set', bob, { status: 'away' }));
    expect(await invite(alice, 'bob')).toBe('ok');
  });

  it('BUSY: the caller is in a room, in an accepted call, or has an outgoing call ringing', async () => {
    await ring(alice, 'bob');
    expect(await codeOf(h.service.handle('call:direct:invite', alice, { toUserId: 'carol' }))).toBe(
      'BUSY',
    );

    const dave = await h.connect('dave');
    await h.connect('erin');
    const callId = await ring(dave, 'erin');
    await h.must(
      h.service.handle('call:direct:accept', { userId: 'erin', socketId: 'erin:1' }, { callId }),
    );
    expect(await codeOf(h.service.handle('call:direct:invite', dave, { toUserId: 'carol' }))).toBe(
      'BUSY',
    );

    const frank = await h.connect('frank');
    await h.must(h.service.handle('room:create', frank, { name: 'x' }));
    expect(await codeOf(h.service.handle('call:direct:invite', frank, { toUserId: 'carol' }))).toBe(
      'BUSY',
    );
  });

  it('an incoming call ringing does not make the callee BUSY as a caller', async () => {
    await ring(alice, 'bob');
    expect(await codeOf(h.service.handle('call:direct:invite', bob, { toUserId: 'carol' }))).toBe(
      'ok',
    );
  });

  it('USER_BUSY: the callee is in a room or in any call', async () => {
    await ring(alice, 'bob');
    expect(await codeOf(h.service.handle('call:direct:invite', carol, { toUserId: 'bob' }))).toBe(
      'USER_BUSY',
    );
    expect(await codeOf(h.service.handle('call:direct:invite', carol, { toUserId: 'alice' }))).toBe(
      'USER_BUSY',
    );

    const dave = await h.connect('dave');
    await h.must(h.service.handle('room:create', dave, { name: 'x' }));
    expect(await codeOf(h.service.handle('call:direct:invite', carol, { toUserId: 'dave' }))).toBe(
      'USER_BUSY',
    );
  });
});

describe('call:direct:accept and decline', () => {
  it('accept: both parties hear accepted, and both are inCall', async () => {
    const bob2 = await h.connect('bob', 'bob:2');
    const callId = await ring();

    await h.must(h.service.handle('call:direct:accept', bob, { callId }));

    expect(h.wire.received('alice:1', 'call:direct:state')).toEqual([
      { callId, state: 'accepted', peer: B },
    ]);
    for (const socket of ['bob:1', bob2.socketId]) {
      expect(h.wire.received(socket, 'call:direct:state')).toEqual([
        { callId, state: 'accepted', peer: A },
      ]);
    }
    expect(h.wire.received('carol:1', 'presence:list')).toEqual([
      {
        full: false,
        users: [
          { userId: 'alice', displayName: 'Alice', status: 'online', inCall: true },
          { userId: 'bob', displayName: 'Bob', status: 'online', inCall: true },
        ],
      },
    ]);
    expect((await h.records.getCall(callId))?.calleeSocketId).toBe('bob:1');
    expect(h.persistence.of('callUpdated')).toMatchObject([{ callId, state: 'accepted' }]);
  });

  it.each(['accept', 'decline'] as const)(
    '%s: CALL_NOT_FOUND, FORBIDDEN, CALL_NOT_RINGING',
    async (op) => {
      const act = (actor: Actor, callId: string) =>
        codeOf(h.service.handle(`call:direct:${op}`, actor, { callId }));
      expect(await act(bob, 'nope')).toBe('CALL_NOT_FOUND');
      const callId = await ring();
      expect(await act(alice, callId)).toBe('FORBIDDEN');
      expect(await act(carol, callId)).toBe('FORBIDDEN');
      await h.must(h.service.handle('call:direct:accept', bob, { callId }));
      expect(await act(bob, callId)).toBe('CALL_NOT_RINGING');
      await h.must(h.service.handle('call:direct:end', alice, { callId }));
      expect(await act(bob, callId)).toBe('CALL_NOT_FOUND');
    },
  );

  it('accept: BUSY when the callee has since joined a room', async () => {
    const callId = await ring();
    await h.must(h.service.handle('room:create', bob, { name: 'x' }));
    expect(await codeOf(h.service.handle('call:direct:accept', bob, { callId }))).toBe('BUSY');
  });

  it('accept: BUSY when the callee has an outgoing call ringing', async () => {
    const callId = await ring(alice, 'bob');
    await h.must(h.service.handle('call:direct:invite', bob, { toUserId: 'carol' }));
    expect(await codeOf(h.service.handle('call:direct:accept', bob, { callId }))).toBe('BUSY');
  });

  it('two concurrent accepts: exactly one wins', async () => {
    const bob2 = await h.connect('bob', 'bob:2');
    const callId = await ring();

    const results = await Promise.all([
      h.service.handle('call:direct:accept', bob, { callId }),
      h.service.handle('call:direct:accept', bob2, { callId }),
    ]);

    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ code: 'CALL_NOT_RINGING' });
    expect(h.persistence.of('callUpdated')).toHaveLength(1);
  });

  it('decline: both hear declined, the call is gone, the ring timer is stopped', async () => {
    const callId = await ring();
    await h.must(h.service.handle('call:direct:decline', bob, { callId }));

    for (const [socket, peer] of [
      ['alice:1', B],
      ['bob:1', A],
    ] as const) {
      expect(h.wire.received(socket, 'call:direct:state')).toEqual([
        { callId, state: 'declined', peer },
      ]);
    }
    expect(await h.records.getCall(callId)).toBeUndefined();
    expect(h.service.pendingTimers.ring).toBe(0);
    expect(await codeOf(h.service.handle('call:direct:invite', alice, { toUserId: 'bob' }))).toBe(
      'ok',
    );
  });
});

describe('call:direct:end', () => {
  it('by the caller while ringing: cancelled', async () => {
    const callId = await ring();
    await h.must(h.service.handle('call:direct:end', alice, { callId }));
    expect(h.wire.received('bob:1', 'call:direct:state')).toEqual([
      { callId, state: 'cancelled', peer: A },
    ]);
  });

  it('by the callee while ringing: declined', async () => {
    const callId = await ring();
    await h.must(h.service.handle('call:direct:end', bob, { callId }));
    expect(h.wire.received('alice:1', 'call:direct:state')).toEqual([
      { callId, state: 'declined', peer: B },
    ]);
  });

  it.each([
    ['caller', () => alice],
    ['callee', () => bob],
  ])('by the %s once accepted: ended, both leave inCall', async (_, who) => {
    const callId = await talk();
    await h.must(h.service.handle('call:direct:end', who(), { callId }));

    expect(h.wire.received('alice:1', 'call:direct:state')).toEqual([
      { callId, state: 'ended', peer: B },
    ]);
    expect(h.wire.received('bob:1', 'call:direct:state')).toEqual([
      { callId, state: 'ended', peer: A },
    ]);
    expect(h.wire.received('carol:1', 'presence:list')[0]?.users.map((u) => u.inCall)).toEqual([
      false,
      false,
    ]);
    const updated = h.persistence.of('callUpdated').at(-1);
    expect(updated).toMatchObject({ callId, state: 'ended' });
    expect(updated?.answeredAt).toBeInstanceOf(Date);
    expect(updated?.endedAt).toBeInstanceOf(Date);
  });

  it('fails CALL_NOT_FOUND for unknown or finished calls and FORBIDDEN for outsiders', async () => {
    expect(await codeOf(h.service.handle('call:direct:end', alice, { callId: 'nope' }))).toBe(
      'CALL_NOT_FOUND',
    );
    const callId = await ring();
    expect(await codeOf(h.service.handle('call:direct:end', carol, { callId }))).toBe('FORBIDDEN');
    await h.must(h.service.handle('call:direct:end', alice, { callId }));
    expect(await codeOf(h.service.handle('call:direct:end', alice, { callId }))).toBe(
      'CALL_NOT_FOUND',
    );
  });
});

describe('ring timeout', () => {
  it('a call nobody answers is missed after RING_TIMEOUT_MS', async () => {
    const callId = await ring();
    await h.advance(29_999);
    expect(h.wire.inbox('alice:1')).toEqual([]);

    await h.advance(1);

    expect(h.wire.received('alice:1', 'call:direct:state')).toEqual([
      { callId, state: 'missed', peer: B },
    ]);
    expect(h.wire.received('bob:1', 'call:direct:state')).toEqual([
      { callId, state: 'missed', peer: A },
    ]);
    expect(await codeOf(h.service.handle('call:direct:accept', bob, { callId }))).toBe(
      'CALL_NOT_FOUND',
    );
    expect(h.persistence.of('callUpdated')).toMatchObject([{ callId, state: 'missed' }]);
  });

  it('an accepted call is not missed', async () => {
    const callId = await talk();
    await h.advance(60_000);
    expect(h.wire.inbox('alice:1')).toEqual([]);
    expect((await h.records.getCall(callId))?.state).toBe('accepted');
  });

  it('uses the configured timeout', async () => {
    h.service.close();
    h = createHarness({ config: { ringTimeoutMs: 1000 } });
    const a = await h.connect('alice');
    await h.connect('bob');
    const { callId } = await h.must(h.service.handle('call:direct:invite', a, { toUserId: 'bob' }));
    await h.advance(1000);
    expect(await h.records.getCall(callId)).toBeUndefined();
  });
});

describe('one conversation at a time', () => {
  it('someone in an accepted call cannot create or join a room (BUSY)', async () => {
    await talk();
    const { room } = await h.must(h.service.handle('room:create', carol, { name: 'x' }));
    expect(await codeOf(h.service.handle('room:create', alice, { name: 'y' }))).toBe('BUSY');
    expect(await codeOf(h.service.handle('room:join', bob, { roomId: room.id }))).toBe('BUSY');
  });

  it('taking a seat withdraws the caller’s own ringing call (cancelled)', async () => {
    const callId = await ring();
    await h.must(h.service.handle('room:create', alice, { name: 'x' }));
    expect(h.wire.received('bob:1', 'call:direct:state')).toEqual([
      { callId, state: 'cancelled', peer: A },
    ]);
    expect(await h.records.getCall(callId)).toBeUndefined();
  });
});

describe('counts', () => {
  it('reports rooms, participants, calls by state and users', async () => {
    const callId = await ring();
    await h.must(h.service.handle('room:create', carol, { name: 'x' }));
    expect(await h.service.counts()).toEqual({
      openRooms: 1,
      participants: 1,
      ringingCalls: 1,
      acceptedCalls: 0,
      finishedCalls: { declined: 0, cancelled: 0, missed: 0, ended: 0 },
      onlineUsers: 3,
      sockets: 3,
    });
    await h.must(h.service.handle('call:direct:accept', bob, { callId }));
    expect(await h.service.counts()).toMatchObject({ ringingCalls: 0, acceptedCalls: 1 });
    await h.must(h.service.handle('call:direct:end', bob, { callId }));
    expect((await h.service.counts()).finishedCalls.ended).toBe(1);
  });
});
