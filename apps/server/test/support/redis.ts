import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { deletePrefix, redisUnreachable } from './redis-keys';

export { deletePrefix };

/*
 * The machine's Redis for tests (REDIS_TEST_URL, default 127.0.0.1:6379). Each test takes its
 * own key prefix and deletes it afterwards. Without Redis the tests skip with a printed
 * reason, except under CI=true, where a missing Redis fails the run.
 */

export const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

const unavailable = await redisUnreachable(REDIS_TEST_URL);
if (unavailable) {
  if (process.env.CI === 'true') throw new Error(`${unavailable} (required when CI=true)`);
  console.warn(`${unavailable}: Redis tests skipped`);
}

/** True when the Redis tests can run (describe.skipIf(!redisAvailable)). */
export const redisAvailable = unavailable === null;

let counter = 0;
const used = new Set<string>();

/** A fresh key prefix, deleted when the file's tests are done. */
export function redisPrefix(label = 't'): string {
  counter += 1;
  const prefix = `owctest:${label}:${process.pid}:${Date.now().toString(36)}:${counter}:`;
  used.add(prefix);
  return prefix;
}

export function testRedis(): Redis {
  return new Redis(REDIS_TEST_URL, { maxRetriesPerRequest: 1 });
}

afterAll(async () => {
  if (!redisAvailable || used.size === 0) return;
  const redis = testRedis();
  for (const prefix of used) await deletePrefix(redis, prefix);
  redis.disconnect();
});
