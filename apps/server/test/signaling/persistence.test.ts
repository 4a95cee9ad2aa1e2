import type { AddressInfo } from 'node:net';
import { openDatabase } from '@openwcall/db/client';
import { createTestDatabase } from '@openwcall/db/testing';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { PrismaPersistence } from '../../src/persistence/prisma-persistence';
import { signedInClient, sleep, type TestClient } from '../support/clients';
import { backends, json, type TestServer, testConfig, useTestServer } from '../support/server';

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
    const app = await buildApp(testConfig(target.url ? { DATABASE_URL: target.url } : {}), { db });
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
      // Calling someone who is online needs no database (it answered INTERNAL before).
      expect((await alice.request('room:leave', { roomId: room.id })).ok).toBe(true);
      const call = await bob.request('call:direct:invite', { toUserId: alice.user.id });
      expect(call.ok).toBe(true);
      expect((await alice.request('call:direct:accept', { callId: call.callId })).ok).toBe(true);
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

  it('refuses a room name with NUL over the socket, and writes keep landing', async () => {
    const alice = await signedInClient(server.url, 'Alice');
    const bad = await alice.request('room:create', { name: 'evil\u0000room' });
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('VALIDATION_FAILED');
    expect(bad.error.message).toMatch(/control characters/);
    const { room } = await alice.request('room:create', { name: 'After the NUL' });
    await idle();
    expect(await prisma().room.findUnique({ where: { id: room.id } })).toMatchObject({
      name: 'After the NUL',
    });
    expect(server.app.ctx.persistence.queue.length).toBe(0);
    alice.close();
  });

  it('abandons a write the database refuses (unknown error code) and lands the next', async () => {
    const alice = await signedInClient(server.url, 'Alice');
    const errors: string[] = [];
    // A sink on the server's real database, with short back-offs so the test is quick.
    const sink = new PrismaPersistence(prisma(), {
      baseDelayMs: 1,
      maxDelayMs: 2,
      maxAttempts: 3,
      log: { warn: () => {}, error: (_o, msg) => errors.push(msg) },
    });
    const at = new Date();
    const base = { hostId: alice.user.id, maxParticipants: 2, createdAt: at };
    // The database itself refuses a NUL in text (what the schema now keeps out).
    sink.roomCreated({ ...base, roomId: `nul-${Date.now()}`, name: 'a\u0000b' });
    const goodId = `good-${Date.now()}`;
    sink.roomCreated({ ...base, roomId: goodId, name: 'lands' });
    await sink.queue.idle();
    expect(await prisma().room.findUnique({ where: { id: goodId } })).toMatchObject({
      name: 'lands',
    });
    expect(sink.queue.stats).toMatchObject({ applied: 1, dropped: 1, retried: 2 });
    expect(errors).toEqual(['database write given up']);
    alice.close();
  });

  it('overflow during an outage drops whole room chains: no orphan, no write refused', async () => {
    const alice = await signedInClient(server.url, 'Alice');
    const errors: Array<Record<string, unknown>> = [];
    const sink = new PrismaPersistence(prisma(), {
      maxLength: 20,
      baseDelayMs: 1,
      maxDelayMs: 5,
      log: { warn: () => {}, error: (o) => errors.push(o as Record<string, unknown>) },
    });
    let down = true;
    const push = sink.queue.push.bind(sink.queue);
    sink.queue.push = (name, run, key) =>
      push(name, () => (down ? Promise.reject(new Error('connect ECONNREFUSED')) : run()), key);
    const tag = Date.now().toString(36);
    const ids = Array.from({ length: 15 }, (_, i) => `chain-${tag}-${i}`);
    for (const roomId of ids) {
      const at = new Date();
      sink.roomCreated({
        roomId,
        name: roomId,
        hostId: alice.user.id,
        maxParticipants: 2,
        createdAt: at,
      });
      sink.membershipStarted({ roomId, userId: alice.user.id, at });
      sink.membershipEnded({ roomId, userId: alice.user.id, at, reason: 'left' });
      sink.roomClosed({ roomId, closedAt: at });
    }
    expect(sink.queue.length).toBeLessThanOrEqual(20);
    down = false;
    await sink.queue.idle();
    const rooms = await prisma().room.findMany({ where: { id: { in: ids } } });
    const memberships = await prisma().roomMembership.findMany({ where: { roomId: { in: ids } } });
    // Whole chains: each room kept has its membership and close; the newest survive.
    expect(rooms.length).toBeGreaterThan(0);
    expect(memberships.map((m) => m.roomId).sort()).toEqual(rooms.map((r) => r.id).sort());
    for (const r of rooms) expect(r.closedAt).toBeInstanceOf(Date);
    expect(rooms.map((r) => r.id)).toContain(ids[14]);
    expect(sink.queue.stats.applied).toBe(rooms.length * 4);
    expect(sink.queue.stats.dropped).toBe((15 - rooms.length) * 4);
    // Nothing failed on a foreign key: every error line is an overflow.
    for (const e of errors) expect(e).toHaveProperty('key');
    alice.close();
  });

  it('close() with the database down counts and logs every write not made', async () => {
    // A real client pointed at a port nobody listens on: every write is refused.
    const down = await openDatabase({ url: 'postgresql://postgres@127.0.0.1:1/none' });
    const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
    const sink = new PrismaPersistence(down.prisma, {
      log: {
        warn: () => {},
        error: (obj, msg) => lines.push({ obj: obj as Record<string, unknown>, msg }),
      },
    });
    try {
      const at = new Date();
      sink.roomCreated({ roomId: 'r1', name: 'r', hostId: 'u', maxParticipants: 2, createdAt: at });
      sink.membershipStarted({ roomId: 'r1', userId: 'u', at });
      sink.membershipStarted({ roomId: 'r1', userId: 'v', at });
      sink.callRinging({ callId: 'c1', callerId: 'u', calleeId: 'v', startedAt: at });
      sink.callUpdated({
        callId: 'c1',
        state: 'ended',
        startedAt: at,
        answeredAt: at,
        endedAt: at,
      });
      const started = performance.now();
      expect(await sink.queue.close(500)).toEqual({ lost: 5 });
      expect(performance.now() - started).toBeLessThan(3000);
      expect(sink.queue.stats.dropped).toBe(5);
      expect(sink.queue.stats.retried).toBeGreaterThan(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]?.obj).toMatchObject({
        lost: 5,
        jobs: { roomCreated: 1, membershipStarted: 2, callRinging: 1, callUpdated: 1 },
      });
    } finally {
      await down.close();
    }
  }, 30_000);

  it('shuts down promptly with sockets still connected and flushes pending writes', async () => {
    const target = await createTestDatabase(backend);
    const db = await openDatabase({ url: target.url, dataDir: target.dataDir });
    try {
      const app = await buildApp(testConfig(target.url ? { DATABASE_URL: target.url } : {}), {
        db,
      });
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
