import { describe, expect, it } from 'vitest';
import { createRoomRecord } from '../rooms/room';
import { InMemoryStore } from './in-memory-store';
import { describeStoreContract } from './store-contract';

describeStoreContract('InMemoryStore', async () => new InMemoryStore());

describe('InMemoryStore', () => {
  it('freezes stored records so nobody mutates shared state in place', async () => {
    const store = new InMemoryStore();
    const room = createRoomRecord({
      id: 'r1',
      name: 'R',
      maxParticipants: 6,
      host: { userId: 'u', displayName: 'U', socketId: 's' },
      now: 0,
    });
    await store.commit({
      expect: [],
      writes: [{ key: 'room:r1', value: room }],
      sockets: [],
      presence: [],
      rooms: [],
      counters: {},
    });
    const [stored] = await store.read(['room:r1']);
    expect(Object.isFrozen(stored?.value)).toBe(true);
  });
});
