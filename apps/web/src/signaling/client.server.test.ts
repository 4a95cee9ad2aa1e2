import { register, startServer, type TestServer } from '@openwcall/server/testing';
import type { ServerEventName, ServerPayload } from '@openwcall/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../base/errors';
import { SignalingClient } from './client';
import { createSocketIoSocket } from './socket';

// The web app's real SignalingClient and socket factory against the real server (in-process,
// port 0, PGlite): the fake-socket unit tests cannot catch a drift from the server's wire.

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

interface Party {
  client: SignalingClient;
  userId: string;
}

function next<E extends ServerEventName>(
  client: SignalingClient,
  event: E,
  match: (payload: ServerPayload<E>) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<ServerPayload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on(event, (payload) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

function nextReady(client: SignalingClient) {
  return new Promise<{ resumed: boolean }>((resolve) => {
    const off = client.onReady((info) => {
      off();
      resolve(info);
    });
  });
}

describe('SignalingClient against the real server', () => {
  let server: TestServer;
  const clients: SignalingClient[] = [];
  let ann: Party;
  let bob: Party;
  let roomId: string;

  async function connect(name: string): Promise<Party> {
    const { accessToken, user } = await register(server.url, undefined, name);
    const client = new SignalingClient({
      createSocket: () => createSocketIoSocket(server.url),
      getToken: async () => accessToken,
      refreshToken: async () => accessToken,
      onAuthFailed: (error) => {
        throw error;
      },
      // Quick retries: the test waits on the reconnect, not on production backoff.
      policy: { nextDelay: ({ attempt }) => (attempt < 50 ? 100 : null) },
      ackTimeoutMs: 5_000,
    });
    clients.push(client);
    return { client, userId: user.id };
  }

  beforeAll(async () => {
    // A real grace, so a closed socket leaves its seat reachable-but-gone for 5 s.
    server = await startServer('pglite', { RECONNECT_GRACE_MS: '5000' });
    ann = await connect('Ann');
    bob = await connect('Bob');
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.close();
  });

  it('authenticates both users and lists them in presence', async () => {
    const annReady = nextReady(ann.client);
    ann.client.start();
    expect(await annReady).toMatchObject({ resumed: false });

    const bobPresence = next(bob.client, 'presence:list', (p) => p.full);
    const annSeesBob = next(ann.client, 'presence:list', (p) =>
      p.users.some((u) => u.userId === bob.userId),
    );
    bob.client.start();
    const full = await bobPresence;
    expect(full.users.map((u) => u.userId)).toEqual(
      expect.arrayContaining([ann.userId, bob.userId]),
    );
    await annSeesBob;
    expect(ann.client.getSnapshot()).toMatchObject({
      status: 'ready',
      user: { id: ann.userId },
    });
    expect(bob.client.status).toBe('ready');
  });

  it('creates a room, joins it and relays an offer', async () => {
    const annJoined = next(ann.client, 'room:joined');
    const { room } = await ann.client.request('room:create', { name: 'Real wire' });
    roomId = room.id;
    expect((await annJoined).room.id).toBe(roomId);

    const annSeesBobJoin = next(ann.client, 'room:participant:joined', (p) => p.roomId === roomId);
    const joined = await bob.client.request('room:join', { roomId });
    expect(joined.room.participants.map((p) => p.userId)).toEqual(
      expect.arrayContaining([ann.userId, bob.userId]),
    );
    expect((await annSeesBobJoin).participant.userId).toBe(bob.userId);

    const offer = next(bob.client, 'webrtc:offer');
    ann.client.signal('webrtc:offer', { to: bob.userId, roomId, sdp: SDP });
    expect(await offer).toMatchObject({ from: ann.userId, roomId, sdp: SDP });
  });

  it('reconnects by itself after a transport loss and gets room:joined again', async () => {
    const rejoined = next(ann.client, 'room:joined', (p) => p.room.id === roomId);
    const ready = nextReady(ann.client);
    const statuses: string[] = [];
    const unsubscribe = ann.client.subscribe(() => statuses.push(ann.client.status));
    ann.client.dropConnection();
    expect(await ready).toMatchObject({ resumed: true });
    unsubscribe();
    expect(statuses).toContain('reconnecting');
    expect((await rejoined).room.participants.map((p) => p.userId)).toContain(bob.userId);
    expect(ann.client.status).toBe('ready');

    // The new socket carries signals both ways.
    const offer = next(ann.client, 'webrtc:offer');
    bob.client.signal('webrtc:offer', { to: ann.userId, roomId, sdp: SDP });
    expect(await offer).toMatchObject({ from: bob.userId, roomId });
  });

  it('a signal made while offline waits and reaches the peer after the reconnect', async () => {
    const ready = nextReady(ann.client);
    ann.client.dropConnection();
    expect(ann.client.status).not.toBe('ready');
    const offer = next(bob.client, 'webrtc:offer', (p) => p.sdp.includes('offline'));
    ann.client.signal('webrtc:offer', { to: bob.userId, roomId, sdp: `${SDP}a=offline\r\n` });
    expect(await ready).toMatchObject({ resumed: true, droppedSignals: 0 });
    expect(await offer).toMatchObject({ from: ann.userId, roomId });
  });

  it('reports PEER_UNREACHABLE when the target socket is gone within its grace', async () => {
    bob.client.close();
    // The acked request orders things: once it fails, the server has seen Bob's socket go.
    let outcome: unknown;
    for (let i = 0; i < 50; i++) {
      outcome = await ann.client
        .request('webrtc:offer', { to: bob.userId, roomId, sdp: SDP })
        .catch((error: unknown) => error);
      if (outcome instanceof AppError) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(outcome).toBeInstanceOf(AppError);
    expect((outcome as AppError).code).toBe('PEER_UNREACHABLE');

    // Fire-and-forget signals hear about it through webrtc:signal:error.
    const error = next(ann.client, 'webrtc:signal:error');
    ann.client.signal('webrtc:offer', { to: bob.userId, roomId, sdp: SDP });
    expect(await error).toMatchObject({ to: bob.userId, code: 'PEER_UNREACHABLE' });
  });
});
