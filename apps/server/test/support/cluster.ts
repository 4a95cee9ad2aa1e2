import type { AddressInfo } from 'node:net';
import type { Database } from '@openwcall/db';
import { openDatabase } from '@openwcall/db/client';
import { createTestDatabase } from '@openwcall/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/app';
import { REDIS_TEST_URL, redisPrefix } from './redis';
import { testConfig } from './server';

/*
 * Several server nodes in this process, on one Redis prefix and one database, as a
 * deployment of identical nodes behind a load balancer would be. Each node is a full app on
 * its own port; a test picks the node each client connects to.
 */

export interface Cluster {
  readonly urls: string[];
  readonly apps: FastifyInstance[];
  readonly db: Database;
  readonly prefix: string;
  close(): Promise<void>;
}

export async function startCluster(
  nodes: number,
  env: Record<string, string> = {},
): Promise<Cluster> {
  const target = await createTestDatabase('pglite');
  const db = await openDatabase({ url: target.url, dataDir: target.dataDir });
  const prefix = redisPrefix('cluster');
  const apps: FastifyInstance[] = [];
  const urls: string[] = [];
  for (let i = 0; i < nodes; i++) {
    const config = testConfig({
      REDIS_URL: REDIS_TEST_URL,
      REDIS_PREFIX: prefix,
      DEADLINE_POLL_MS: '50',
      ...env,
    });
    const app = await buildApp(config, { db });
    await app.listen({ port: 0, host: '127.0.0.1' });
    apps.push(app);
    urls.push(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  }
  return {
    urls,
    apps,
    db,
    prefix,
    async close() {
      for (const app of apps) await app.close();
      await db.close();
      await target.dispose();
    },
  };
}

/** A cluster for the enclosing describe block. */
export function useCluster(nodes: number, env: Record<string, string> = {}) {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster(nodes, env);
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });
  return {
    get urls() {
      if (!cluster) throw new Error('cluster not started');
      return cluster.urls;
    },
    get cluster() {
      if (!cluster) throw new Error('cluster not started');
      return cluster;
    },
  };
}
