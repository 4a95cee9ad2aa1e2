import { afterAll, describe, expect, it } from 'vitest';
import { redisAvailable, redisPrefix, testRedis } from '../../test/support/redis';
import { createRoomRecord } from '../rooms/room';
import { RedisStore } from './redis-store';
import { describeStoreContract } from './store-contract';

describe.skipIf(!redisAvailable)('RedisStore', () => {
  const redis = redisAvailable ? testRedis() : null;
  const subscribers: ReturnType<typeof testRedis>[] = [];
  const subscriber = () => {
    const sub = testRedis();
    subscribers.push(sub);
    return sub;
  };
  afterAll(() => {
    redis?.disconnect();
    for (const sub of subscribers) sub.disconnect();
  });
  describeStoreContract('RedisStore', async () => {
    if (!redis) throw new Error('no Redis');
    return new RedisStore(redis, { prefix: redisPrefix('store'), subscriber: subscriber() });
  });

  it("answers readRecent with another node's commit once its notification arrived", async () => {
    if (!redis) throw new Error('no Redis');
    const prefix = redisPrefix('recent');
    const hereSub = subscriber();
    const here = new RedisStore(redis, { prefix, subscriber: hereSub });
    // A PING on our subscriber returns after every notification published before it.
    const notified = () => hereSub.ping();
    const other = new RedisStore(testRedis(), { prefix, subscriber: subscriber() });
    const room = (name: string) =>
      createRoomRecord({
        id: 'r1',
        name,
        maxParticipants: 6,
        host: { userId: 'u', displayName: 'U', socketId: 's' },
        now: 1,
      });
    const nameIn = async (store: RedisStore) =>
      ((await store.readRecent(['room:r1']))[0]?.value as { name: string } | undefined)?.name;
    const none = { expect: [], sockets: [], presence: [], rooms: [], counters: {} };
    await other.commit({ ...none, writes: [{ key: 'room:r1', value: room('before') }] });
    await notified();
    // Remembered here: with the record removed behind the store's back (no commit, so no
    // notification), readRecent still answers from memory while read sees Redis.
    await here.readRecent(['room:r1']);
    await redis.del(`${prefix}rec:{room:r1}`);
    expect((await here.read(['room:r1']))[0]?.version).toBe(0);
    expect(await nameIn(here)).toBe('before');
    // A commit on the other node is noticed here through its notification.
    await other.commit({ ...none, writes: [{ key: 'room:r1', value: room('after') }] });
    await notified();
    const name = await nameIn(here);
    expect(name).toBe('after');
  });
});
