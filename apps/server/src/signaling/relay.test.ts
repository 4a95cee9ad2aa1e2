import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryStore } from '../store/in-memory-store';
import type { Actor } from './actor';
import { SignalingService } from './service';
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
});

afterEach(() => {
  h.service.close();
  vi.useRealTimers();
});

const route = async (from: Actor | [string, string | undefined], scope: object) => {
  const [userId, socketId] = Array.isArray(from) ? from : [from.userId, from.socketId];
  const result = await h.service.authorizeSignal(userId, socketId, { to: '', ...scope });
  return result.ok ? result.result.targetSocketId : result.code;
};

describe('authorizeSignal in a room', () => {
  let roomId: string;
  beforeEach(async () => {
    roomId = (await h.must(h.service.handle('room:create', alice, { name: 'x' }))).room.id;
    await h.must(h.service.handle('room:join', bob, { roomId }));
  });

  it('routes between two people seated in the room', async () => {
    expect(await route(alice, { to: 'bob', roomId })).toBe('bob:1');
    expect(await route(bob, { to: 'alice', roomId })).toBe('alice:1');
    expect(await route(['bob', undefined], { to: 'alice', roomId })).toBe('alice:1');
  });

  it('is NOT_PEER otherwise', async () => {
    expect(await route(alice, { to: 'carol', roomId })).toBe('NOT_PEER');
    expect(await route(carol, { to: 'alice', roomId })).toBe('NOT_PEER');
    expect(await route(alice, { to: 'alice', roomId })).toBe('NOT_PEER');
    expect(await route(alice, { to: 'bob', roomId: 'nope' })).toBe('NOT_PEER');
    expect(await route(alice, { to: 'bob', roomId, callId: 'c' })).toBe('NOT_PEER');
    expect(await route(alice, { to: 'bob' })).toBe('NOT_PEER');
    // bob's other tab does not hold the seat.
    await h.connect('bob', 'bob:2');
    expect(await route({ userId: 'bob', socketId: 'bob:2' }, { to: 'alice', roomId })).toBe(
      'NOT_PEER',
    );
  });

  it('stops once someone leaves', async () => {
    await h.must(h.service.handle('room:leave', bob, { roomId }));
    expect(await route(alice, { to: 'bob', roomId })).toBe('NOT_PEER');
  });
});

describe('authorizeSignal in a call', () => {
  it('only between the two parties of that accepted call', async () => {
    const { callId } = await h.must(
      h.service.handle('call:direct:invite', alice, { toUserId: 'bob' }),
    );
    expect(await route(alice, { to: 'bob', callId })).toBe('NOT_PEER'); // still ringing

    await h.must(h.service.handle('call:direct:accept', bob, { callId }));
    expect(await route(alice, { to: 'bob', callId })).toBe('bob:1');
    expect(await route(bob, { to: 'alice', callId })).toBe('alice:1');
    expect(await route(carol, { to: 'bob', callId })).toBe('NOT_PEER');
    expect(await route(alice, { to: 'carol', callId })).toBe('NOT_PEER');
    expect(await route(alice, { to: 'bob', callId: 'nope' })).toBe('NOT_PEER');

    await h.must(h.service.handle('call:direct:end', alice, { callId }));
    expect(await route(alice, { to: 'bob', callId })).toBe('NOT_PEER');
  });

  it('only from the socket that carries the call', async () => {
    const alice2 = await h.connect('alice', 'alice:2');
    const { callId } = await h.must(
      h.service.handle('call:direct:invite', alice, { toUserId: 'bob' }),
    );
    await h.must(h.service.handle('call:direct:accept', bob, { callId }));
    expect(await route(alice2, { to: 'bob', callId })).toBe('NOT_PEER');
  });
});

describe('relaySignal', () => {
  it('relays offers, answers and ICE to the target socket with `from`', async () => {
    const { callId } = await h.must(
      h.service.handle('call:direct:invite', alice, { toUserId: 'bob' }),
    );
    await h.must(h.service.handle('call:direct:accept', bob, { callId }));
    h.wire.clear();

    await h.must(h.service.handle('webrtc:offer', alice, { to: 'bob', callId, sdp: 'v=0 o' }));
    await h.must(h.service.handle('webrtc:answer', bob, { to: 'alice', callId, sdp: 'v=0 a' }));
    const candidate = { candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host', sdpMid: '0' };
    await h.must(h.service.handle('webrtc:ice', alice, { to: 'bob', callId, candidate }));
    await h.must(h.service.handle('webrtc:ice', alice, { to: 'bob', callId, candidate: null }));

    expect(h.wire.inbox('bob:1')).toEqual([
      { event: 'webrtc:offer', payload: { from: 'alice', callId, sdp: 'v=0 o' } },
      { event: 'webrtc:ice', payload: { from: 'alice', callId, candidate } },
      { event: 'webrtc:ice', payload: { from: 'alice', callId, candidate: null } },
    ]);
    expect(h.wire.inbox('alice:1')).toEqual([
      { event: 'webrtc:answer', payload: { from: 'bob', callId, sdp: 'v=0 a' } },
    ]);
    expect(h.wire.inbox('carol:1')).toEqual([]);
  });

  it('carries the offer an answer names, and no such field when it names none', async () => {
    const roomId = (await h.must(h.service.handle('room:create', alice, { name: 'x' }))).room.id;
    await h.must(h.service.handle('room:join', bob, { roomId }));
    h.wire.clear();
    const answer = { to: 'alice', roomId, sdp: 's' };
    await h.must(h.service.handle('webrtc:answer', bob, { ...answer, answers: '77.4' }));
    await h.must(h.service.handle('webrtc:answer', bob, answer));
    expect(h.wire.inbox('alice:1')).toEqual([
      { event: 'webrtc:answer', payload: { from: 'bob', roomId, sdp: 's', answers: '77.4' } },
      { event: 'webrtc:answer', payload: { from: 'bob', roomId, sdp: 's' } },
    ]);
  });

  it('in a room, carries roomId', async () => {
    const roomId = (await h.must(h.service.handle('room:create', alice, { name: 'x' }))).room.id;
    await h.must(h.service.handle('room:join', bob, { roomId }));
    h.wire.clear();
    await h.must(h.service.handle('webrtc:offer', bob, { to: 'alice', roomId, sdp: 's' }));
    expect(h.wire.inbox('alice:1')).toEqual([
      { event: 'webrtc:offer', payload: { from: 'bob', roomId, sdp: 's' } },
    ]);
  });

  it('PEER_UNREACHABLE: the target socket is gone within its grace; nothing relayed, sender told', async () => {
    h.service.close();
    h = createHarness({ config: { reconnectGraceMs: 10_000 } });
    alice = await h.connect('alice');
    bob = await h.connect('bob');
    const roomId = (await h.must(h.service.handle('room:create', alice, { name: 'x' }))).room.id;
    await h.must(h.service.handle('room:join', bob, { roomId }));
    await h.disconnect(bob.socketId);
    h.wire.clear();
    const result = await h.perform(
      h.service.handle('webrtc:offer', alice, { to: 'bob', roomId, sdp: 's' }),
    );
    expect(result).toMatchObject({ ok: false, code: 'PEER_UNREACHABLE' });
    expect(h.wire.received('alice:1', 'webrtc:signal:error')).toEqual([
      { to: 'bob', code: 'PEER_UNREACHABLE', message: expect.any(String) },
    ]);
    // Back within the grace: the seat moves to the new socket and signals flow again.
    const bob2 = await h.connect('bob', 'bob:2');
    await h.must(h.service.handle('webrtc:offer', alice, { to: 'bob', roomId, sdp: 's2' }));
    expect(h.wire.received(bob2.socketId, 'webrtc:offer')).toEqual([
      { from: 'alice', roomId, sdp: 's2' },
    ]);
  });

  it('NOT_PEER: relays nothing and reports webrtc:signal:error to the sender only', async () => {
    h.wire.clear();
    const result = await h.perform(
      h.service.handle('webrtc:offer', alice, { to: 'bob', roomId: 'nope', sdp: 's' }),
    );
    expect(result).toMatchObject({ ok: false, code: 'NOT_PEER' });
    expect(h.wire.inbox('alice:1')).toEqual([
      {
        event: 'webrtc:signal:error',
        payload: { to: 'bob', code: 'NOT_PEER', message: expect.any(String) },
      },
    ]);
    expect(h.wire.inbox('bob:1')).toEqual([]);
  });
});

describe('handle', () => {
  it('dispatches every actor event to its operation', async () => {
    const created = await h.service.handle('room:create', alice, { name: 'x' });
    expect(created.ok && created.result.room.name).toBe('x');
    const roomId = created.ok ? created.result.room.id : '';
    expect((await h.service.handle('room:join', bob, { roomId })).ok).toBe(true);
    expect((await h.service.handle('room:self:mute', bob, { roomId, muted: true })).ok).toBe(true);
    expect((await h.service.handle('room:host:mute', alice, { roomId, userId: 'bob' })).ok).toBe(
      true,
    );
    expect(
      (await h.service.handle('webrtc:ice', alice, { to: 'bob', roomId, candidate: null })).ok,
    ).toBe(true);
    expect(
      (await h.service.handle('webrtc:answer', alice, { to: 'bob', roomId, sdp: 'x' })).ok,
    ).toBe(true);
    expect((await h.service.handle('room:host:lock', alice, { roomId, locked: true })).ok).toBe(
      true,
    );
    expect((await h.service.handle('room:host:kick', alice, { roomId, userId: 'bob' })).ok).toBe(
      true,
    );
    expect((await h.service.handle('room:leave', alice, { roomId })).ok).toBe(true);
    expect((await h.service.handle('presence:set', alice, { status: 'away' })).ok).toBe(true);

    const invited = await h.service.handle('call:direct:invite', alice, { toUserId: 'bob' });
    const callId = invited.ok ? invited.result.callId : '';
    expect((await h.service.handle('call:direct:accept', bob, { callId })).ok).toBe(true);
    expect(
      (await h.service.handle('webrtc:offer', bob, { to: 'alice', callId, sdp: 'x' })).ok,
    ).toBe(true);
    expect((await h.service.handle('call:direct:end', bob, { callId })).ok).toBe(true);
    const again = await h.service.handle('call:direct:invite', carol, { toUserId: 'bob' });
    const second = again.ok ? again.result.callId : '';
    expect((await h.service.handle('call:direct:decline', bob, { callId: second })).ok).toBe(true);
  });
});

describe('persistence is fire-and-forget', () => {
  it('a throwing or rejecting sink neither fails nor delays an operation', async () => {
    const errors: unknown[] = [];
    const broken = {
      roomCreated: () => {
        throw new Error('db down');
      },
      roomClosed: async () => {},
      membershipStarted: () => Promise.reject(new Error('db down')),
      membershipEnded: () => new Promise<void>(() => {}), // never settles
      callRinging: () => {},
      callUpdated: () => {},
      moderation: () => {},
    };
    const service = new SignalingService({
      store: new InMemoryStore(),
      findUser: async () => null,
      emit: () => {},
      persistence: broken,
      log: { info() {}, warn() {}, error: (obj) => errors.push(obj) },
    });
    await service.authenticated('u', 'U', 's');
    const created = await service.handle(
      'room:create',
      { userId: 'u', socketId: 's' },
      { name: 'x' },
    );
    expect(created.ok).toBe(true);
    const roomId = created.ok ? created.result.room.id : '';
    expect(
      (await service.handle('room:leave', { userId: 'u', socketId: 's' }, { roomId })).ok,
    ).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(2);
    service.close();
  });
});
