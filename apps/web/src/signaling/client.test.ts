import { ClientEvent, ServerEvent } from '@openwcall/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../base/errors';
import {
  ICE_REFRESH_MIN_MS,
  iceRefreshDelay,
  SignalingClient,
  turnCredentialsExpireAt,
} from './client';
import { FakeSocket } from './testing/fakes';

const user = { id: 'u1', displayName: 'Ann' };
const iceServers = [{ urls: 'stun:example.org' }];

function setup(options: { tokens?: string[]; refreshTokens?: string[] } = {}) {
  const socket = new FakeSocket();
  const tokens = [...(options.tokens ?? ['t1', 't2', 't3'])];
  const refreshTokens = [...(options.refreshTokens ?? ['r1'])];
  const onAuthFailed = vi.fn();
  const acceptedTokens = new Set(['t1', 't2', 't3', 'r1']);
  socket.respond = (event, payload) => {
    if (event !== ClientEvent.AuthHello) return { ok: true };
    const { token } = payload as { token: string };
    return acceptedTokens.has(token)
      ? { ok: true, user, iceServers }
      : { ok: false, error: { code: 'UNAUTHENTICATED', message: 'bad token' } };
  };
  const client = new SignalingClient({
    createSocket: () => socket,
    getToken: async () => tokens.shift() ?? 'expired',
    refreshToken: async () => refreshTokens.shift() ?? 'expired',
    onAuthFailed,
    policy: { nextDelay: ({ attempt }) => (attempt < 3 ? 100 * (attempt + 1) : null) },
    ackTimeoutMs: 1_000,
  });
  return { socket, client, onAuthFailed, acceptedTokens };
}

async function flush() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('SignalingClient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('authenticates with auth:hello on connect and reports ready', async () => {
    const { socket, client } = setup();
    const ready = vi.fn();
    client.onReady(ready);
    client.start();
    expect(client.status).toBe('connecting');
    expect(socket.connectCalls).toBe(1);
    socket.open();
    await flush();
    expect(socket.emitted[0]).toMatchObject({ event: 'auth:hello', payload: { token: 't1' } });
    expect(client.status).toBe('ready');
    expect(client.getSnapshot()).toMatchObject({ user, iceServers });
    expect(ready).toHaveBeenCalledWith({ user, iceServers, resumed: false, droppedSignals: 0 });
  });

  it('delivers server events parsed by the shared schemas and drops malformed ones', async () => {
    const { socket, client } = setup();
    const rooms = vi.fn();
    client.on(ServerEvent.RoomList, rooms);
    client.start();
    socket.open();
    await flush();
    socket.serverEmit('room:list', { rooms: [{ id: 'r1' }] });
    expect(rooms).not.toHaveBeenCalled();
    const room = {
      id: 'r1',
      name: 'Ops',
      hostId: 'u1',
      participantCount: 1,
      maxParticipants: 6,
      locked: false,
      extra: 'tolerated',
    };
    socket.serverEmit('room:list', { rooms: [room] });
    expect(rooms).toHaveBeenCalledTimes(1);
    expect(rooms.mock.calls[0]?.[0].rooms[0]).toMatchObject({ id: 'r1', name: 'Ops' });
  });

  it('records maxRoomParticipants from auth:ok', async () => {
    const { socket, client } = setup();
    client.start();
    socket.open();
    socket.serverEmit('auth:ok', { user, iceServers, maxRoomParticipants: 4 });
    expect(client.getSnapshot().maxRoomParticipants).toBe(4);
  });

  it('turns acks into results and server errors into AppErrors with the code', async () => {
    const { socket, client } = setup();
    client.start();
    socket.open();
    await flush();
    socket.respond = (event) =>
      event === ClientEvent.RoomJoin
        ? { ok: false, error: { code: 'ROOM_LOCKED', message: 'locked' } }
        : { ok: true, callId: 'c1' };
    await expect(client.request(ClientEvent.CallInvite, { toUserId: 'u2' })).resolves.toEqual({
      callId: 'c1',
    });
    const failure = client.request(ClientEvent.RoomJoin, { roomId: 'r1' });
    await expect(failure).rejects.toBeInstanceOf(AppError);
    await expect(failure).rejects.toMatchObject({
      code: 'ROOM_LOCKED',
      message: 'That room is locked by its host.',
    });
  });

  it('times out unanswered requests and refuses requests while not connected', async () => {
    const { socket, client } = setup();
    await expect(client.request(ClientEvent.RoomLeave, { roomId: 'r1' })).rejects.toMatchObject({
      code: 'OFFLINE',
    });
    client.start();
    socket.open();
    await flush();
    socket.respond = () => undefined;
    const pending = client.request(ClientEvent.RoomLeave, { roomId: 'r1' });
    const assertion = expect(pending).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(1_000);
    await assertion;
  });

  it('reconnects after a transport loss with the policy delay and a fresh token', async () => {
    const { socket, client } = setup();
    const ready = vi.fn();
    client.onReady(ready);
    client.start();
    socket.open();
    await flush();
    socket.respond = () => undefined;
    const pending = client.request(ClientEvent.RoomLeave, { roomId: 'r1' });
    const assertion = expect(pending).rejects.toMatchObject({ code: 'OFFLINE' });

    socket.dropTransport();
    await assertion;
    expect(client.status).toBe('reconnecting');
    expect(client.getSnapshot().attempt).toBe(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(socket.connectCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.connectCalls).toBe(2);

    socket.respond = (event) =>
      event === ClientEvent.AuthHello ? { ok: true, user, iceServers } : { ok: true };
    socket.open();
    await flush();
    const hellos = socket.emitted.filter((e) => e.event === 'auth:hello');
    // The new socket names the old one, which the server may still think open.
    expect(hellos.map((h) => h.payload)).toEqual([
      { token: 't1' },
      { token: 't2', replaces: 'socket-1' },
    ]);
    expect(client.status).toBe('ready');
    expect(client.getSnapshot().attempt).toBe(0);
    expect(ready).toHaveBeenLastCalledWith({
      user,
      iceServers,
      resumed: true,
      droppedSignals: 0,
    });
  });

  it('backs off across failed attempts and gives up when the policy says so', async () => {
    const { socket, client } = setup();
    client.start();
    socket.serverEmit('connect_error', new Error('refused'));
    await vi.advanceTimersByTimeAsync(100);
    socket.serverEmit('connect_error', new Error('refused'));
    await vi.advanceTimersByTimeAsync(200);
    socket.serverEmit('connect_error', new Error('refused'));
    await vi.advanceTimersByTimeAsync(300);
    expect(socket.connectCalls).toBe(4);
    socket.serverEmit('connect_error', new Error('refused'));
    expect(client.status).toBe('closed');
  });

  it('refreshes the token once when the server refuses it, then gives up', async () => {
    const first = setup({ tokens: ['expired'], refreshTokens: ['r1'] });
    first.client.start();
    first.socket.open();
    await flush();
    expect(first.client.status).toBe('ready');
    expect(first.socket.emitted.map((e) => e.payload)).toEqual([
      { token: 'expired' },
      { token: 'r1' },
    ]);

    const second = setup({ tokens: ['expired'], refreshTokens: ['also-expired'] });
    second.client.start();
    second.socket.open();
    await flush();
    expect(second.onAuthFailed).toHaveBeenCalledTimes(1);
    expect(second.client.status).toBe('closed');
  });

  it('holds webrtc signals made while offline and sends them in order once authenticated', async () => {
    const { socket, client } = setup();
    const offer = { to: 'u2', roomId: 'r1', sdp: 'v=0' };
    const ice = { to: 'u2', roomId: 'r1', candidate: { candidate: 'candidate:1' } };
    client.signal(ClientEvent.WebrtcOffer, offer);
    client.signal(ClientEvent.WebrtcIce, ice);
    expect(socket.emitted).toHaveLength(0);
    client.start();
    socket.open();
    await flush();
    expect(socket.emittedNames()).toEqual(['auth:hello', 'webrtc:offer', 'webrtc:ice']);
    client.signal(ClientEvent.WebrtcOffer, offer);
    expect(socket.emitted.at(-1)).toMatchObject({ event: 'webrtc:offer', payload: offer });
  });

  it('re-sends a signal whose ack was lost with the connection', async () => {
    const { socket, client } = setup();
    client.start();
    socket.open();
    await flush();
    socket.respond = () => undefined;
    client.signal(ClientEvent.WebrtcAnswer, { to: 'u2', roomId: 'r1', sdp: 'answer' });
    socket.dropTransport();
    await flush();
    socket.respond = (event) =>
      event === ClientEvent.AuthHello ? { ok: true, user, iceServers } : { ok: true };
    await vi.advanceTimersByTimeAsync(100);
    socket.open();
    await flush();
    expect(socket.emittedNames()).toEqual([
      'auth:hello',
      'webrtc:answer',
      'auth:hello',
      'webrtc:answer',
    ]);
  });

  it('drops signals too old or too many to send, and says how many in ReadyInfo', async () => {
    const stale = setup();
    const staleReady = vi.fn();
    stale.client.onReady(staleReady);
    stale.client.signal(ClientEvent.WebrtcOffer, { to: 'u2', roomId: 'r1', sdp: 'old' });
    await vi.advanceTimersByTimeAsync(10_001);
    stale.client.signal(ClientEvent.WebrtcIce, { to: 'u2', roomId: 'r1', candidate: null });
    stale.client.start();
    stale.socket.open();
    await flush();
    expect(stale.socket.emittedNames()).toEqual(['auth:hello', 'webrtc:ice']);
    expect(staleReady).toHaveBeenCalledWith(expect.objectContaining({ droppedSignals: 1 }));

    const many = setup();
    const manyReady = vi.fn();
    many.client.onReady(manyReady);
    for (let i = 0; i < 130; i++) {
      many.client.signal(ClientEvent.WebrtcIce, { to: 'u2', roomId: 'r1', candidate: null });
    }
    many.client.start();
    many.socket.open();
    await flush();
    expect(many.socket.emittedNames().filter((name) => name === 'webrtc:ice')).toHaveLength(128);
    expect(manyReady).toHaveBeenCalledWith(expect.objectContaining({ droppedSignals: 2 }));
  });

  it('close() is idempotent and stops reconnecting', async () => {
    const { socket, client } = setup();
    client.start();
    socket.open();
    await flush();
    client.close();
    client.close();
    expect(client.status).toBe('closed');
    socket.dropTransport();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(socket.connectCalls).toBe(1);
  });

  describe('when the server ends the login (issue 8 item 9)', () => {
    function revocable(refresh: () => Promise<string>) {
      const socket = new FakeSocket();
      const onAuthFailed = vi.fn();
      const tokenListeners = new Set<(token: string) => void>();
      socket.respond = (event, payload) => {
        if (event !== ClientEvent.AuthHello) return { ok: true };
        const { token } = payload as { token: string };
        return token.startsWith('good')
          ? { ok: true, user, iceServers }
          : { ok: false, error: { code: 'UNAUTHENTICATED', message: 'bad token' } };
      };
      const client = new SignalingClient({
        createSocket: () => socket,
        getToken: async () => 'good-1',
        refreshToken: refresh,
        onAuthFailed,
        subscribeToken: (listener) => {
          tokenListeners.add(listener);
          return () => tokenListeners.delete(listener);
        },
        policy: { nextDelay: () => 5_000 },
        ackTimeoutMs: 1_000,
      });
      const newToken = (token: string) => {
        for (const listener of tokenListeners) listener(token);
      };
      return { socket, client, onAuthFailed, newToken, tokenListeners };
    }

    /** What the server does: say why on the socket, then close it. */
    function serverEnds(socket: FakeSocket, code: string) {
      socket.serverEmit('error', { code, message: 'ended' });
      socket.connected = false;
      socket.serverEmit('disconnect', 'io server disconnect');
    }

    it('a disabled account: signed out with that reason, no reconnect', async () => {
      const refresh = vi.fn(async () => 'good-2');
      const { socket, client, onAuthFailed } = revocable(refresh);
      client.start();
      socket.open();
      await flush();
      serverEnds(socket, 'ACCOUNT_DISABLED');
      await flush();
      expect(onAuthFailed).toHaveBeenCalledWith(
        expect.objectContaining({ code: 'ACCOUNT_DISABLED' }),
      );
      expect(client.status).toBe('closed');
      await vi.advanceTimersByTimeAsync(10_000);
      expect(socket.connectCalls).toBe(1);
      expect(refresh).not.toHaveBeenCalled();
    });

    it('a revoked login (the refresh is refused too): signed out, no reconnect', async () => {
      const { socket, client, onAuthFailed } = revocable(async () => {
        throw new AppError('UNAUTHENTICATED');
      });
      client.start();
      socket.open();
      await flush();
      serverEnds(socket, 'UNAUTHENTICATED');
      await flush();
      expect(onAuthFailed).toHaveBeenCalledWith(
        expect.objectContaining({ code: 'UNAUTHENTICATED' }),
      );
      expect(client.status).toBe('closed');
      await vi.advanceTimersByTimeAsync(10_000);
      expect(socket.connectCalls).toBe(1);
    });

    it('an expired token (the refresh works): reconnects at once with the new token', async () => {
      const { socket, client, onAuthFailed } = revocable(async () => 'good-2');
      client.start();
      socket.open();
      await flush();
      const statuses: string[] = [];
      client.subscribe(() => statuses.push(client.status));
      serverEnds(socket, 'UNAUTHENTICATED');
      await flush();
      // No backoff wait: the login is known to be alive.
      expect(socket.connectCalls).toBe(2);
      socket.open();
      await flush();
      expect(client.status).toBe('ready');
      expect(onAuthFailed).not.toHaveBeenCalled();
      expect(statuses).not.toContain('reconnecting');
    });

    it('re-sends auth:hello with every fresh token while signed in, and stops after close', async () => {
      const { socket, client, onAuthFailed, newToken, tokenListeners } = revocable(async () => {
        throw new AppError('UNAUTHENTICATED');
      });
      newToken('good-early');
      client.start();
      socket.open();
      await flush();
      newToken('good-2');
      await flush();
      const hellos = socket.emitted.filter((e) => e.event === 'auth:hello').map((e) => e.payload);
      expect(hellos).toEqual([{ token: 'good-1' }, { token: 'good-2' }]);
      expect(client.status).toBe('ready');

      // A token the server refuses means the login is gone once the refresh fails as well.
      newToken('revoked-3');
      await flush();
      expect(onAuthFailed).toHaveBeenCalledTimes(1);
      expect(client.status).toBe('closed');
      expect(tokenListeners.size).toBe(0);
    });
  });

  describe('checkAlive (media lost: is the socket still alive?)', () => {
    const fresh = [{ urls: 'turn:turn.example.org', username: '2:u1', credential: 'new' }];

    /** A signed-in client whose server leaves every later emit unanswered. */
    async function readyThenSilent() {
      const harness = setup();
      harness.client.start();
      harness.socket.open();
      await flush();
      harness.socket.respond = () => undefined;
      return harness;
    }

    it('an answered probe keeps the socket and takes the fresh iceServers', async () => {
      const { socket, client } = setup();
      client.start();
      socket.open();
      await flush();
      socket.respond = (event) =>
        event === ClientEvent.AuthHello ? { ok: true, user, iceServers: fresh } : { ok: true };
      await client.checkAlive(500);
      expect(socket.emitted.at(-1)).toMatchObject({
        event: 'auth:hello',
        payload: { token: 't2' },
      });
      expect(client.status).toBe('ready');
      expect(client.getSnapshot().iceServers).toEqual(fresh);
    });

    it('an unanswered probe drops the transport and reconnects, naming the dead socket', async () => {
      const { socket, client } = await readyThenSilent();
      const probe = client.checkAlive(500);
      // A second loss report while the first probe runs sends nothing more.
      await client.checkAlive(500);
      await vi.advanceTimersByTimeAsync(500);
      expect(client.status).toBe('ready');
      // Unanswered at 500 ms; what came meanwhile is handled for 100 ms more: nothing did.
      await vi.advanceTimersByTimeAsync(99);
      expect(client.status).toBe('ready');
      await vi.advanceTimersByTimeAsync(1);
      await probe;
      expect(socket.emitted.filter((e) => e.event === 'auth:hello')).toHaveLength(2);
      expect(client.status).toBe('reconnecting');
      await vi.advanceTimersByTimeAsync(100);
      expect(socket.connectCalls).toBe(2);
      socket.respond = (event) =>
        event === ClientEvent.AuthHello ? { ok: true, user, iceServers } : { ok: true };
      socket.open();
      await flush();
      expect(socket.emitted.at(-1)?.payload).toEqual({ token: 't3', replaces: 'socket-1' });
      expect(client.status).toBe('ready');
    });

    it('an unanswered probe keeps a socket that delivered anything meanwhile (slow, not gone)', async () => {
      const { socket, client } = await readyThenSilent();
      const probe = client.checkAlive(500);
      await vi.advanceTimersByTimeAsync(300);
      // A starved page or a busy server: the ack is late, but the socket carries other frames.
      socket.serverEmit('presence:update', { userId: 'u2', status: 'online' });
      await vi.advanceTimersByTimeAsync(400);
      await probe;
      expect(client.status).toBe('ready');
      expect(socket.connectCalls).toBe(1);
    });

    it('a token refresh on the open socket updates the iceServers too', async () => {
      const socket = new FakeSocket();
      const listeners = new Set<(token: string) => void>();
      let answer = iceServers;
      socket.respond = (event) =>
        event === ClientEvent.AuthHello ? { ok: true, user, iceServers: answer } : { ok: true };
      const client = new SignalingClient({
        createSocket: () => socket,
        getToken: async () => 't1',
        refreshToken: async () => 't1',
        onAuthFailed: vi.fn(),
        subscribeToken: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      });
      client.start();
      socket.open();
      await flush();
      expect(client.getSnapshot().iceServers).toEqual(iceServers);
      answer = fresh;
      for (const listener of listeners) listener('t2');
      await flush();
      expect(client.getSnapshot().iceServers).toEqual(fresh);
      client.close();
    });
  });

  describe('TURN credentials', () => {
    const turn = (expiresAtSeconds: number) => [
      { urls: 'turn:turn.example.org:3478', username: `${expiresAtSeconds}:u1`, credential: 'x' },
    ];

    it('are asked for again at three quarters of their life, and again with every answer', async () => {
      vi.setSystemTime(1_000_000_000_000);
      const socket = new FakeSocket();
      let hellos = 0;
      // Each answer carries credentials valid for 100 s from "now", as the server's do.
      socket.respond = (event) => {
        if (event !== ClientEvent.AuthHello) return { ok: true };
        hellos += 1;
        return { ok: true, user, iceServers: turn(Math.floor(Date.now() / 1000) + 100) };
      };
      const client = new SignalingClient({
        createSocket: () => socket,
        getToken: async () => 't1',
        refreshToken: async () => 't1',
        onAuthFailed: vi.fn(),
      });
      client.start();
      socket.open();
      await flush();
      expect(hellos).toBe(1);
      const first = client.getSnapshot().iceServers;
      await vi.advanceTimersByTimeAsync(74_000);
      expect(hellos).toBe(1);
      await vi.advanceTimersByTimeAsync(1_500);
      expect(hellos).toBe(2);
      expect(client.getSnapshot().iceServers).not.toEqual(first);
      await vi.advanceTimersByTimeAsync(75_500);
      expect(hellos).toBe(3);
      client.close();
      await vi.advanceTimersByTimeAsync(200_000);
      expect(hellos).toBe(3);
    });

    it('reads the expiry from the REST username and never refreshes sooner than the floor', () => {
      expect(turnCredentialsExpireAt([{ urls: 'stun:x' }])).toBeNull();
      expect(
        turnCredentialsExpireAt([
          ...turn(2_000_000_000),
          { urls: 'turn:b', username: '1999999000:u1', credential: 'y' },
          { urls: 'turn:c', username: 'static-user', credential: 'z' },
        ]),
      ).toBe(1_999_999_000_000);
      expect(iceRefreshDelay(100_000, 0)).toBe(75_000);
      // A clock ahead of the server's sees them expired already: a floor, not a loop.
      expect(iceRefreshDelay(0, 100_000)).toBe(ICE_REFRESH_MIN_MS);
    });
  });
});
