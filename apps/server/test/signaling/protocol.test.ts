import { describe, expect, it } from 'vitest';
import { secondTab, signedInClient, sleep, TestClient } from '../support/clients';
import { topologies, useClients, useDeployment } from '../support/deployment';
import { register } from '../support/server';

/*
 * Every client event's success path and error codes, over real servers and real
 * socket.io-client connections: on one node per database backend, and on two nodes sharing
 * one Redis, where each new client (and each second tab) lands on the next node in turn, so
 * the parties of every case sit on different nodes.
 */
describe.each(topologies)('PROTOCOL.md on $label', (topology) => {
  const server = useDeployment(topology, {
    RING_TIMEOUT_MS: '1500',
    STUN_URLS: 'stun:stun.example.test:3478',
  });
  const { client, tab, track } = useClients(server);
  const ids = (room: { participants: Array<{ userId: string }> }) =>
    room.participants.map((p) => p.userId);

  describe('authentication', () => {
    it('refuses every other event before auth:hello, by ack and by error event', async () => {
      const { accessToken, user } = await register(server.url);
      const c = new TestClient(server.url, user, accessToken);
      track(c);
      await c.connected();
      expect(await c.request('room:create', { name: 'x' })).toEqual({
        ok: false,
        error: { code: 'UNAUTHENTICATED', message: expect.any(String) },
      });
      c.send('presence:set', { status: 'away' });
      expect(await c.next('error')).toEqual({
        code: 'UNAUTHENTICATED',
        message: expect.any(String),
        event: 'presence:set',
      });
    });

    it.each([
      ['forged', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
      ['garbage', 'not a token'],
    ])('refuses a %s token', async (_label, token) => {
      const { user } = await register(server.url);
      const c = new TestClient(server.url, user, token);
      track(c);
      await c.connected();
      const ack = await c.request('auth:hello', { token });
      expect(ack.ok).toBe(false);
      expect(ack.error.code).toBe('UNAUTHENTICATED');
      expect((await c.request('auth:hello', {})).error.code).toBe('VALIDATION_FAILED');
    });

    it('answers auth:hello with the user and ICE servers, then auth:ok, presence and rooms', async () => {
      const { accessToken, user } = await register(server.url, undefined, 'Hello');
      const c = new TestClient(server.url, user, accessToken);
      track(c);
      await c.connected();
      const ack = await c.request('auth:hello', { token: accessToken });
      expect(ack).toEqual({
        ok: true,
        user,
        iceServers: [{ urls: ['stun:stun.example.test:3478'] }],
      });
      expect(await c.next('auth:ok')).toEqual({
        user,
        iceServers: ack.iceServers,
        maxRoomParticipants: 6,
      });
      const presence = await c.next('presence:list');
      expect(presence.full).toBe(true);
      expect(presence.users).toContainEqual({
        userId: user.id,
        displayName: user.displayName,
        status: 'online',
        inCall: false,
      });
      expect(await c.next('room:list')).toEqual({ rooms: expect.any(Array) });
      const order = c.received.map((r) => r.event);
      expect(order.indexOf('auth:ok')).toBeLessThan(1);
    });
  });

  describe('presence', () => {
    it('sends deltas to others when someone comes online, changes status, and goes offline', async () => {
      const watcher = await client('Watcher');
      const alice = await client('Alice');
      const online = await watcher.next(
        'presence:list',
        (p) => !p.full && p.users.some((u) => u.userId === alice.user.id),
      );
      expect(online.users).toEqual([
        {
          userId: alice.user.id,
          displayName: alice.user.displayName,
          status: 'online',
          inCall: false,
        },
      ]);

      expect(await alice.request('presence:set', { status: 'busy' })).toEqual({ ok: true });
      const busy = await watcher.next('presence:list', (p) =>
        p.users.some((u) => u.userId === alice.user.id && u.status === 'busy'),
      );
      expect(busy.full).toBe(false);

      // No change, no delta.
      watcher.clear();
      await alice.request('presence:set', { status: 'busy' });
      await sleep(100);
      expect(watcher.all('presence:list')).toEqual([]);

      expect((await alice.request('presence:set', { status: 'offline' })).error.code).toBe(
        'VALIDATION_FAILED',
      );

      alice.close();
      const gone = await watcher.next('presence:list', (p) =>
        p.users.some((u) => u.userId === alice.user.id && u.status === 'offline'),
      );
      expect(gone.full).toBe(false);
    });

    it('keeps a user online while another tab is open', async () => {
      const watcher = await client('Watcher');
      const alice = await client('Alice');
      const tab2 = await tab(alice);
      await watcher.next('presence:list', (p) => p.users.some((u) => u.userId === alice.user.id));
      watcher.clear();
      tab2.close();
      await sleep(200);
      expect(
        watcher
          .all('presence:list')
          .flatMap((p) => p.users)
          .filter((u) => u.userId === alice.user.id),
      ).toEqual([]);
    });
  });

  describe('rooms', () => {
    it('creates a room with the creator as host and announces it', async () => {
      const watcher = await client('Watcher');
      const host = await client('Host');
      const ack = await host.request('room:create', { name: '  Daily  ', maxParticipants: 3 });
      expect(ack.ok).toBe(true);
      expect(ack.room).toMatchObject({
        name: 'Daily',
        hostId: host.user.id,
        locked: false,
        maxParticipants: 3,
      });
      expect(ack.room.participants).toEqual([
        {
          userId: host.user.id,
          displayName: host.user.displayName,
          isHost: true,
          muted: false,
          deafened: false,
          joinedAt: expect.any(String),
        },
      ]);
      expect((await host.next('room:joined')).room.id).toBe(ack.room.id);
      const list = await watcher.next('room:list', (l) =>
        l.rooms.some((r) => r.id === ack.room.id),
      );
      expect(list.rooms.find((r) => r.id === ack.room.id)).toEqual({
        id: ack.room.id,
        name: 'Daily',
        hostId: host.user.id,
        participantCount: 1,
        maxParticipants: 3,
        locked: false,
      });
      const inCall = await watcher.next('presence:list', (p) =>
        p.users.some((u) => u.userId === host.user.id && u.inCall),
      );
      expect(inCall.full).toBe(false);
    });

    it('validates room:create', async () => {
      const host = await client('Host');
      expect((await host.request('room:create', { name: '' })).error.code).toBe(
        'VALIDATION_FAILED',
      );
      expect(
        (await host.request('room:create', { name: 'x', maxParticipants: 7 })).error.code,
      ).toBe('VALIDATION_FAILED');
      expect(
        (await host.request('room:create', { name: 'x', maxParticipants: 1 })).error.code,
      ).toBe('VALIDATION_FAILED');
    });

    it('joins, tells the others, and is idempotent for the same room', async () => {
      const host = await client('Host');
      const bob = await client('Bob');
      const { room } = await host.request('room:create', { name: 'Join me' });
      const ack = await bob.request('room:join', { roomId: room.id });
      expect(ids(ack.room)).toEqual([host.user.id, bob.user.id]);
      expect((await bob.next('room:joined')).room.id).toBe(room.id);
      const joined = await host.next('room:participant:joined');
      expect(joined).toEqual({
        roomId: room.id,
        participant: expect.objectContaining({ userId: bob.user.id, isHost: false, muted: false }),
      });
      host.clear();
      const again = await bob.request('room:join', { roomId: room.id });
      expect(ids(again.room)).toEqual([host.user.id, bob.user.id]);
      await sleep(100);
      expect(host.all('room:participant:joined')).toEqual([]);
    });

    it('checks ROOM_NOT_FOUND, ROOM_BANNED, ROOM_LOCKED, ROOM_FULL in that order', async () => {
      const host = await client('Host');
      const a = await client('A');
      const b = await client('B');
      expect((await a.request('room:join', { roomId: 'no-such-room' })).error.code).toBe(
        'ROOM_NOT_FOUND',
      );
      const { room } = await host.request('room:create', { name: 'Tight', maxParticipants: 2 });
      await a.request('room:join', { roomId: room.id });
      expect((await b.request('room:join', { roomId: room.id })).error.code).toBe('ROOM_FULL');
      await host.request('room:host:lock', { roomId: room.id, locked: true });
      expect((await b.request('room:join', { roomId: room.id })).error.code).toBe('ROOM_LOCKED');
      await host.request('room:host:kick', { roomId: room.id, userId: a.user.id });
      expect((await a.request('room:join', { roomId: room.id })).error.code).toBe('ROOM_BANNED');
      await host.request('room:host:lock', { roomId: room.id, locked: false });
      expect((await a.request('room:join', { roomId: room.id })).error.code).toBe('ROOM_BANNED');
      expect((await b.request('room:join', { roomId: room.id })).ok).toBe(true);
    });

    it('leaves, hands the host role to the earliest joiner, and closes the room when empty', async () => {
      const watcher = await client('Watcher');
      const host = await client('Host');
      const b = await client('B');
      const c = await client('C');
      const { room } = await host.request('room:create', { name: 'Relay' });
      await b.request('room:join', { roomId: room.id });
      await c.request('room:join', { roomId: room.id });
      expect((await watcher.request('room:leave', { roomId: room.id })).error.code).toBe(
        'NOT_IN_ROOM',
      );

      expect(await host.request('room:leave', { roomId: room.id })).toEqual({ ok: true });
      expect(await b.next('room:participant:left', (p) => p.userId === host.user.id)).toEqual({
        roomId: room.id,
        userId: host.user.id,
        reason: 'left',
      });
      expect(
        await c.next('room:host:action', (a) => a.action === 'host-transferred'),
      ).toMatchObject({ roomId: room.id, targetUserId: b.user.id });
      // The new host can moderate.
      expect((await b.request('room:host:lock', { roomId: room.id, locked: true })).ok).toBe(true);

      await b.request('room:leave', { roomId: room.id });
      await c.request('room:leave', { roomId: room.id });
      await watcher.next('room:list', (l) => !l.rooms.some((r) => r.id === room.id));
      expect((await watcher.request('room:join', { roomId: room.id })).error.code).toBe(
        'ROOM_NOT_FOUND',
      );
    });

    it('joining another room leaves the current one', async () => {
      const a = await client('A');
      const b = await client('B');
      const { room: first } = await a.request('room:create', { name: 'First' });
      await b.request('room:join', { roomId: first.id });
      const { room: second } = await b.request('room:create', { name: 'Second' });
      expect(await a.next('room:participant:left', (p) => p.userId === b.user.id)).toMatchObject({
        roomId: first.id,
      });
      expect(second.hostId).toBe(b.user.id);
    });

    it('a second tab joining takes over the seat', async () => {
      const host = await client('Host');
      const bob = await client('Bob');
      const bob2 = await tab(bob);
      const { room } = await host.request('room:create', { name: 'Tabs' });
      await bob.request('room:join', { roomId: room.id });
      const ack = await bob2.request('room:join', { roomId: room.id });
      expect(ids(ack.room)).toEqual([host.user.id, bob.user.id]);
      // Signals to Bob now reach the second tab only.
      bob.clear();
      await host.request('webrtc:offer', { to: bob.user.id, roomId: room.id, sdp: 'v=0' });
      expect(await bob2.next('webrtc:offer')).toMatchObject({ from: host.user.id });
      await sleep(100);
      expect(bob.all('webrtc:offer')).toEqual([]);
    });

    it('self mute updates everyone in the room', async () => {
      const host = await client('Host');
      const b = await client('B');
      const { room } = await host.request('room:create', { name: 'Mute' });
      await b.request('room:join', { roomId: room.id });
      expect(await b.request('room:self:mute', { roomId: room.id, muted: true })).toEqual({
        ok: true,
      });
      const update = await host.next('room:participant:updated');
      expect(update).toEqual({
        roomId: room.id,
        participant: expect.objectContaining({ userId: b.user.id, muted: true }),
      });
      expect((await host.request('room:self:mute', { roomId: 'elsewhere', muted: true })).ok).toBe(
        false,
      );
    });

    it('admits exactly the free seats when 30 sockets join a 6-seat room at once', async () => {
      const host = await client('Host');
      const { room } = await host.request('room:create', { name: 'Rush', maxParticipants: 6 });
      const crowd = await Promise.all(Array.from({ length: 30 }, (_, i) => client(`P${i}`)));
      const acks = await Promise.all(crowd.map((c) => c.request('room:join', { roomId: room.id })));
      expect(acks.filter((a) => a.ok)).toHaveLength(5);
      expect(acks.filter((a) => !a.ok).every((a) => a.error.code === 'ROOM_FULL')).toBe(true);
      const list = await host.request('room:join', { roomId: room.id });
      expect(list.room.participants).toHaveLength(6);
    }, 30_000);
  });

  describe('moderation', () => {
    it('host mute, kick (with rejoin ban) and lock', async () => {
      const host = await client('Host');
      const b = await client('B');
      const c = await client('C');
      const { room } = await host.request('room:create', { name: 'Mod' });
      await b.request('room:join', { roomId: room.id });
      await c.request('room:join', { roomId: room.id });

      expect(await host.request('room:host:mute', { roomId: room.id, userId: b.user.id })).toEqual({
        ok: true,
      });
      expect(await b.next('room:host:action', (a) => a.action === 'mute')).toEqual({
        roomId: room.id,
        action: 'mute',
        targetUserId: b.user.id,
        byUserId: host.user.id,
      });
      expect(
        await c.next('room:participant:updated', (u) => u.participant.userId === b.user.id),
      ).toMatchObject({ participant: { muted: true } });
      // The target may unmute itself.
      expect((await b.request('room:self:mute', { roomId: room.id, muted: false })).ok).toBe(true);

      expect(await host.request('room:host:kick', { roomId: room.id, userId: b.user.id })).toEqual({
        ok: true,
      });
      expect(await b.next('room:host:action', (a) => a.action === 'kick')).toMatchObject({
        targetUserId: b.user.id,
      });
      expect(await c.next('room:participant:left', (p) => p.userId === b.user.id)).toEqual({
        roomId: room.id,
        userId: b.user.id,
        reason: 'kicked',
      });
      expect((await b.request('room:join', { roomId: room.id })).error.code).toBe('ROOM_BANNED');
      expect(
        (await b.request('webrtc:offer', { to: c.user.id, roomId: room.id, sdp: 'v=0' })).error
          .code,
      ).toBe('NOT_PEER');

      const watcher = await client('Watcher');
      expect(await host.request('room:host:lock', { roomId: room.id, locked: true })).toEqual({
        ok: true,
      });
      expect(await c.next('room:host:action', (a) => a.action === 'lock')).toMatchObject({
        byUserId: host.user.id,
      });
      await watcher.next('room:list', (l) => l.rooms.some((r) => r.id === room.id && r.locked));
      await host.request('room:host:lock', { roomId: room.id, locked: false });
      expect(await c.next('room:host:action', (a) => a.action === 'unlock')).toMatchObject({
        roomId: room.id,
      });
    });

    it('refuses non-hosts, self-targets and absent targets', async () => {
      const host = await client('Host');
      const b = await client('B');
      const outsider = await client('Out');
      const { room } = await host.request('room:create', { name: 'Rules' });
      await b.request('room:join', { roomId: room.id });
      expect(
        (await b.request('room:host:mute', { roomId: room.id, userId: host.user.id })).error.code,
      ).toBe('FORBIDDEN');
      expect(
        (await b.request('room:host:kick', { roomId: room.id, userId: host.user.id })).error.code,
      ).toBe('FORBIDDEN');
      expect(
        (await b.request('room:host:lock', { roomId: room.id, locked: true })).error.code,
      ).toBe('FORBIDDEN');
      expect(
        (await host.request('room:host:kick', { roomId: room.id, userId: host.user.id })).error
          .code,
      ).toBe('INVALID_TARGET');
      expect(
        (await host.request('room:host:mute', { roomId: room.id, userId: host.user.id })).error
          .code,
      ).toBe('INVALID_TARGET');
      expect(
        (await host.request('room:host:kick', { roomId: room.id, userId: outsider.user.id })).error
          .code,
      ).toBe('NOT_IN_ROOM');
      expect(
        (await host.request('room:host:mute', { roomId: 'nope', userId: b.user.id })).error.code,
      ).toBe('ROOM_NOT_FOUND');
      // Without an ack, the failure arrives as an error event.
      b.send('room:host:lock', { roomId: room.id, locked: true });
      expect(await b.next('error')).toMatchObject({ code: 'FORBIDDEN', event: 'room:host:lock' });
    });
  });

  describe('direct calls', () => {
    it('rings every callee tab, accepts, stops the other tabs ringing, and ends', async () => {
      const caller = await client('Caller');
      const callee = await client('Callee');
      const calleeTab = await tab(callee);
      const ack = await caller.request('call:direct:invite', { toUserId: callee.user.id });
      expect(ack).toEqual({ ok: true, callId: expect.any(String) });
      const { callId } = ack;
      expect(await callee.next('call:direct:incoming')).toEqual({ callId, from: caller.user });
      expect(await calleeTab.next('call:direct:incoming')).toEqual({ callId, from: caller.user });
      expect(await caller.next('call:direct:state')).toEqual({
        callId,
        state: 'ringing',
        peer: callee.user,
      });

      expect((await caller.request('call:direct:accept', { callId })).error.code).toBe('FORBIDDEN');
      expect(await callee.request('call:direct:accept', { callId })).toEqual({ ok: true });
      expect(await caller.next('call:direct:state', (s) => s.state === 'accepted')).toEqual({
        callId,
        state: 'accepted',
        peer: callee.user,
      });
      expect(await calleeTab.next('call:direct:state', (s) => s.state === 'accepted')).toEqual({
        callId,
        state: 'accepted',
        peer: caller.user,
      });
      expect((await callee.request('call:direct:accept', { callId })).error.code).toBe(
        'CALL_NOT_RINGING',
      );

      // Relay works between the two parties, bound to the accepting tab.
      await caller.request('webrtc:offer', { to: callee.user.id, callId, sdp: 'v=0' });
      expect(await callee.next('webrtc:offer')).toEqual({
        from: caller.user.id,
        callId,
        sdp: 'v=0',
      });

      // In a call: cannot join rooms or invite.
      expect((await caller.request('room:create', { name: 'x' })).error.code).toBe('BUSY');

      expect(await callee.request('call:direct:end', { callId })).toEqual({ ok: true });
      expect(await caller.next('call:direct:state', (s) => s.state === 'ended')).toMatchObject({
        callId,
      });
      expect((await caller.request('call:direct:end', { callId })).error.code).toBe(
        'CALL_NOT_FOUND',
      );
    });

    it('declines, cancels, and the callee ending a ringing call is a decline', async () => {
      const caller = await client('Caller');
      const callee = await client('Callee');
      const first = await caller.request('call:direct:invite', { toUserId: callee.user.id });
      expect(await callee.request('call:direct:decline', { callId: first.callId })).toEqual({
        ok: true,
      });
      expect(await caller.next('call:direct:state', (s) => s.state === 'declined')).toMatchObject({
        callId: first.callId,
      });

      const second = await caller.request('call:direct:invite', { toUserId: callee.user.id });
      expect(await caller.request('call:direct:end', { callId: second.callId })).toEqual({
        ok: true,
      });
      expect(await callee.next('call:direct:state', (s) => s.state === 'cancelled')).toMatchObject({
        callId: second.callId,
        peer: caller.user,
      });
      expect(
        (await callee.request('call:direct:accept', { callId: second.callId })).error.code,
      ).toMatch(/CALL_NOT_FOUND|CALL_NOT_RINGING/);

      const third = await caller.request('call:direct:invite', { toUserId: callee.user.id });
      await callee.request('call:direct:end', { callId: third.callId });
      expect(
        await caller.next(
          'call:direct:state',
          (s) => s.callId === third.callId && s.state !== 'ringing',
        ),
      ).toMatchObject({ state: 'declined' });
    });

    it('checks INVALID_TARGET, USER_NOT_FOUND, BUSY, USER_OFFLINE, USER_BUSY', async () => {
      const a = await client('A');
      const b = await client('B');
      const c = await client('C');
      expect((await a.request('call:direct:invite', { toUserId: a.user.id })).error.code).toBe(
        'INVALID_TARGET',
      );
      expect((await a.request('call:direct:invite', { toUserId: 'nobody' })).error.code).toBe(
        'USER_NOT_FOUND',
      );
      const { user: offline } = await register(server.url);
      expect((await a.request('call:direct:invite', { toUserId: offline.id })).error.code).toBe(
        'USER_OFFLINE',
      );
      await c.request('presence:set', { status: 'busy' });
      expect((await a.request('call:direct:invite', { toUserId: c.user.id })).error.code).toBe(
        'USER_BUSY',
      );
      await c.request('presence:set', { status: 'online' });
      const { room } = await c.request('room:create', { name: 'Busy room' });
      expect((await a.request('call:direct:invite', { toUserId: c.user.id })).error.code).toBe(
        'USER_BUSY',
      );
      await c.request('room:leave', { roomId: room.id });
      // A caller with an outgoing ringing call is BUSY.
      await a.request('call:direct:invite', { toUserId: b.user.id });
      expect((await a.request('call:direct:invite', { toUserId: c.user.id })).error.code).toBe(
        'BUSY',
      );
      expect((await b.request('call:direct:accept', { callId: 'nope' })).error.code).toBe(
        'CALL_NOT_FOUND',
      );
    });

    it('lets exactly one of two tabs accept', async () => {
      const caller = await client('Caller');
      const callee = await client('Callee');
      const calleeTab = await tab(callee);
      const { callId } = await caller.request('call:direct:invite', { toUserId: callee.user.id });
      const [x, y] = await Promise.all([
        callee.request('call:direct:accept', { callId }),
        calleeTab.request('call:direct:accept', { callId }),
      ]);
      expect([x.ok, y.ok].sort()).toEqual([false, true]);
      expect([x, y].find((r) => !r.ok).error.code).toBe('CALL_NOT_RINGING');
    });

    it('becomes missed after RING_TIMEOUT_MS', async () => {
      const caller = await client('Caller');
      const callee = await client('Callee');
      const { callId } = await caller.request('call:direct:invite', { toUserId: callee.user.id });
      expect(
        await caller.next('call:direct:state', (s) => s.state === 'missed', 5000),
      ).toMatchObject({ callId });
      expect(
        await callee.next('call:direct:state', (s) => s.state === 'missed', 5000),
      ).toMatchObject({ callId });
    });
  });

  describe('relay', () => {
    it('relays only between members of the same room', async () => {
      const a = await client('A');
      const b = await client('B');
      const stranger = await client('Stranger');
      const { room } = await a.request('room:create', { name: 'Pair' });
      await b.request('room:join', { roomId: room.id });
      const candidate = {
        candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
      };
      expect(await a.request('webrtc:ice', { to: b.user.id, roomId: room.id, candidate })).toEqual({
        ok: true,
      });
      expect(await b.next('webrtc:ice')).toEqual({ from: a.user.id, roomId: room.id, candidate });
      await b.request('webrtc:answer', { to: a.user.id, roomId: room.id, sdp: 'v=0 answer' });
      expect(await a.next('webrtc:answer')).toEqual({
        from: b.user.id,
        roomId: room.id,
        sdp: 'v=0 answer',
      });

      const refused = await stranger.request('webrtc:offer', {
        to: a.user.id,
        roomId: room.id,
        sdp: 'v=0',
      });
      expect(refused.error.code).toBe('NOT_PEER');
      expect(await stranger.next('webrtc:signal:error')).toEqual({
        to: a.user.id,
        code: 'NOT_PEER',
        message: expect.any(String),
      });
      expect(
        (
          await a.request('webrtc:offer', {
            to: b.user.id,
            roomId: room.id,
            callId: 'c',
            sdp: 'v=0',
          })
        ).error.code,
      ).toBe('VALIDATION_FAILED');
      await sleep(100);
      expect(a.all('webrtc:offer')).toEqual([]);
    });
  });

  describe('disconnects (grace 0)', () => {
    it('a host dropping leaves the room, transfers the host role and goes offline', async () => {
      const host = await client('Host');
      const b = await client('B');
      const { room } = await host.request('room:create', { name: 'Drop' });
      await b.request('room:join', { roomId: room.id });
      host.close();
      expect(await b.next('room:participant:left')).toEqual({
        roomId: room.id,
        userId: host.user.id,
        reason: 'disconnected',
      });
      expect(
        await b.next('room:host:action', (a) => a.action === 'host-transferred'),
      ).toMatchObject({ targetUserId: b.user.id });
      expect(
        await b.next('presence:list', (p) =>
          p.users.some((u) => u.userId === host.user.id && u.status === 'offline'),
        ),
      ).toMatchObject({ full: false });
    });

    it('a call party dropping ends the call', async () => {
      const caller = await client('Caller');
      const callee = await client('Callee');
      const { callId } = await caller.request('call:direct:invite', { toUserId: callee.user.id });
      await callee.request('call:direct:accept', { callId });
      callee.close();
      expect(await caller.next('call:direct:state', (s) => s.state === 'ended')).toMatchObject({
        callId,
      });
    });
  });
});

describe.each(topologies)('reconnect grace on $label', (topology) => {
  const GRACE_MS = 1500;
  const server = useDeployment(topology, { RECONNECT_GRACE_MS: String(GRACE_MS) });
  /**
   * Past the grace of a socket closed now or before: its deadline is due (time has to pass for
   * that) and whatever it did has been emitted on every node. A round trip to the client that
   * would have been told still has to follow before a negative check.
   */
  const pastGrace = async () => {
    await sleep(GRACE_MS + 300);
    await server.settled();
  };

  it('a user back within the grace keeps seat, host role and call state, and hears room:joined again', async () => {
    const host = await signedInClient(server.nextUrl(), 'Host');
    const b = await signedInClient(server.nextUrl(), 'B');
    const { room } = await host.request('room:create', { name: 'Flaky' });
    await b.request('room:join', { roomId: room.id });
    host.close();
    await sleep(300);
    const back = await secondTab(server.nextUrl(), host);
    const rejoined = await back.next('room:joined');
    expect(rejoined.room.hostId).toBe(host.user.id);
    expect(rejoined.room.participants.map((p) => p.userId)).toEqual([host.user.id, b.user.id]);
    await pastGrace();
    // Signals reach the new socket; that round trip (b → server → back) also comes after
    // anything the grace timer would have sent b, so the negative checks follow it.
    await b.request('webrtc:offer', { to: host.user.id, roomId: room.id, sdp: 'v=0' });
    expect(await back.next('webrtc:offer')).toMatchObject({ from: b.user.id });
    expect(b.all('room:participant:left')).toEqual([]);
    expect(b.all('room:host:action')).toEqual([]);
    back.close();
    b.close();
  }, 20_000);

  it('a page back on a new socket (auth:hello replaces) takes its seat from the old one at once', async () => {
    const host = await signedInClient(server.nextUrl(), 'Host');
    const b = await signedInClient(server.nextUrl(), 'B');
    const { room } = await host.request('room:create', { name: 'Moving' });
    await b.request('room:join', { roomId: room.id });
    // A network change: the old socket looks open to the server, which has no way to know.
    const back = new TestClient(server.nextUrl(), host.user, host.token);
    await back.connected();
    const closed = host.closedByServer();
    const ack = await back.request('auth:hello', { token: host.token, replaces: host.socket.id });
    expect(ack.ok).toBe(true);
    await closed;
    const rejoined = await back.next('room:joined');
    expect(rejoined.room.participants.map((p) => p.userId)).toEqual([host.user.id, b.user.id]);
    await pastGrace();
    await b.request('webrtc:offer', { to: host.user.id, roomId: room.id, sdp: 'v=0' });
    expect(await back.next('webrtc:offer')).toMatchObject({ from: b.user.id });
    expect(b.all('room:participant:left')).toEqual([]);
    // Another user's socket is never replaced.
    const other = new TestClient(server.nextUrl(), b.user, b.token);
    await other.connected();
    expect(
      (await other.request('auth:hello', { token: b.token, replaces: back.socket.id })).ok,
    ).toBe(true);
    await b.request('webrtc:offer', { to: host.user.id, roomId: room.id, sdp: 'v=0' });
    expect(await back.next('webrtc:offer')).toMatchObject({ from: b.user.id });
    expect(back.socket.connected).toBe(true);
    for (const c of [back, b, other]) c.close();
  }, 20_000);

  it('an accepted call survives a reconnect within the grace and is re-announced', async () => {
    const caller = await signedInClient(server.nextUrl(), 'Caller');
    const callee = await signedInClient(server.nextUrl(), 'Callee');
    const { callId } = await caller.request('call:direct:invite', { toUserId: callee.user.id });
    await callee.request('call:direct:accept', { callId });
    callee.close();
    await sleep(200);
    const back = await secondTab(server.nextUrl(), callee);
    // The re-announcement is marked `resumed` (extension: a second tab must not take it).
    expect(await back.next('call:direct:state')).toEqual({
      callId,
      state: 'accepted',
      peer: caller.user,
      resumed: true,
    });
    // Past the grace, then a round trip through the call before the negative check.
    await pastGrace();
    await caller.request('webrtc:offer', { to: callee.user.id, callId, sdp: 'v=0' });
    expect(await back.next('webrtc:offer')).toMatchObject({ from: caller.user.id });
    expect(caller.all('call:direct:state').filter((s) => s.state === 'ended')).toEqual([]);
    caller.close();
    back.close();
  }, 20_000);
});
