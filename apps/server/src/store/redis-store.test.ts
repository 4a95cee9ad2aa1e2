import { afterAll, describe } from 'vitest';
import { redisAvailable, redisPrefix, testRedis } from '../../test/support/redis';
import { RedisStore } from './redis-store';
import { describeStoreContract } from './store-contract';

describe.skipIf(!redisAvailable)('RedisStore', () => {
  const redis = redisAvailable ? testRedis() : null;
  afterAll(() => redis?.disconnect());
  describeStoreContract('RedisStore', async () => {
    if (!redis) throw new Error('no Redis');
    return new RedisStore(redis, { prefix: redisPrefix('store') });
  });
});
