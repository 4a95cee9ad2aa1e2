import { Redis } from 'ioredis';

/*
 * Redis helpers shared by the tests, the benchmarks and the web app's cluster test, free of
 * any test runner: whether a Redis answers, and deleting a run's own key prefix.
 */

/** Null when a Redis answers PING at `url`, else why not (for a printed skip reason). */
export async function redisUnreachable(url: string): Promise<string | null> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (err) {
    return `Redis is not reachable at ${url}: ${(err as Error).message}`;
  } finally {
    client.disconnect();
  }
}

/** Deletes every key under `prefix` (a run's own namespace in a shared Redis). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** deletePrefix on a connection of its own. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await deletePrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
