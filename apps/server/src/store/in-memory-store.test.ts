import { describe, expect, it } from 'vitest';
import { createRoomRecord } from '../rooms/room';
import { InMemoryStore } from './in-memory-store';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('InMemoryStore', () => {
  it('writes a batch and reads it back', async () => {
    const store = new InMemoryStore();
    const room = createRoomRecord({
      id: 'r1',
      name: 'R',
      maxParticipants: 6,
      host: { userId: 'u', displayName: 'U', socketId: 's' },
      now: 0,
    });
    await store.write([
      { kind: 'room', id: 'r1', value: room },
      { kind: 'socket', id: 's', value: 'u' },
    ]);
    expect(await store.getRoom('r1')).toEqual(room);
    expect(await store.getSocketUser('s')).toBe('u');
    expect(await store.listRooms()).toHaveLength(1);
    await store.write([
      { kind: 'room', id: 'r1', value: null },
      { kind: 'socket', id: 's', value: null },
    ]);
    expect(await store.getRoom('r1')).toBeUndefined();
    expect(await store.getSocketUser('s')).toBeUndefined();
  });

  it('freezes stored records so nobody mutates shared state in place', async () => {
    const store = new InMemoryStore();
    const room = createRoomRecord({
      id: 'r1',
      name: 'R',
      maxParticipants: 6,
      host: { userId: 'u', displayName: 'U', socketId: 's' },
      now: 0,
    });
    await store.write([{ kind: 'room', id: 'r1', value: room }]);
    const stored = await store.getRoom('r1');
    expect(Object.isFrozen(stored)).toBe(true);
    expect(Object.isFrozen(stored?.seats[0])).toBe(true);
  });

  it('serializes withLock callers on a shared key and releases on throw', async () => {
    const store = new InMemoryStore();
    let inside = 0;
    let maxInside = 0;
    const work = () =>
      store.withLock(['room:r', 'user:a'], async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await tick();
        inside--;
      });
    await Promise.all([work(), work(), work()]);
    expect(maxInside).toBe(1);
    await expect(
      store.withLock(['room:r'], async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(store.pendingLocks).toBe(0);
  });
});
