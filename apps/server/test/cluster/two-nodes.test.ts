import { describe, expect, it } from 'vitest';
import { TestClient } from '../support/clients';
import { useCluster } from '../support/cluster';
import { redisAvailable } from '../support/redis';
import { register } from '../support/server';

/*
 * The protocol's rules with the parties on different nodes of one deployment (two apps on
 * one Redis and one database). Every negative assertion waits on a round trip first.
 */

async function clientOn(url: string, name: string, as?: TestClient) {
  if (as) {
    const tab = new TestClient(url, as.user, as.token);
    await tab.authenticate();
    return tab;
  }
  const { accessToken, user } = await register(url, undefined, name);
  const client = new TestClient(url, user, accessToken);
  await client.authenticate();
  return client;
}

describe.skipIf(!redisAvailable)('two nodes on one Redis', () => {
  // The capacity race creates and leaves 100 rooms in a few seconds: above the per-user
  // fan-out budget on purpose (limits.test.ts covers that budget).
  const c = useCluster(2, { RATE_FANOUT_PER_SEC: '100000', RATE_FANOUT_BURST: '100000' });

  it('presence: a sign-in on one node reaches the other; the full list holds both', async () => {
    const [a, b] = c.urls as [string, string];
    const alice = await clientOn(a, 'Alice');
    const bob = await clientOn(b, 'Bob');
    await alice.next(
      'presence:list',
      (p) => !p.full && p.users.some((u) => u.userId === bob.user.id),
    );
    const full = bob.all('presence:list').find((p) => p.full);
    expect(full?.users.map((u) => u.userId)).toEqual(
      expect.arrayContaining([alice.user.id, bob.user.id]),
    );
    bob.close();
    const offline = await alice.next('presence:list', (p) =>
      p.users.some((u) => u.userId === bob.user.id && u.status === 'offline'),
    );
    expect(offline.full).toBe(false);
    alice.close();
  });

  it('rooms: join, list, relay and leave across nodes; NOT_PEER for outsiders', async () => {
    const [a, b] = c.urls as [string, string];
    const alice = await clientOn(a, 'Alice');
    const bob = await clientOn(b, 'Bob');
    const carol = await clientOn(b, 'Carol');
    const created = await alice.request('room:create', { name: 'Across' });
    const roomId = created.room.id as string;
    await bob.next('room:list', (p) => p.rooms.some((r) => r.id === roomId));
    expect((await bob.request('room:join', { roomId })).ok).toBe(true);
    const joined = await alice.next('room:participant:joined', (p) => p.roomId === roomId);
    expect(joined.participant.userId).toBe(bob.user.id);

    expect(
      (await bob.request('webrtc:offer', { to: alice.user.id, roomId, sdp: 'v=0 b' })).ok,
    ).toBe(true);
    expect(await alice.next('webrtc:offer')).toEqual({ from: bob.user.id, roomId, sdp: 'v=0 b' });
    const refused = await carol.request('webrtc:offer', { to: alice.user.id, roomId, sdp: 'x' });
    expect(refused.error.code).toBe('NOT_PEER');

    expect((await alice.request('room:leave', { roomId })).ok).toBe(true);
    const host = await bob.next('room:host:action', (p) => p.action === 'host-transferred');
    expect(host.targetUserId).toBe(bob.user.id);
    expect((await bob.request('room:leave', { roomId })).ok).toBe(true);
    await carol.next('room:list', (p) => !p.rooms.some((r) => r.id === roomId));
    for (const client of [alice, bob, carol]) client.close();
  });

  it('bans and lock hold on the other node', async () => {
    const [a, b] = c.urls as [string, string];
    const host = await clientOn(a, 'Host');
    const guest = await clientOn(b, 'Guest');
    const late = await clientOn(b, 'Late');
    const roomId = (await host.request('room:create', { name: 'Mod' })).room.id as string;
    await guest.request('room:join', { roomId });
    expect((await host.request('room:host:kick', { roomId, userId: guest.user.id })).ok).toBe(true);
    expect((await guest.request('room:join', { roomId })).error.code).toBe('ROOM_BANNED');
    await host.request('room:host:lock', { roomId, locked: true });
    expect((await late.request('room:join', { roomId })).error.code).toBe('ROOM_LOCKED');
    for (const client of [host, guest, late]) client.close();
  });

  it('direct calls ring on every tab on every node; accepting on one stops the others', async () => {
    const [a, b] = c.urls as [string, string];
    const caller = await clientOn(a, 'Caller');
    const calleeA = await clientOn(a, 'Callee');
    const calleeB = await clientOn(b, 'Callee', calleeA);
    const { callId } = await caller.request('call:direct:invite', { toUserId: calleeA.user.id });
    await calleeA.next('call:direct:incoming', (p) => p.callId === callId);
    await calleeB.next('call:direct:incoming', (p) => p.callId === callId);
    expect((await calleeB.request('call:direct:accept', { callId })).ok).toBe(true);
    for (const client of [caller, calleeA, calleeB]) {
      await client.next('call:direct:state', (p) => p.callId === callId && p.state === 'accepted');
    }
    // Only the accepting tab carries the call: the relay reaches it, not the other tab.
    await caller.request('webrtc:offer', { to: calleeA.user.id, callId, sdp: 'v=0 c' });
    expect(await calleeB.next('webrtc:offer')).toMatchObject({ callId, sdp: 'v=0 c' });
    await calleeA.request('presence:set', { status: 'online' }); // a round trip on that socket
    expect(calleeA.all('webrtc:offer')).toEqual([]);
    expect((await caller.request('call:direct:end', { callId })).ok).toBe(true);
    await calleeB.next('call:direct:state', (p) => p.callId === callId && p.state === 'ended');
    for (const client of [caller, calleeA, calleeB]) client.close();
  });

  it('capacity is exact when joins race from both nodes (100 trials, 12 sockets, 3 seats)', async () => {
    const [a, b] = c.urls as [string, string];
    const host = await clientOn(a, 'Host');
    const racers: TestClient[] = [];
    for (let i = 0; i < 12; i++) racers.push(await clientOn(i % 2 === 0 ? a : b, `Racer${i}`));
    for (let trial = 0; trial < 100; trial++) {
      const roomId = (
        await host.request('room:create', { name: `Race ${trial}`, maxParticipants: 4 })
      ).room.id as string;
      const acks = await Promise.all(racers.map((r) => r.request('room:join', { roomId })));
      const admitted = acks.filter((ack) => ack.ok).length;
      const codes = new Set(acks.filter((ack) => !ack.ok).map((ack) => ack.error.code));
      expect({ trial, admitted, codes: [...codes] }).toEqual({
        trial,
        admitted: 3,
        codes: ['ROOM_FULL'],
      });
      await Promise.all(
        racers.map((r, i) => (acks[i]?.ok ? r.request('room:leave', { roomId }) : null)),
      );
    }
    for (const client of [host, ...racers]) client.close();
  }, 120_000);
});

describe.skipIf(!redisAvailable)(
  'two nodes: a reconnect within the grace onto the other node',
  () => {
    const c = useCluster(2, { RECONNECT_GRACE_MS: '4000' });

    it('keeps the seat and the call; nobody sees a leave; room:joined and call:direct:state re-sent', async () => {
      const [a, b] = c.urls as [string, string];
      const alice = await clientOn(a, 'Alice');
      const bob = await clientOn(b, 'Bob');
      const dave = await clientOn(a, 'Dave');
      const erin = await clientOn(b, 'Erin');
      const roomId = (await alice.request('room:create', { name: 'Hold' })).room.id as string;
      await bob.request('room:join', { roomId });
      const { callId } = await dave.request('call:direct:invite', { toUserId: erin.user.id });
      await erin.request('call:direct:accept', { callId });

      alice.close();
      dave.close();
      const alice2 = await clientOn(b, 'Alice', alice);
      const dave2 = await clientOn(b, 'Dave', dave);
      const rejoined = await alice2.next('room:joined', (p) => p.room.id === roomId);
      expect(rejoined.room.hostId).toBe(alice.user.id);
      await dave2.next('call:direct:state', (p) => p.callId === callId && p.state === 'accepted');

      expect(
        (await bob.request('webrtc:offer', { to: alice.user.id, roomId, sdp: 'again' })).ok,
      ).toBe(true);
      expect(await alice2.next('webrtc:offer')).toMatchObject({ sdp: 'again' });
      await bob.request('room:self:mute', { roomId, muted: true });
      await bob.next('room:participant:updated', (p) => p.participant.userId === bob.user.id);
      expect(bob.all('room:participant:left')).toEqual([]);
      expect(erin.all('call:direct:state').filter((s) => s.state === 'ended')).toEqual([]);
      for (const client of [alice2, bob, dave2, erin]) client.close();
    });
  },
);

describe.skipIf(!redisAvailable)('two nodes: login throttles are shared', () => {
  const c = useCluster(2, {
    AUTH_RATE_LIMIT: 'on',
    LOGIN_MAX_PER_ACCOUNT: '4',
    LOGIN_MAX_PER_IP: '100',
  });

  it('bad logins spread over both nodes count against one per-account limit', async () => {
    const [a, b] = c.urls as [string, string];
    const { body } = await register(a, undefined, 'Guarded');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${i % 2 === 0 ? a : b}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: body.email, password: 'wrong password here' }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});
