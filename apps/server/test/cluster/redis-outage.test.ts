import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { TestClient } from '../support/clients';
import { redisAvailable } from '../support/redis';
import { json, register, startServer, type TestServer } from '../support/server';

/*
 * Redis goes away and comes back empty. A private redis-server on a free port (never the
 * machine's shared one): the node stays up, /health says 503 naming Redis, events that need
 * shared state answer UNAVAILABLE at once, and service resumes by itself when Redis is back.
 */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(true)); // port taken: redis is listening
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
    });
    if (up) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

async function health(server: TestServer) {
  const res = await fetch(`${server.url}/health`);
  return { status: res.status, body: await json(res) };
}

describe.skipIf(!redisAvailable)('Redis outage', () => {
  let redis: ChildProcess | undefined;
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.close();
    redis?.kill('SIGKILL');
  });

  it('stays up, reports 503 and UNAVAILABLE, and resumes when Redis is back (empty)', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    server = await startServer('pglite', {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      NODE_LEASE_MS: '600',
    });
    const { accessToken, user } = await register(server.url, undefined, 'Alice');
    const alice = new TestClient(server.url, user, accessToken);
    await alice.authenticate();
    expect((await health(server)).status).toBe(200);
    const before = await alice.request('room:create', { name: 'Before the outage' });
    expect(before.ok).toBe(true);
    const prisma = server.app.ctx.db.prisma;
    const openRow = async () => {
      const row = await prisma.room.findUnique({ where: { id: before.room.id } });
      return row && row.closedAt === null ? row : null;
    };
    // The room reaches the database (asynchronously) while Redis holds it.
    for (let i = 0; i < 50 && !(await openRow()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await openRow()).not.toBeNull();

    redis.kill('SIGKILL');
    await new Promise((resolve) => redis?.once('exit', resolve));
    let down = await health(server);
    for (let i = 0; i < 20 && down.status !== 503; i++) down = await health(server);
    expect(down).toMatchObject({
      status: 503,
      body: { checks: { redis: 'down', database: 'ok' } },
    });
    const started = Date.now();
    const refused = await alice.request('room:create', { name: 'During the outage' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(Date.now() - started).toBeLessThan(2000);

    redis = await startRedis(port);
    let up = await health(server);
    for (let i = 0; i < 100 && up.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      up = await health(server);
    }
    expect(up.status).toBe(200);
    // A new session works on the empty Redis once the node has registered again (its old
    // lease vanished with the data, so it dropped its sockets: clients reconnect).
    let created: { ok: boolean } = { ok: false };
    for (let i = 0; i < 50 && !created.ok; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const bob = new TestClient(server.url, user, accessToken);
      try {
        await bob.authenticate();
        created = await bob.request('room:create', { name: 'After the outage' });
      } catch {
        // dropped while the node re-registered: try again
      } finally {
        bob.close();
      }
    }
    expect(created.ok).toBe(true);
    // The room lived only in the Redis that lost its data: the database closes it too (it
    // stayed open for ever before), with its membership ended as a disconnect.
    for (let i = 0; i < 50 && (await openRow()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await openRow()).toBeNull();
    expect(
      await prisma.roomMembership.findMany({
        where: { roomId: before.room.id },
        select: { leftReason: true },
      }),
    ).toEqual([{ leftReason: 'disconnected' }]);
    alice.close();
  }, 30_000);
});
