import type { AddressInfo } from 'node:net';
import { openDatabase } from '@openwcall/db/client';
import { createTestDatabase } from '@openwcall/db/testing';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { signedInClient, sleep, type TestClient } from '../support/clients';
import { backends, json, TEST_JWT_SECRET, type TestServer, useTestServer } from '../support/server';

/*
 * What signaling leaves in the database (PROTOCOL.md: rooms, call records and moderation
 * actions are stored), and that a slow or dead database never holds signaling up.
 */

async function history(server: TestServer, client: TestClient) {
  const res = await fetch(`${server.url}/calls/history`, {
    headers: { authorization: `Bearer ${client.token}` },
  });
  expect(res.status).toBe(200);
  return (await json(res)).calls as Array<Record<string, unknown>>;
}

const testEnv = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  JWT_SECRET: TEST_JWT_SECRET,
  AUTH_RATE_LIMIT: 'off',
  RECONNECT_GRACE_MS: '0',
  SEED_DEMO_USERS: 'false',
  STUN_URLS: '',
};

describe.each(backends)('persistence on %s', (backend) => {
  const server = useTestServer(backend, { RING_TIMEOUT_MS: '800' });
  const idle = () => server.app.ctx.persistence.queue.idle();
  const prisma = () => server.app.ctx.db.prisma;

  it('records a room: creation, joins, leaves, kick, mute, lock, disconnect and close', async () => {
    const [host, bob, carol, dave] = await Promise.all(
      ['Host', 'Bob', 'Carol', 'Dave'].map((n) => signedInClient(server.url, n)),
    );
    if (!host || !bob || !carol || !dave) throw new Error('setup');
    const { room } = await host.request('room:create', { name: 'Persisted', maxParticipants: 4 });
    const roomId = room.id as string;
    for (const c of [bob, carol, dave])
      expect((await c.request('room:join', { roomId })).ok).toBe(true);
    expect((await host.request('room:host:mute', { roomId, userId: bob.user.id })).ok).toBe(true);
    expect((await host.request('room:host:kick', { roomId, userId: carol.user.id })).ok).toBe(true);
    expect((await host.request('room:host:lock', { roomId, locked: true })).ok).toBe(true);
    await idle();
    expect((await prisma().room.findUniqueOrThrow({ where: { id: roomId } })).locked).toBe(true);
    expect((await host.request('room:host:lock', { roomId, locked: false })).ok).toBe(true);
    dave.close();
    await host.next('room:participant:left', (p) => p.userId === dave.user.id);
    expect((await bob.request('room:leave', { roomId })).ok).toBe(true);
    expect((await host.request('room:leave', { roomId })).ok).toBe(true);
    await idle();

    const row = await prisma().room.findUniqueOrThrow({ where: { id: roomId } });
    expect(row).toMatchObject({
      name: 'Persisted',
      hostId: host.user.id,
      maxParticipants: 4,
      locked: false,
    });
    expect(row.closedAt).toBeInstanceOf(Date);
    expect(row.closedAt?.getTime()).toBeGreaterThanOrEqual(row.createdAt.getTime());

    const memberships = await prisma().roomMembership.findMany({
      where: { roomId },
      orderBy: { joinedAt: 'asc' },
    });
    const byUser = Object.fromEntries(memberships.map((m) => [m.userId, m]));
    expect(memberships).toHaveLength(4);
    expect(byUser[host.user.id]?.leftReason).toBe('left');
    expect(byUser[bob.user.id]?.leftReason).toBe('left');
    expect(byUser[carol.user.id]?.leftReason).toBe('kicked');
    expect(byUser[dave.user.id]?.leftReason).toBe('disconnected');
    for (const m of memberships) {
      expect(m.leftAt).toBeInstanceOf(Date);
      expect(m.leftAt?.getTime()).toBeGreaterThanOrEqual(m.joinedAt.getTime());
    }

    const actions = await prisma().moderationAction.findMany({
      where: { roomId },
      orderBy: { createdAt: 'asc' },
    });
    expect(actions.map((a) => [a.action, a.actorId, a.targetId])).toEqual([
      ['mute', host.user.id, bob.user.id],
      ['kick', host.user.id, carol.user.id],
      ['lock', host.user.id, null],
      ['unlock', host.user.id, null],
    ]);
    for (const c of [host, bob, carol]) c.close();
  });

  it('records direct calls (ended, missed, declined, cancelled) and serves /calls/history', async () => {
    const [alice, bob, carol] = await Promise.all(
      ['Alice', 'Bob', 'Carol'].map((n) => signedInClient(server.url, n)),
    );
    if (!alice || !bob || !carol) throw new Error('setup');

    const { callId: talked } = await alice.request('call:direct:invite', { toUserId: bob.user.id });
    expect((await bob.request('call:direct:accept', { callId: talked })).ok).toBe(true);
    await sleep(1100);
    expect((await alice.request('call:direct:end', { callId: talked })).ok).toBe(true);

    // RING_TIMEOUT_MS=800: nobody answers.
    const { callId: missed } = await carol.request('call:direct:invite', {
      toUserId: alice.user.id,
    });
    await carol.next('call:direct:state', (p) => p.callId === missed && p.state === 'missed', 5000);

    const { callId: declined } = await bob.request('call:direct:invite', {
      toUserId: carol.user.id,
    });
    expect((await carol.request('call:direct:decline', { callId: declined })).ok).toBe(true);
    const { callId: cancelled } = await bob.request('call:direct:invite', {
      toUserId: alice.user.id,
    });
    expect((await bob.request('call:direct:end', { callId: cancelled })).ok).toBe(true);
    await idle();

    const rows = Object.fromEntries(
      (
        await prisma().directCall.findMany({
          where: { id: { in: [talked, missed, declined, cancelled] } },
        })
      ).map((r) => [r.id, r]),
    );
    expect(rows[talked]).toMatchObject({
      callerId: alice.user.id,
      calleeId: bob.user.id,
      outcome: 'ended',
    });
    expect(rows[talked]?.answeredAt).toBeInstanceOf(Date);
    expect(rows[talked]?.endedAt).toBeInstanceOf(Date);
    const talkMs =
      (rows[talked]?.endedAt?.getTime() ?? 0) - (rows[talked]?.answeredAt?.getTime() ?? 0);
    expect(talkMs).toBeGreaterThanOrEqual(1000);
    expect(rows[missed]).toMatchObject({
      callerId: carol.user.id,
      outcome: 'missed',
      answeredAt: null,
    });
    expect(rows[missed]?.endedAt).toBeInstanceOf(Date);
    expect(rows[declined]).toMatchObject({ outcome: 'declined', answeredAt: null });
    expect(rows[cancelled]).toMatchObject({ outcome: 'cancelled', answeredAt: null });

    const aliceHistory = await history(server, alice);
    expect(aliceHistory.map((c) => [c.callId, c.direction, c.outcome])).toEqual([
      [cancelled, 'incoming', 'cancelled'],
      [missed, 'incoming', 'missed'],
      [talked, 'outgoing', 'ended'],
    ]);
    const aliceTalk = aliceHistory.find((c) => c.callId === talked);
    expect(aliceTalk).toMatchObject({
      peer: { id: bob.user.id, displayName: bob.user.displayName },
    });
    expect(aliceTalk?.durationSeconds).toBeGreaterThanOrEqual(1);
    expect(aliceHistory.find((c) => c.callId === missed)?.durationSeconds).toBe(0);

    const bobHistory = await history(server, bob);
    expect(bobHistory.map((c) => [c.callId, c.direction, c.outcome])).toEqual([
      [cancelled, 'outgoing', 'cancelled'],
      [declined, 'outgoing', 'declined'],
      [talked, 'incoming', 'ended'],
    ]);
    expect(bobHistory.find((c) => c.callId === talked)?.durationSeconds).toBe(
      aliceTalk?.durationSeconds,
    );
    const carolHistory = await history(server, carol);
    expect(carolHistory.map((c) => [c.callId, c.direction, c.outcome])).toEqual([
      [declined, 'incoming', 'declined'],
      [missed, 'outgoing', 'missed'],
    ]);
    for (const c of [alice, bob, carol]) c.close();
  });

  it('keeps signaling while writes fail, then catches up in order without losing any', async () => {
    const { queue } = server.app.ctx.persistence;
    // An outage at the write level: every job fails until the database "comes back".
    let down = true;
    const push = queue.push.bind(queue);
    queue.push = (name, run) =>
      push(name, () => (down ? Promise.reject(new Error('connect ECONNREFUSED')) : run()));
    try {
      const [alice, bob] = await Promise.all(
        ['Alice', 'Bob'].map((n) => signedInClient(server.url, n)),
      );
      if (!alice || !bob) throw new Error('setup');
      const started = performance.now();
      const { room } = await alice.request('room:create', { name: 'Offline db' });
      expect((await bob.request('room:join', { roomId: room.id })).ok).toBe(true);
      for (let i = 0; i < 20; i++) {
        expect(
          await bob.request('webrtc:ice', {
            to: alice.user.id,
            roomId: room.id,
            candidate: { candidate: `candidate:${i}`, sdpMid: '0', sdpMLineIndex: 0 },
          }),
        ).toEqual({ ok: true });
      }
      expect(await alice.next('webrtc:ice')).toMatchObject({ from: bob.user.id });
      expect((await bob.request('room:leave', { roomId: room.id })).ok).toBe(true);
      expect((await alice.request('room:leave', { roomId: room.id })).ok).toBe(true);
      const { callId } = await alice.request('call:direct:invite', { toUserId: bob.user.id });
      expect((await bob.request('call:direct:accept', { callId })).ok).toBe(true);
      expect((await alice.request('call:direct:end', { callId })).ok).toBe(true);
      // Signaling did not wait for the database.
      expect(performance.now() - started).toBeLessThan(2000);
      expect(queue.length).toBeGreaterThanOrEqual(6);
      expect(queue.stats.retried).toBeGreaterThan(0);
      expect(await prisma().room.findUnique({ where: { id: room.id } })).toBeNull();

      down = false;
      await idle();
      // Order kept: memberships (which reference the room) and the closed room are all there.
      const row = await prisma().room.findUniqueOrThrow({ where: { id: room.id } });
      expect(row.closedAt).toBeInstanceOf(Date);
      const memberships = await prisma().roomMembership.findMany({ where: { roomId: room.id } });
      expect(memberships.map((m) => m.leftReason).sort()).toEqual(['left', 'left']);
      expect(await prisma().directCall.findUniqueOrThrow({ where: { id: callId } })).toMatchObject({
        outcome: 'ended',
      });
      expect(queue.stats.dropped).toBe(0);
      alice.close();
      bob.close();
    } finally {
      down = false;
      queue.push = push;
    }
  }, 30_000);

  it('keeps rooms and relaying alive when the database goes away under the server', async () => {
    const target = await createTestDatabase(backend);
    const db = await openDatabase({ url: target.url, dataDir: target.dataDir });
    const app = await buildApp(
      loadConfig({ ...testEnv, ...(target.url ? { DATABASE_URL: target.url } : {}) }),
      { db },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      const [alice, bob] = await Promise.all(['Alice', 'Bob'].map((n) => signedInClient(url, n)));
      if (!alice || !bob) throw new Error('setup');
      // Drop it on Postgres (new connections fail), close the engine on PGlite.
      if (backend === 'postgres') await target.dispose();
      else await db.close();
      expect((await fetch(`${url}/health`)).status).toBe(503);

      const started = performance.now();
      const { room } = await alice.request('room:create', { name: 'No database' });
      expect((await bob.request('room:join', { roomId: room.id })).ok).toBe(true);
      expect(
        await bob.request('webrtc:offer', { to: alice.user.id, roomId: room.id, sdp: 'v=0' }),
      ).toEqual({
        ok: true,
      });
      expect(await alice.next('webrtc:offer')).toEqual({
        from: bob.user.id,
        roomId: room.id,
        sdp: 'v=0',
      });
      expect(
        await alice.request('webrtc:answer', { to: bob.user.id, roomId: room.id, sdp: 'v=0' }),
      ).toEqual({
        ok: true,
      });
      await bob.next('webrtc:answer');
      expect(
        (await bob.request('room:host:kick', { roomId: room.id, userId: alice.user.id })).error
          .code,
      ).toBe('FORBIDDEN');
      expect(
        (await alice.request('room:host:mute', { roomId: room.id, userId: bob.user.id })).ok,
      ).toBe(true);
      expect((await bob.request('room:leave', { roomId: room.id })).ok).toBe(true);
      expect(performance.now() - started).toBeLessThan(2000);
      // The writes wait for a database that is not coming back.
      await sleep(200);
      expect(app.ctx.persistence.queue.length).toBeGreaterThan(0);
      alice.close();
      bob.close();
    } finally {
      await app.close();
      await db.close();
      await target.dispose();
    }
  }, 60_000);

  it('shuts down promptly with sockets still connected and flushes pending writes', async () => {
    const target = await createTestDatabase(backend);
    const db = await openDatabase({ url: target.url, dataDir: target.dataDir });
    try {
      const app = await buildApp(
        loadConfig({ ...testEnv, ...(target.url ? { DATABASE_URL: target.url } : {}) }),
        { db },
      );
      await app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const alice = await signedInClient(url, 'Alice');
      const { room } = await alice.request('room:create', { name: 'Closing time' });
      const gone = new Promise<string>((resolve) => alice.socket.once('disconnect', resolve));
      const started = performance.now();
      await app.close();
      expect(performance.now() - started).toBeLessThan(3000);
      expect(await gone).toMatch(/transport close|io server disconnect/);
      expect(await db.prisma.room.findUnique({ where: { id: room.id } })).toMatchObject({
        name: 'Closing time',
      });
      expect(await db.prisma.roomMembership.count({ where: { roomId: room.id } })).toBe(1);
    } finally {
      await db.close();
      await target.dispose();
    }
  }, 60_000);
});
