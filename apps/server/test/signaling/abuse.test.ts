import {
  CLIENT_EVENT_NAMES,
  type ClientEventName,
  clientEventSchemas,
  type ErrorCode,
  LIMITS,
} from '@openwcall/shared';
import fc from 'fast-check';
import { io as connect, type Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { flushFanout } from '../../src/gateway/socket-gateway';
import { signedInClient, sleep, TestClient } from '../support/clients';
import { backends, json, metricsText, type TestServer, useTestServer } from '../support/server';

/*
 * Hostile clients against a real server: malformed payloads (property-based), floods,
 * oversized frames, signals aimed outside one's conversation, unknown events, refused
 * origins and sockets that never authenticate. The server must answer each with the
 * documented failure, change nothing, and keep serving everyone else.
 */

type Ack = { ok: true } | { ok: false; error: { code: ErrorCode; message: string } };

/** Codes a well-formed payload naming things that do not exist (or are not ours) may get. */
const NOT_FOUND_LIKE: ReadonlySet<ErrorCode> = new Set([
  'ROOM_NOT_FOUND',
  'CALL_NOT_FOUND',
  'USER_NOT_FOUND',
  'NOT_IN_ROOM',
  'NOT_PEER',
  'FORBIDDEN',
]);

/** The socket without the typed event map: hostile clients send what the types forbid. */
const raw = (client: TestClient) => client.socket as unknown as Socket;

/** Emits with a callback; resolves with the ack, or 'no-ack' after `timeoutMs`. */
function emitAck(client: TestClient, event: string, args: unknown[], timeoutMs = 5000) {
  return new Promise<Ack | 'no-ack'>((resolve) => {
    const timer = setTimeout(() => resolve('no-ack'), timeoutMs);
    raw(client).emit(event, ...args, (ack: Ack) => {
      clearTimeout(timer);
      resolve(ack);
    });
  });
}

/**
 * Everything the server has sent the watchers so far has arrived: the fan-out batch is flushed,
 * then one acked request per socket (an unknown room to leave: it changes nothing) comes back
 * after whatever the server wrote to that socket before it.
 */
async function delivered(server: TestServer, watchers: readonly TestClient[]) {
  await flushFanout(server.app.ctx.io);
  await Promise.all(watchers.map((w) => emitAck(w, 'room:leave', [{ roomId: 'no-such-room' }])));
}

function anonymous(url: string, options: { origin?: string } = {}) {
  return new TestClient(url, { id: 'anonymous', displayName: 'Anonymous' }, '', options);
}

async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function health(url: string) {
  const res = await fetch(`${url}/health`);
  return { status: res.status, body: await json(res) };
}

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Events that say something changed; none may reach a bystander during the fuzz. */
const STATE_EVENTS = [
  'presence:list',
  'room:list',
  'room:joined',
  'room:participant:joined',
  'room:participant:left',
  'room:participant:updated',
  'call:direct:incoming',
  'call:direct:state',
  'webrtc:offer',
  'webrtc:answer',
  'webrtc:ice',
  'room:host:action',
] as const;

// ---------------------------------------------------------------------------------------
// Payload generators

/** Keys a careless server might merge into an object prototype. */
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

/** Sets an own, enumerable property even for `__proto__` (plain assignment would not). */
function withOwn(obj: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  return obj;
}

function deeplyNested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

const pollution = fc.constantFrom<unknown>(
  JSON.parse('{"__proto__":{"polluted":"yes"}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
  { prototype: { polluted: 'yes' } },
);

/** Anything JSON can carry, weighted towards the nasty. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.string({ minLength: 129, maxLength: 3000 }) },
  { weight: 1, arbitrary: fc.constant('x'.repeat(40_000)) },
  { weight: 1, arbitrary: pollution },
  { weight: 1, arbitrary: fc.constant(deeplyNested(500)) },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 50 }) },
);

interface FuzzCase {
  event: ClientEventName;
  /** `undefined`: emitted with no payload at all. */
  payload: unknown;
  withAck: boolean;
  /** Well-formed by the schema but naming unknown things (or not ours). */
  wellFormed: boolean;
}

function isValid(event: ClientEventName, payload: unknown) {
  return clientEventSchemas[event].payload.safeParse(payload).success;
}

/** What the server sees: JSON drops undefined and turns NaN into null. */
function overTheWire(payload: unknown): unknown {
  if (payload === undefined || payload instanceof Uint8Array) return payload;
  return JSON.parse(JSON.stringify(payload));
}

function wireSize(payload: unknown): number {
  if (payload === undefined) return 0;
  if (payload instanceof Uint8Array) return payload.byteLength;
  return Buffer.byteLength(JSON.stringify(payload));
}

function fuzzArbitraries(real: {
  roomId: string;
  callIds: string[];
  userIds: string[];
}): fc.Arbitrary<FuzzCase> {
  const unknownId = fc.string({ minLength: 1, maxLength: 128 }).map((s) => `nx-${s}`.slice(0, 128));
  const anyId = fc.oneof(fc.constantFrom(real.roomId, ...real.callIds, ...real.userIds), unknownId);
  const candidate = fc.option(
    fc.record(
      {
        candidate: fc.string({ maxLength: 200 }),
        sdpMid: fc.option(fc.string({ maxLength: 8 })),
        sdpMLineIndex: fc.option(fc.nat(4)),
      },
      { requiredKeys: ['candidate'] },
    ),
  );
  const scope = (id: fc.Arbitrary<string>) =>
    fc.oneof(fc.record({ roomId: id }), fc.record({ callId: id }));
  const sdp = fc.string({ minLength: 1, maxLength: 300 });
  const signal = (id: fc.Arbitrary<string>, body: fc.Arbitrary<Record<string, unknown>>) =>
    fc.tuple(fc.record({ to: id }), scope(id), body).map(([a, b, c]) => ({ ...a, ...b, ...c }));

  /** A payload of the right shape for each event, with ids from `id`. */
  const templates = (id: fc.Arbitrary<string>): Record<ClientEventName, fc.Arbitrary<object>> => ({
    'auth:hello': fc.record({ token: fc.string({ minLength: 1, maxLength: 300 }) }),
    'presence:set': fc.record({ status: fc.constantFrom('online', 'away', 'busy') }),
    'room:create': fc.record(
      {
        name: fc.string({ minLength: 1, maxLength: 64 }),
        maxParticipants: fc.integer({ min: 2, max: 6 }),
      },
      { requiredKeys: ['name'] },
    ),
    'room:join': fc.record({ roomId: id }),
    'room:leave': fc.record({ roomId: id }),
    'room:self:mute': fc.record({ roomId: id, muted: fc.boolean() }),
    'room:self:deafen': fc.record({ roomId: id, deafened: fc.boolean() }),
    'call:direct:invite': fc.record({ toUserId: id }),
    'call:direct:accept': fc.record({ callId: id }),
    'call:direct:decline': fc.record({ callId: id }),
    'call:direct:end': fc.record({ callId: id }),
    'call:self:mute': fc.record({ callId: id, muted: fc.boolean() }),
    'webrtc:offer': signal(id, fc.record({ sdp })),
    'webrtc:answer': signal(id, fc.record({ sdp })),
    'webrtc:ice': signal(id, fc.record({ candidate })),
    'room:host:mute': fc.record({ roomId: id, userId: id }),
    'room:host:kick': fc.record({ roomId: id, userId: id }),
    'room:host:lock': fc.record({ roomId: id, locked: fc.boolean() }),
  });
  const wellShaped = templates(anyId);

  type Mutation = (p: Record<string, unknown>) => fc.Arbitrary<unknown>;
  const keysOf = (p: object) => Object.keys(p);
  const mutations: Mutation[] = [
    // Not an object at all (or no payload).
    () =>
      fc.oneof(
        fc.constant(undefined),
        fc.constant(null),
        fc.string({ maxLength: 100 }),
        fc.integer(),
        fc.boolean(),
        fc.array(junk, { maxLength: 5 }),
        fc.constant(new Uint8Array([1, 2, 3])),
      ),
    // A required field missing.
    (p) =>
      fc.constantFrom(...keysOf(p)).map((k) => {
        const { [k]: _drop, ...rest } = p;
        return rest;
      }),
    // A field of the wrong type or size.
    (p) => fc.tuple(fc.constantFrom(...keysOf(p)), junk).map(([k, v]) => ({ ...p, [k]: v })),
    // Ids as numbers.
    (p) =>
      fc
        .tuple(fc.constantFrom(...keysOf(p)), fc.oneof(fc.integer(), fc.double()))
        .map(([k, v]) => ({ ...p, [k]: v })),
    // An extra field: hostile names, huge names, huge values.
    (p) =>
      fc
        .tuple(
          fc.oneof(
            fc.constantFrom(...HOSTILE_KEYS),
            fc.string({ minLength: 1, maxLength: 20 }),
            fc.constant('k'.repeat(10_000)),
          ),
          junk,
        )
        .map(([k, v]) => withOwn({ ...p }, k, v)),
    // Both conversation scopes.
    (p) => fc.tuple(anyId, anyId).map(([roomId, callId]) => ({ ...p, roomId, callId })),
    // The payload wrapped in an array, or nested one level down.
    (p) => fc.constantFrom<unknown>([p], { payload: p }, [p, p]),
  ];

  const malformed = fc
    .constantFrom(...CLIENT_EVENT_NAMES)
    .chain((event) =>
      wellShaped[event].chain((template) =>
        fc
          .oneof(...mutations.map((m) => m(template as Record<string, unknown>)))
          .map((payload) => ({ event, payload: overTheWire(payload) })),
      ),
    )
    // Stay under MAX_HTTP_BUFFER_BYTES: bigger frames close the socket (tested on its own).
    .filter(({ event, payload }) => wireSize(payload) < 100_000 && !isValid(event, payload))
    .map((c) => ({ ...c, wellFormed: false }));

  // Well-formed, but every id names nothing the sender may touch. Events that would act on
  // real state when well-formed (create, presence, join/accept of real things) use unknown ids.
  const safeTemplates = templates(unknownId);
  const wellFormed = fc
    .constantFrom(...CLIENT_EVENT_NAMES.filter((e) => e !== 'room:create' && e !== 'presence:set'))
    .chain((event) => {
      // Signals and host actions aimed at the real room or call from an outsider are refused.
      const arb =
        event.startsWith('webrtc:') || event.startsWith('room:host:') || event === 'room:leave'
          ? fc.oneof(safeTemplates[event], wellShaped[event])
          : safeTemplates[event];
      return arb.map((payload) => ({ event, payload: overTheWire(payload) }));
    })
    .filter(({ event, payload }) => isValid(event, payload))
    .map((c) => ({ ...c, wellFormed: true }));

  return fc
    .tuple(
      fc.oneof({ weight: 4, arbitrary: malformed }, { weight: 1, arbitrary: wellFormed }),
      fc.boolean(),
    )
    .map(([c, withAck]) => ({ ...c, withAck }));
}

/** The one failure code the server must answer a fuzz case with (or a set of them). */
function expectedCodes(c: FuzzCase, authenticated: boolean): ReadonlySet<ErrorCode> {
  if (c.event === 'auth:hello') {
    return new Set([c.wellFormed ? 'UNAUTHENTICATED' : 'VALIDATION_FAILED']);
  }
  if (!authenticated) return new Set(['UNAUTHENTICATED']);
  return c.wellFormed ? NOT_FOUND_LIKE : new Set(['VALIDATION_FAILED']);
}

// ---------------------------------------------------------------------------------------

/**
 * Payloads per fuzz run: ~3,000 in `pnpm test`; `pnpm soak` sets FUZZ_PAYLOADS=100000. Each
 * fast-check run sends 100–120 cases, so runs = payloads / 100 send at least that many.
 */
const FUZZ_PAYLOADS = Number(process.env.FUZZ_PAYLOADS ?? 3000);
const FUZZ_SCALE = Math.max(1, FUZZ_PAYLOADS / 3000);

describe.each(backends)('abuse on %s', (backend) => {
  describe('property-based fuzzing of every client event', () => {
    const server = useTestServer(backend, {
      RATE_EVENTS_PER_SEC: '1000000',
      RATE_EVENTS_BURST: '1000000',
      RATE_SIGNAL_PER_SEC: '1000000',
      RATE_SIGNAL_BURST: '1000000',
      AUTH_TIMEOUT_MS: '600000',
      RING_TIMEOUT_MS: '600000',
    });

    it(
      'answers thousands of malformed payloads with failures and changes nothing',
      async () => {
        const { url } = server;
        // The world the fuzzer must not disturb: a room with two people, an accepted call,
        // a ringing call and a bystander watching presence and the room list.
        const [host, member, caller, callee, ringer, ringee, observer] = await Promise.all(
          ['Host', 'Member', 'Caller', 'Callee', 'Ringer', 'Ringee', 'Observer'].map((n) =>
            signedInClient(url, n),
          ),
        );
        if (!host || !member || !caller || !callee || !ringer || !ringee || !observer) {
          throw new Error('setup');
        }
        const roomId = (await host.request('room:create', { name: 'Fuzzed' })).room.id as string;
        expect((await member.request('room:join', { roomId })).ok).toBe(true);
        const accepted = (await caller.request('call:direct:invite', { toUserId: callee.user.id }))
          .callId as string;
        expect((await callee.request('call:direct:accept', { callId: accepted })).ok).toBe(true);
        const ringing = (await ringer.request('call:direct:invite', { toUserId: ringee.user.id }))
          .callId as string;

        const authed = await Promise.all([1, 2, 3, 4].map((i) => signedInClient(url, `Fuzz${i}`)));
        const anon = [anonymous(url), anonymous(url)];
        await Promise.all(anon.map((c) => c.connected()));
        const sockets = [
          ...authed.map((client) => ({ client, authenticated: true })),
          ...anon.map((client) => ({ client, authenticated: false })),
        ];

        const bystanders = [host, member, caller, callee, ringer, ringee, observer];
        const snapshot = async () => {
          const watcher = await signedInClient(url, 'Watcher');
          const presence = await watcher.next('presence:list', (p) => p.full);
          const rooms = await watcher.next('room:list');
          watcher.close();
          // Its offline delta (no reconnect grace here) is the last thing the setup causes.
          await observer.next('presence:list', (p) =>
            p.users.some((u) => u.userId === watcher.user.id && u.status === 'offline'),
          );
          const room = (await host.request('room:join', { roomId })).room;
          return {
            presence: presence.users
              .filter((u) => u.userId !== watcher.user.id && !u.displayName.startsWith('Watcher'))
              .sort((a, b) => a.userId.localeCompare(b.userId)),
            rooms: rooms.rooms,
            room,
          };
        };
        const before = await snapshot();
        // Let every delta of the setup (and of the first watcher leaving) arrive, then forget them.
        await delivered(server, bystanders);
        for (const b of bystanders) b.clear();
        for (const { client } of sockets) client.clear();

        const arbitrary = fuzzArbitraries({
          roomId,
          callIds: [accepted, ringing],
          userIds: bystanders.map((b) => b.user.id),
        });
        const expectedErrors = new Map<TestClient, { error: number; signal: number }>(
          sockets.map(({ client }) => [client, { error: 0, signal: 0 }]),
        );
        let sent = 0;
        const started = Date.now();

        await fc.assert(
          fc.asyncProperty(
            fc.array(arbitrary, { minLength: 100, maxLength: 120 }),
            async (cases) => {
              const outcomes = await Promise.all(
                cases.map(async (c, i) => {
                  const target = sockets[i % sockets.length];
                  if (!target) throw new Error('no socket');
                  const { client, authenticated } = target;
                  const allowed = expectedCodes(c, authenticated);
                  const args = c.payload === undefined ? [] : [c.payload];
                  sent += 1;
                  const counts = expectedErrors.get(client);
                  if (!counts) throw new Error('unknown socket');
                  // NOT_PEER comes with webrtc:signal:error, acked or not, and never with `error`.
                  const notPeer = authenticated && c.wellFormed && c.event.startsWith('webrtc:');
                  if (notPeer) counts.signal += 1;
                  if (!c.withAck) {
                    if (!notPeer) counts.error += 1;
                    raw(client).emit(c.event, ...args);
                    return null;
                  }
                  const ack = await emitAck(client, c.event, args);
                  if (ack === 'no-ack' || ack.ok || !allowed.has(ack.error.code)) {
                    return { case: c, authenticated, ack, allowed: [...allowed] };
                  }
                  return null;
                }),
              );
              const bad = outcomes.filter((o) => o !== null);
              if (bad.length > 0)
                throw new Error(`unexpected acks: ${JSON.stringify(bad).slice(0, 2000)}`);
            },
          ),
          {
            numRuns: Math.ceil(FUZZ_PAYLOADS / 100),
            endOnFailure: true,
            // The default report prints whole counterexamples (tens of KiB); keep the cause.
            reporter: (details) => {
              if (details.failed) {
                throw new Error(
                  `fuzz failed (seed ${details.seed}): ${String(details.errorInstance)}`,
                );
              }
            },
          },
        );

        // Every un-acked failure came back as exactly one `error` (or signal error) event.
        await waitFor(
          () =>
            sockets.every(({ client }) => {
              const want = expectedErrors.get(client);
              return (
                client.all('error').length === want?.error &&
                client.all('webrtc:signal:error').length === want.signal
              );
            }),
          10_000,
          'error events',
        ).catch((err) => {
          const counts = sockets.map(({ client, authenticated }) => ({
            authenticated,
            want: expectedErrors.get(client),
            got: {
              error: client.all('error').length,
              signal: client.all('webrtc:signal:error').length,
            },
          }));
          throw new Error(`${err}: ${JSON.stringify(counts)}`);
        });
        for (const { client, authenticated } of sockets) {
          for (const e of client.all('error')) {
            expect(['VALIDATION_FAILED', 'UNAUTHENTICATED', ...NOT_FOUND_LIKE]).toContain(e.code);
            expect(CLIENT_EVENT_NAMES).toContain(e.event);
          }
          if (!authenticated) expect(client.all('webrtc:signal:error')).toHaveLength(0);
          // Fuzz sockets are still connected: failures never close a socket.
          expect(client.socket.connected).toBe(true);
        }

        expect(sent).toBeGreaterThan(FUZZ_PAYLOADS * 0.66);
        expect(Date.now() - started).toBeLessThan(20_000 * FUZZ_SCALE);
        console.log(`fuzz (${backend}): ${sent} payloads in ${Date.now() - started} ms`);
        expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();

        // Nothing reached anyone, and the world is as it was.
        await delivered(server, bystanders);
        for (const b of bystanders) {
          const seen = b.received.filter((r) =>
            (STATE_EVENTS as readonly string[]).includes(r.event),
          );
          expect(seen, b.user.displayName).toEqual([]);
        }
        const after = await snapshot();
        expect(after).toEqual(before);

        // The server still serves: health, a new user, and the calls are where they were.
        expect((await health(url)).status).toBe(200);
        const late = await signedInClient(url, 'Late');
        expect((await late.request('room:join', { roomId })).ok).toBe(true);
        expect(
          await caller.request('webrtc:ice', {
            to: callee.user.id,
            callId: accepted,
            candidate: null,
          }),
        ).toEqual({ ok: true });
        expect(await ringee.request('call:direct:accept', { callId: ringing })).toEqual({
          ok: true,
        });

        for (const c of [...bystanders, ...authed, ...anon, late]) c.close();
      },
      60_000 * FUZZ_SCALE,
    );
  });

  describe('with the default limits', () => {
    const server = useTestServer(backend);

    it('rate-limits a flood of ordinary events, then disconnects the abuser', async () => {
      const abuser = await signedInClient(server.url, 'Abuser');
      const bystander = await signedInClient(server.url, 'Bystander');
      const disconnected = new Promise<string>((resolve) =>
        abuser.socket.once('disconnect', (reason) => resolve(reason)),
      );
      // A burst within RATE_EVENTS_BURST (200, auth:hello included) is served in full. The
      // event is one without fan-out, whose per-user budget (RATE_FANOUT_*) would come first.
      const first = await Promise.all(
        Array.from({ length: 190 }, () =>
          emitAck(abuser, 'room:self:mute', [{ roomId: 'no-such-room', muted: true }]),
        ),
      );
      expect(first.every((a) => a !== 'no-ack' && !a.ok && a.error.code === 'ROOM_NOT_FOUND')).toBe(
        true,
      );
      // Then the flood: what refilled is served, the rest is RATE_LIMITED, and the 101st
      // limited event within the window (RATE_ABUSE_DISCONNECT_AFTER=100) closes the socket.
      const codes: string[] = [];
      for (let i = 0; i < 400; i++) {
        abuser.socket.emit(
          'room:self:mute',
          { roomId: 'no-such-room', muted: true },
          (ack: Ack) => {
            codes.push(ack.ok ? 'ok' : ack.error.code);
          },
        );
      }
      expect(await disconnected).toBe('io server disconnect');
      const limited = codes.filter((c) => c === 'RATE_LIMITED').length;
      expect(limited).toBe(101);
      expect(codes.filter((c) => c !== 'RATE_LIMITED' && c !== 'ROOM_NOT_FOUND')).toEqual([]);
      // Served ones are those the 50/s refill allowed while the flood went on.
      expect(codes.length - limited).toBeLessThan(50);

      const text = await metricsText(server.url);
      expect(
        metricValue(text, 'openwcall_rate_limited_total', 'bucket="events"'),
      ).toBeGreaterThanOrEqual(101);
      expect((await health(server.url)).status).toBe(200);
      expect(await bystander.request('presence:set', { status: 'away' })).toEqual({ ok: true });
      // The user is not banned: a fresh socket works.
      const again = new TestClient(server.url, abuser.user, abuser.token);
      await again.authenticate();
      expect((await again.request('room:create', { name: 'Back' })).ok).toBe(true);
      for (const c of [abuser, bystander, again]) c.close();
    }, 30_000);

    it('reports RATE_LIMITED as error events to a flood without acks', async () => {
      const abuser = await signedInClient(server.url, 'Abuser');
      for (let i = 0; i < 260; i++) abuser.send('room:leave', { roomId: 'no-such-room' });
      await waitFor(() => abuser.all('error').length >= 260, 5000, 'errors');
      const errors = abuser.all('error');
      expect(errors.filter((e) => e.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
      expect(errors.every((e) => e.event === 'room:leave')).toBe(true);
      // Under the abuse threshold: limited, not disconnected.
      expect(abuser.socket.connected).toBe(true);
      abuser.close();
    });

    /** Two people in an accepted direct call, or in a room, and how to address one another. */
    async function pair(kind: 'call' | 'room') {
      const a = await signedInClient(server.url, 'A');
      const b = await signedInClient(server.url, 'B');
      if (kind === 'call') {
        const { callId } = await a.request('call:direct:invite', { toUserId: b.user.id });
        expect((await b.request('call:direct:accept', { callId })).ok).toBe(true);
        return { a, b, scope: { callId } as Record<string, string> };
      }
      const roomId = (await a.request('room:create', { name: 'Ice' })).room.id;
      expect((await b.request('room:join', { roomId })).ok).toBe(true);
      return { a, b, scope: { roomId } as Record<string, string> };
    }

    function candidate(i: number) {
      return {
        candidate: `candidate:${i} 1 udp 2122260223 192.168.1.${i % 250} ${50000 + i} typ host`,
        sdpMid: '0',
        sdpMLineIndex: 0,
      };
    }

    it.each(['call', 'room'] as const)(
      'relays a burst of 60 ICE candidates in full during a %s, alongside an events flood',
      async (kind) => {
        const { a, b, scope } = await pair(kind);
        const acks = await Promise.all([
          ...Array.from({ length: 60 }, (_, i) =>
            emitAck(a, 'webrtc:ice', [{ to: b.user.id, ...scope, candidate: candidate(i) }]),
          ),
          // Whatever else the socket sends cannot starve ICE.
          ...Array.from({ length: 240 }, () => emitAck(a, 'presence:set', [{ status: 'online' }])),
        ]);
        const ice = acks.slice(0, 60);
        expect(ice.every((ack) => ack !== 'no-ack' && ack.ok)).toBe(true);
        expect(acks.slice(60).some((ack) => ack !== 'no-ack' && !ack.ok)).toBe(true);
        await waitFor(() => b.all('webrtc:ice').length === 60, 5000, '60 candidates');
        expect(b.all('webrtc:ice').map((p) => p.candidate?.candidate)).toEqual(
          Array.from({ length: 60 }, (_, i) => candidate(i).candidate),
        );
        expect(b.all('webrtc:ice').every((p) => p.from === a.user.id)).toBe(true);
        a.close();
        b.close();
      },
    );

    it('never limits 100 signals/s sustained for 2 s with bursts of 100', async () => {
      const call = await pair('call');
      const room = await pair('room');
      const fire = async (
        { a, b, scope }: Awaited<ReturnType<typeof pair>>,
        schedule: Array<{ at: number; count: number }>,
      ) => {
        const started = Date.now();
        const acks: Array<Promise<Ack | 'no-ack'>> = [];
        let n = 0;
        for (const { at, count } of schedule) {
          await sleep(Math.max(0, started + at - Date.now()));
          for (let i = 0; i < count; i++) {
            acks.push(
              emitAck(a, 'webrtc:ice', [{ to: b.user.id, ...scope, candidate: candidate(n++) }]),
            );
          }
        }
        const results = await Promise.all(acks);
        return { results, b, total: n };
      };
      // Pattern 1: a burst of 100, then a steady 100/s (10 every 100 ms) for 2 s.
      const steady = [
        { at: 0, count: 100 },
        ...Array.from({ length: 20 }, (_, i) => ({ at: 100 * (i + 1), count: 10 })),
      ];
      // Pattern 2: 100 per second delivered as bursts of 100, for 2 s (t = 0, 1, 2 s).
      const bursty = [0, 1000, 2000].map((at) => ({ at, count: 100 }));
      const runs = await Promise.all([fire(call, steady), fire(room, bursty)]);
      for (const { results, b, total } of runs) {
        expect(results.filter((r) => r === 'no-ack' || !r.ok)).toEqual([]);
        await waitFor(() => b.all('webrtc:ice').length === total, 5000, 'all candidates');
      }
      for (const c of [call.a, call.b, room.a, room.b]) c.close();
    }, 20_000);

    it('lets Socket.IO close a socket that sends more than MAX_HTTP_BUFFER_BYTES', async () => {
      const { a, b, scope } = await pair('room');
      const big = 'v'.repeat(200 * 1024);
      const gone = new Promise<string>((resolve) => a.socket.once('disconnect', resolve));
      a.send('webrtc:offer', { to: b.user.id, ...scope, sdp: big });
      expect(await gone).toMatch(/transport (close|error)/);
      expect((await health(server.url)).status).toBe(200);
      // The peer saw nothing but the departure, and the server keeps serving it.
      await b.next('room:participant:left', (p) => p.userId === a.user.id);
      expect(b.all('webrtc:offer')).toEqual([]);
      expect((await b.request('room:create', { name: 'Still here' })).ok).toBe(true);
      b.close();
    });

    it('refuses an SDP over 64 KiB (under the buffer limit) with VALIDATION_FAILED', async () => {
      const { a, b, scope } = await pair('room');
      const tooLong = await a.request('webrtc:offer', {
        to: b.user.id,
        ...scope,
        sdp: 's'.repeat(LIMITS.sdpMax + 1),
      });
      expect(tooLong.ok).toBe(false);
      expect(tooLong.error.code).toBe('VALIDATION_FAILED');
      // The largest allowed SDP goes through.
      const largest = 's'.repeat(LIMITS.sdpMax);
      expect(await a.request('webrtc:offer', { to: b.user.id, ...scope, sdp: largest })).toEqual({
        ok: true,
      });
      const relayed = await b.next('webrtc:offer');
      expect(relayed.sdp.length).toBe(LIMITS.sdpMax);
      expect(b.all('webrtc:offer')).toEqual([]);
      a.close();
      b.close();
    });

    it('refuses signals outside one’s room or accepted call with NOT_PEER', async () => {
      const url = server.url;
      const [a, b, c, d, e, f, g] = await Promise.all(
        ['A', 'B', 'C', 'D', 'E', 'F', 'G'].map((n) => signedInClient(url, n)),
      );
      if (!a || !b || !c || !d || !e || !f || !g) throw new Error('setup');
      const room1 = (await a.request('room:create', { name: 'One' })).room.id as string;
      expect((await b.request('room:join', { roomId: room1 })).ok).toBe(true);
      const room2 = (await c.request('room:create', { name: 'Two' })).room.id as string;
      const { callId: accepted } = await d.request('call:direct:invite', { toUserId: e.user.id });
      expect((await e.request('call:direct:accept', { callId: accepted })).ok).toBe(true);
      const { callId: ringing } = await f.request('call:direct:invite', { toUserId: g.user.id });
      const everyone = [a, b, c, d, e, f, g];
      await sleep(200);
      for (const x of everyone) x.clear();

      const attempts: Array<{ from: TestClient; to: TestClient; scope: Record<string, string> }> = [
        { from: a, to: c, scope: { roomId: room1 } }, // target in another room
        { from: a, to: c, scope: { roomId: room2 } }, // sender not in that room
        { from: a, to: b, scope: { roomId: 'no-such-room' } }, // unknown room
        { from: a, to: d, scope: { callId: accepted } }, // not a party of the call
        { from: d, to: a, scope: { callId: accepted } }, // target not a party
        { from: a, to: b, scope: { callId: 'no-such-call' } }, // unknown call
        { from: f, to: g, scope: { callId: ringing } }, // ringing, not accepted
        { from: g, to: f, scope: { callId: ringing } },
        { from: d, to: e, scope: { roomId: room1 } }, // call peers, wrong scope
      ];
      const bodies = {
        'webrtc:offer': { sdp: 'v=0' },
        'webrtc:answer': { sdp: 'v=0' },
        'webrtc:ice': { candidate: candidate(1) },
      };
      for (const { from, to, scope } of attempts) {
        for (const [event, body] of Object.entries(bodies)) {
          const payload = { to: to.user.id, ...scope, ...body };
          const ack = await from.request(event, payload);
          expect(ack, `${event} ${JSON.stringify(scope)}`).toEqual({
            ok: false,
            error: { code: 'NOT_PEER', message: expect.any(String) },
          });
          expect(await from.next('webrtc:signal:error')).toEqual({
            to: to.user.id,
            code: 'NOT_PEER',
            message: expect.any(String),
          });
          // Without an ack: the signal error, and no `error` event besides.
          from.send(event, payload);
          expect(await from.next('webrtc:signal:error')).toMatchObject({
            to: to.user.id,
            code: 'NOT_PEER',
          });
        }
      }
      // A round trip on every socket so that anything wrongly relayed would have arrived.
      await Promise.all(everyone.map((x) => x.request('presence:set', { status: 'online' })));
      for (const x of everyone) {
        expect(x.all('error'), x.user.displayName).toEqual([]);
        expect(x.all('webrtc:offer')).toEqual([]);
        expect(x.all('webrtc:answer')).toEqual([]);
        expect(x.all('webrtc:ice')).toEqual([]);
      }

      // Non-hosts cannot moderate, and nothing changes.
      const forbidden = [
        ['room:host:mute', { roomId: room1, userId: a.user.id }],
        ['room:host:kick', { roomId: room1, userId: a.user.id }],
        ['room:host:lock', { roomId: room1, locked: true }],
        ['room:host:kick', { roomId: room2, userId: c.user.id }], // not even in that room
      ] as const;
      for (const [event, payload] of forbidden) {
        const ack = await b.request(event, payload);
        expect(ack.ok, event).toBe(false);
        expect(ack.error.code, event).toBe('FORBIDDEN');
      }
      const state = (await a.request('room:join', { roomId: room1 })).room;
      expect(state.locked).toBe(false);
      expect(state.participants.map((p: { muted: boolean }) => p.muted)).toEqual([false, false]);
      expect(a.all('room:host:action')).toEqual([]);
      for (const x of everyone) x.close();
    });

    it('ignores unknown events (no reply) and counts them in /metrics', async () => {
      const client = await signedInClient(server.url, 'Curious');
      const anon = anonymous(server.url);
      await anon.connected();
      const countBefore = metricValue(
        await metricsText(server.url),
        'openwcall_socket_events_total',
        'event="unknown",outcome="ignored"',
      );
      const replies = await Promise.all([
        emitAck(client, 'admin:shutdown', [{}], 300),
        emitAck(client, 'room:destroy', [{ roomId: 'x' }], 300),
        emitAck(anon, 'auth:bypass', [], 300),
      ]);
      expect(replies).toEqual(['no-ack', 'no-ack', 'no-ack']);
      client.send('__proto__', { polluted: true });
      client.send('constructor');
      await sleep(100);
      expect(client.all('error')).toEqual([]);
      expect(anon.all('error')).toEqual([]);
      const countAfter = metricValue(
        await metricsText(server.url),
        'openwcall_socket_events_total',
        'event="unknown",outcome="ignored"',
      );
      expect(countAfter - countBefore).toBe(5);
      expect(client.socket.connected && anon.socket.connected).toBe(true);
      expect(await client.request('presence:set', { status: 'busy' })).toEqual({ ok: true });
      client.close();
      anon.close();
    });

    it('refuses a handshake from a foreign Origin and allows one without Origin', async () => {
      const evil = anonymous(server.url, { origin: 'https://evil.example' });
      await expect(evil.connected()).rejects.toThrow();
      evil.close();
      const web = anonymous(server.url, { origin: 'http://localhost:3000' });
      await web.connected();
      web.close();
      // No Origin (a bot): connects, but needs a token for everything but auth:hello.
      const bot = anonymous(server.url);
      await bot.connected();
      const ack = await bot.request('room:create', { name: 'Bot room' });
      expect(ack.error.code).toBe('UNAUTHENTICATED');
      bot.close();
    });
  });

  describe('with a short auth deadline', () => {
    const server = useTestServer(backend, { AUTH_TIMEOUT_MS: '500' });

    it('disconnects a socket that never authenticates after AUTH_TIMEOUT_MS', async () => {
      const lurker = connect(server.url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      const started = Date.now();
      await new Promise<void>((resolve) => lurker.once('connect', () => resolve()));
      const member = await signedInClient(server.url, 'Member');
      const reason = await new Promise<string>((resolve) => lurker.once('disconnect', resolve));
      const elapsed = Date.now() - started;
      expect(reason).toBe('io server disconnect');
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(3000);
      await sleep(600);
      expect(member.socket.connected).toBe(true);
      member.close();
    });
  });
});
