import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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

const entry = (
  userId: string,
  extra: Partial<{ status: string; inCall: boolean; roomId: string }> = {},
) => ({
  userId,
  displayName: userId[0]?.toUpperCase() + userId.slice(1),
  status: 'online',
  inCall: false,
  ...extra,
});

describe('after auth', () => {
  it('the socket gets channels, a full list with itself, the room list, in that order', async () => {
    const bob = await h.connect('bob');
    const { room: bobs } = await h.must(h.service.handle('room:create', bob, { name: 'x' }));
    h.wire.connect('alice:1');

    const result = await h.service.authenticated('alice', 'Alice', 'alice:1');

    expect(result.ok && result.result).toEqual({ user: { id: 'alice', displayName: 'Alice' } });
    expect(result.effects.slice(0, 2)).toEqual([
      { kind: 'joinChannel', socket: 'alice:1', channel: 'user:alice' },
      { kind: 'joinChannel', socket: 'alice:1', channel: 'authenticated' },
    ]);
    h.wire.perform(result.effects);
    expect(h.wire.events('alice:1')).toEqual(['presence:list', 'room:list']);
    const [full] = h.wire.received('alice:1', 'presence:list');
    expect(full?.full).toBe(true);
    expect(full?.users).toEqual(
      expect.arrayContaining([entry('bob', { inCall: true, roomId: bobs.id }), entry('alice')]),
    );
    expect(full?.users).toHaveLength(2);
    expect(h.wire.received('alice:1', 'room:list')[0]?.rooms).toHaveLength(1);
  });

  it('everyone else gets a delta, once, when the user comes online', async () => {
    await h.connect('bob');
    await h.connect('alice');
    expect(h.wire.received('bob:1', 'presence:list').at(-1)).toEqual({
      full: false,
      users: [entry('alice')],
    });
    expect(h.wire.received('alice:1', 'presence:list')).toHaveLength(1); // only the full list

    h.wire.clear();
    await h.connect('alice', 'alice:2');
    expect(h.wire.inbox('bob:1')).toEqual([]);
    expect(h.wire.received('alice:2', 'presence:list')[0]?.full).toBe(true);
  });

  it('offline users are not listed', async () => {
    await h.connect('bob');
    await h.disconnect('bob:1');
    await h.advance(0);
    await h.connect('alice');
    expect(h.wire.received('alice:1', 'presence:list')[0]?.users).toEqual([entry('alice')]);
  });
});

describe('presence:set', () => {
  it('sends a delta to every authenticated socket, only when the status changes', async () => {
    const alice = await h.connect('alice');
    await h.connect('bob');
    h.wire.clear();

    await h.must(h.service.handle('presence:set', alice, { status: 'away' }));
    const delta = { full: false, users: [entry('alice', { status: 'away' })] };
    expect(h.wire.received('bob:1', 'presence:list')).toEqual([delta]);
    expect(h.wire.received('alice:1', 'presence:list')).toEqual([delta]);

    h.wire.clear();
    await h.must(h.service.handle('presence:set', alice, { status: 'away' }));
    expect(h.wire.inbox('bob:1')).toEqual([]);
  });

  it('keeps the chosen status across a reconnect within the grace', async () => {
    h.service.close();
    h = createHarness({ config: { reconnectGraceMs: 1000 } });
    const alice = await h.connect('alice');
    await h.must(h.service.handle('presence:set', alice, { status: 'busy' }));
    await h.disconnect('alice:1');
    await h.connect('alice', 'alice:2');
    expect((await h.records.getUser('alice'))?.status).toBe('busy');
  });

  it('UNAUTHENTICATED for a user without a session', async () => {
    const result = await h.service.handle(
      'presence:set',
      { userId: 'x', socketId: 'x' },
      { status: 'away' },
    );
    expect(result).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
  });
});

describe('inCall', () => {
  it('follows room membership and says which room (extension: roomId)', async () => {
    const alice = await h.connect('alice');
    const bob = await h.connect('bob');
    h.wire.clear();

    const { room } = await h.must(h.service.handle('room:create', alice, { name: 'x' }));
    expect(h.wire.received('bob:1', 'presence:list')).toEqual([
      { full: false, users: [entry('alice', { inCall: true, roomId: room.id })] },
    ]);

    const other = await h.must(h.service.handle('room:create', bob, { name: 'y' }));
    h.wire.clear();
    await h.must(h.service.handle('room:join', alice, { roomId: other.room.id }));
    expect(h.wire.received('bob:1', 'presence:list')).toEqual([
      { full: false, users: [entry('alice', { inCall: true, roomId: other.room.id })] },
    ]);

    h.wire.clear();
    await h.must(h.service.handle('room:leave', alice, { roomId: other.room.id }));
    expect(h.wire.received('bob:1', 'presence:list')).toEqual([
      { full: false, users: [entry('alice')] },
    ]);
    expect(room).toBeDefined();
  });

  it('a failed operation sends nothing', async () => {
    const alice = await h.connect('alice');
    await h.connect('bob');
    h.wire.clear();
    await h.perform(h.service.handle('room:join', alice, { roomId: 'nope' }));
    await h.perform(h.service.handle('call:direct:invite', alice, { toUserId: 'alice' }));
    expect(h.wire.inbox('bob:1')).toEqual([]);
    expect(h.wire.inbox('alice:1')).toEqual([]);
  });
});
