import { describe, expect, it } from 'vitest';
import { createRoomRecord, toRoomSummary } from '../rooms/room';
import type { Commit, SignalingStore } from './store';

/*
 * The contract every SignalingStore keeps, as a suite: the in-memory store and the Redis
 * store both run it (in-memory-store.test.ts, redis-store.test.ts).
 */

const room = (id: string, createdAt: number) =>
  createRoomRecord({
    id,
    name: `Room ${id}`,
    maxParticipants: 6,
    host: { userId: 'u', displayName: 'U', socketId: 's' },
    now: createdAt,
  });

const empty: Commit = {
  expect: [],
  writes: [],
  sockets: [],
  presence: [],
  rooms: [],
  counters: {},
};

export function describeStoreContract(name: string, open: () => Promise<SignalingStore>) {
  describe(`${name}: the SignalingStore contract`, () => {
    it('reads an absent record as version 0', async () => {
      const store = await open();
      expect(await store.read(['room:nope'])).toEqual([{ value: undefined, version: 0 }]);
    });

    it('commits a write expected absent, and reads it back with a version', async () => {
      const store = await open();
      const r = room('r1', 1);
      expect(
        await store.commit({
          ...empty,
          expect: [{ key: 'room:r1', version: 0 }],
          writes: [{ key: 'room:r1', value: r }],
        }),
      ).toBe('ok');
      const [entry] = await store.read(['room:r1']);
      expect(entry?.value).toEqual(r);
      expect(entry?.version).toBeGreaterThan(0);
    });

    it('refuses a commit whose read is stale and writes nothing of it', async () => {
      const store = await open();
      await store.commit({ ...empty, writes: [{ key: 'room:r1', value: room('r1', 1) }] });
      const [seen] = await store.read(['room:r1']);
      await store.commit({ ...empty, writes: [{ key: 'room:r1', value: room('r1', 2) }] });
      const outcome = await store.commit({
        ...empty,
        expect: [{ key: 'room:r1', version: seen?.version ?? 0 }],
        writes: [
          { key: 'room:r1', value: null },
          { key: 'user:u', value: { marker: true } },
        ],
        sockets: [{ socketId: 's1', binding: { userId: 'u', nodeId: 'n' } }],
        presence: [
          {
            userId: 'u',
            entry: { userId: 'u', displayName: 'U', status: 'online', inCall: false },
          },
        ],
        rooms: [{ roomId: 'r9', summary: { ...toRoomSummary(room('r9', 9)), createdAt: 9 } }],
        counters: { sockets: 1 },
      });
      expect(outcome).toBe('conflict');
      expect((await store.read(['room:r1', 'user:u'])).map((e) => e.version > 0)).toEqual([
        true,
        false,
      ]);
      expect(await store.getSocket('s1')).toBeUndefined();
      expect(await store.presenceList()).toEqual([]);
      expect(await store.roomList()).toEqual([]);
      expect((await store.counts()).sockets).toBe(0);
    });

    it('never repeats a version when a record is deleted and created again', async () => {
      const store = await open();
      await store.commit({ ...empty, writes: [{ key: 'user:a', value: { n: 1 } }] });
      const [first] = await store.read(['user:a']);
      await store.commit({ ...empty, writes: [{ key: 'user:a', value: null }] });
      await store.commit({ ...empty, writes: [{ key: 'user:a', value: { n: 1 } }] });
      const [again] = await store.read(['user:a']);
      expect(again?.version).not.toBe(first?.version);
      expect(
        await store.commit({
          ...empty,
          expect: [{ key: 'user:a', version: first?.version ?? 0 }],
          writes: [{ key: 'user:a', value: { n: 2 } }],
        }),
      ).toBe('conflict');
    });

    it('keeps the socket index, presence, room list and counters with the commit', async () => {
      const store = await open();
      await store.commit({
        ...empty,
        sockets: [
          { socketId: 's1', binding: { userId: 'a', nodeId: 'n1' } },
          { socketId: 's2', binding: { userId: 'b', nodeId: 'n2' } },
        ],
        presence: [
          { userId: 'a', entry: { userId: 'a', displayName: 'A', status: 'online', inCall: true } },
          { userId: 'b', entry: { userId: 'b', displayName: 'B', status: 'away', inCall: false } },
        ],
        rooms: [
          { roomId: 'late', summary: { ...toRoomSummary(room('late', 20)), createdAt: 20 } },
          { roomId: 'early', summary: { ...toRoomSummary(room('early', 10)), createdAt: 10 } },
        ],
        counters: { sockets: 2, participants: 2, ringingCalls: 1 },
      });
      expect(await store.getSocket('s2')).toEqual({ userId: 'b', nodeId: 'n2' });
      expect((await store.presenceList()).map((p) => p.userId).sort()).toEqual(['a', 'b']);
      expect((await store.roomList()).map((r) => r.id)).toEqual(['early', 'late']);
      expect(await store.counts()).toEqual({
        onlineUsers: 2,
        sockets: 2,
        openRooms: 2,
        participants: 2,
        ringingCalls: 1,
        acceptedCalls: 0,
      });
      await store.commit({
        ...empty,
        sockets: [{ socketId: 's1', binding: null }],
        presence: [{ userId: 'a', entry: null }],
        rooms: [{ roomId: 'early', summary: null }],
        counters: { sockets: -1, participants: -1, ringingCalls: -1 },
      });
      expect(await store.getSocket('s1')).toBeUndefined();
      expect((await store.presenceList()).map((p) => p.userId)).toEqual(['b']);
      expect((await store.roomList()).map((r) => r.id)).toEqual(['late']);
      expect(await store.counts()).toMatchObject({ onlineUsers: 1, sockets: 1, openRooms: 1 });
    });

    it('indexes deadlines by due time, earliest first, and forgets deleted ones', async () => {
      const store = await open();
      await store.commit({
        ...empty,
        writes: [
          { key: 'deadline:ring:c', value: { kind: 'ring', callId: 'c', due: 300 } },
          {
            key: 'deadline:grace:s',
            value: { kind: 'grace', userId: 'u', socketId: 's', due: 100 },
          },
          { key: 'deadline:ring:d', value: { kind: 'ring', callId: 'd', due: 900 } },
        ],
      });
      expect(await store.dueDeadlines(500, 10)).toEqual(['grace:s', 'ring:c']);
      expect(await store.dueDeadlines(500, 1)).toEqual(['grace:s']);
      await store.commit({ ...empty, writes: [{ key: 'deadline:grace:s', value: null }] });
      expect(await store.dueDeadlines(1000, 10)).toEqual(['ring:c', 'ring:d']);
    });

    it('is atomic under concurrent compare-and-set: no lost update', async () => {
      const store = await open();
      const increment = async () => {
        for (;;) {
          const [entry] = await store.read(['user:counter']);
          const n = ((entry?.value as { n: number } | undefined)?.n ?? 0) + 1;
          const outcome = await store.commit({
            ...empty,
            expect: [{ key: 'user:counter', version: entry?.version ?? 0 }],
            writes: [{ key: 'user:counter', value: { n } }],
          });
          if (outcome === 'ok') return;
        }
      };
      await Promise.all(Array.from({ length: 25 }, increment));
      const [entry] = await store.read(['user:counter']);
      expect(entry?.value).toEqual({ n: 25 });
    });

    it('answers readRecent with its own commits at once, absent records included', async () => {
      const store = await open();
      expect(await store.readRecent(['room:r9', 'user:x'])).toEqual([
        { value: undefined, version: 0 },
        { value: undefined, version: 0 },
      ]);
      await store.commit({ ...empty, writes: [{ key: 'room:r9', value: room('r9', 1) }] });
      const [created, untouched] = await store.readRecent(['room:r9', 'user:x']);
      expect(created?.value).toEqual(room('r9', 1));
      expect(untouched?.version).toBe(0);
      await store.commit({ ...empty, writes: [{ key: 'room:r9', value: null }] });
      expect((await store.readRecent(['room:r9']))[0]?.version).toBe(0);
    });
  });
}
