import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestClient } from '../support/clients';
import { register, startServer } from '../support/server';

/*
 * Embedded mode (no Redis): a restart of the one server keeps rooms and calls. The state is
 * restored from the database and held for RESTART_GRACE_MS; whoever comes back is in the
 * same room or call, nobody sees a leave; what nobody reclaims is closed in the database.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'owc-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const env = { DATA_DIR: dataDir, RESTART_GRACE_MS: '2000', RECONNECT_GRACE_MS: '1000' };

async function user(url: string, name: string) {
  const { accessToken, user } = await register(url, undefined, name);
  const client = new TestClient(url, user, accessToken);
  await client.authenticate();
  return client;
}

async function again(url: string, of: TestClient) {
  const client = new TestClient(url, of.user, of.token);
  await client.authenticate();
  return client;
}

describe('restart of an embedded node', () => {
  it('restores rooms, host, bans and accepted calls; closes what nobody reclaims', async () => {
    const first = await startServer('pglite', env);
    const alice = await user(first.url, 'Alice');
    const bob = await user(first.url, 'Bob');
    const mallory = await user(first.url, 'Mallory');
    const carol = await user(first.url, 'Carol');
    const dave = await user(first.url, 'Dave');
    const roomId = (await alice.request('room:create', { name: 'Stays' })).room.id as string;
    await bob.request('room:join', { roomId });
    await mallory.request('room:join', { roomId });
    await alice.request('room:host:kick', { roomId, userId: mallory.user.id });
    await alice.request('room:host:lock', { roomId, locked: true });
    const { callId } = await carol.request('call:direct:invite', { toUserId: dave.user.id });
    await dave.request('call:direct:accept', { callId });
    await first.app.ctx.persistence.queue.idle();
    await first.close();

    const second = await startServer('pglite', env);
    try {
      const alice2 = await again(second.url, alice);
      const bob2 = await again(second.url, bob);
      const carol2 = await again(second.url, carol);
      const back = await alice2.next('room:joined', (p) => p.room.id === roomId);
      expect(back.room).toMatchObject({ hostId: alice.user.id, locked: true });
      expect(back.room.participants.map((p) => p.userId)).toEqual([alice.user.id, bob.user.id]);
      await bob2.next('room:joined', (p) => p.room.id === roomId);
      await carol2.next('call:direct:state', (p) => p.callId === callId && p.state === 'accepted');
      const mallory2 = await again(second.url, mallory);
      await alice2.request('room:host:lock', { roomId, locked: false });
      expect((await mallory2.request('room:join', { roomId })).error.code).toBe('ROOM_BANNED');
      // The relay works between the restored seats.
      await bob2.request('webrtc:offer', { to: alice.user.id, roomId, sdp: 'after restart' });
      expect(await alice2.next('webrtc:offer')).toMatchObject({ sdp: 'after restart' });
      expect(alice2.all('room:participant:left')).toEqual([]);

      // Dave never comes back: after the restart grace the call ends, in the database too.
      await carol2.next(
        'call:direct:state',
        (p) => p.callId === callId && p.state === 'ended',
        6000,
      );
      await second.app.ctx.persistence.queue.idle();
      const call = await second.app.ctx.db.prisma.directCall.findUnique({ where: { id: callId } });
      expect(call).toMatchObject({ outcome: 'ended' });
      expect(call?.endedAt).not.toBeNull();

      for (const c of [alice2, bob2]) await c.request('room:leave', { roomId });
      await second.app.ctx.persistence.queue.idle();
      const prisma = second.app.ctx.db.prisma;
      expect(await prisma.room.count({ where: { closedAt: null } })).toBe(0);
      expect(await prisma.roomMembership.count({ where: { leftAt: null } })).toBe(0);
      for (const c of [alice2, bob2, carol2, mallory2]) c.close();
    } finally {
      await second.close();
    }
  }, 30_000);

  it('leftovers in the database (as a kill -9 leaves them: nothing written at exit) are reconciled at the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'owc-crash-'));
    try {
      const first = await startServer('pglite', { ...env, DATA_DIR: dir, RESTART_GRACE_MS: '300' });
      const alice = await user(first.url, 'Alice');
      const bob = await user(first.url, 'Bob');
      const carol = await user(first.url, 'Carol');
      await alice.request('room:create', { name: 'Gone' });
      const { callId } = await bob.request('call:direct:invite', { toUserId: carol.user.id });
      expect(callId).toEqual(expect.any(String));
      await first.app.ctx.persistence.queue.idle();
      await first.close(); // alice's room, and a call left ringing
      const second = await startServer('pglite', {
        ...env,
        DATA_DIR: dir,
        RESTART_GRACE_MS: '300',
      });
      try {
        const prisma = second.app.ctx.db.prisma;
        expect(await prisma.directCall.findUnique({ where: { id: callId } })).toMatchObject({
          outcome: 'missed',
        });
        for (
          let i = 0;
          i < 50 && (await prisma.room.count({ where: { closedAt: null } })) > 0;
          i++
        ) {
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(await prisma.room.count({ where: { closedAt: null } })).toBe(0);
        expect(await prisma.roomMembership.count({ where: { leftAt: null } })).toBe(0);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
