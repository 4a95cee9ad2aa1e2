import {
  CLIENT_EVENT_NAMES,
  type ClientEventName,
  type ClientToServerEvents,
  clientEventSchemas,
  ERROR_CATALOG,
  type ErrorCode,
  type ParsedClientPayload,
  type PublicUser,
  type RoomSummary,
  type ServerToClientEvents,
} from '@openwcall/shared';
import type { Server, Socket } from 'socket.io';
import type { AccessClaims, AccessTokens } from '../auth/access-token';
import type { Config } from '../config';
import { iceServersFor } from '../ice/ice-servers';
import type { Metrics } from '../metrics/registry';
import { isSignalEvent, SocketRateLimiter } from '../ratelimit/socket-rate-limiter';
import { TokenBucket } from '../ratelimit/token-bucket';
import {
  type ActorEvent,
  type Effect,
  routeOf,
  type SignalEvent,
  type SignalingService,
} from '../signaling';
import { FencedError, StoreUnavailableError } from '../store/store';
import type { AddressCounter } from './address-counter';
import { FanoutBatcher } from './fanout-batcher';
import { quickIce } from './quick-ice';
import { loginChannel } from './socket-closer';

/*
 * The Socket.IO gateway: the only code that knows about sockets. For every client event it
 * rate-limits, checks authentication, parses the payload with the shared schema, hands it
 * to the SignalingService and performs the effects it returns. Failures are acked, or sent
 * as an `error` event when the client passed no acknowledgement callback.
 */

export interface SocketData {
  user?: PublicUser;
  limiter: SocketRateLimiter;
  /** The client address counted against MAX_SOCKETS_PER_IP. */
  address: string;
  authDeadline?: ReturnType<typeof setTimeout>;
  /** The login (access token `sid`) the socket is signed in with. */
  sid?: string | undefined;
  /** Fires when the access token expires without a fresh auth:hello. */
  tokenExpiry?: ReturnType<typeof setTimeout>;
}

export type SignalingServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
type SignalingSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

export interface GatewayDeps {
  io: SignalingServer;
  service: SignalingService;
  tokens: AccessTokens;
  config: Config;
  metrics: Metrics;
  addresses: AddressCounter;
  /** True once the node shuts down: closing sockets then is not their users leaving. */
  draining: () => boolean;
  /**
   * Whether the account may still sign in (and marks it seen). A database failure lets a
   * valid token in: signaling keeps working through a database outage.
   */
  accountState: (
    userId: string,
    sid: string | undefined,
  ) => Promise<'ok' | 'disabled' | 'ended' | 'missing'>;
  log: {
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
}

type AckFn = (response: unknown) => void;
type Outcome = { ok: true; result: object } | { ok: false; code: ErrorCode; message: string };

const KNOWN_EVENTS = new Set<string>(CLIENT_EVENT_NAMES);

/** Client events whose effects go to every authenticated socket (presence, room list). */
const FANOUT_EVENTS = new Set<string>([
  'presence:set',
  'room:create',
  'room:join',
  'room:leave',
  'room:host:lock',
  'room:host:kick',
]);

/** One token bucket per user with sockets on this node, dropped with their last socket. */
class FanoutBudgets {
  private readonly users = new Map<string, { bucket: TokenBucket; sockets: number }>();

  constructor(
    private readonly perSec: number,
    private readonly burst: number,
  ) {}

  hold(userId: string): void {
    const entry = this.users.get(userId);
    if (entry) entry.sockets += 1;
    else
      this.users.set(userId, {
        bucket: new TokenBucket(this.perSec, this.burst, Date.now()),
        sockets: 1,
      });
  }

  release(userId: string): void {
    const entry = this.users.get(userId);
    if (!entry) return;
    entry.sockets -= 1;
    if (entry.sockets <= 0) this.users.delete(userId);
  }

  take(userId: string): boolean {
    return this.users.get(userId)?.bucket.take(Date.now()) ?? true;
  }

  /** A refused event fanned nothing out: its token goes back. */
  refund(userId: string): void {
    this.users.get(userId)?.bucket.refund();
  }
}

const batchers = new WeakMap<SignalingServer, FanoutBatcher>();

/**
 * Gathers this server's broadcasts to every signed-in socket into one per `windowMs`
 * (fanout-batcher.ts); returns the batcher, to flush at shutdown.
 */
export function batchFanout(
  io: SignalingServer,
  windowMs: number,
  roomList: () => Promise<RoomSummary[]>,
  onError: (err: unknown) => void,
): FanoutBatcher {
  const everyone = routeOf({ authenticated: true }).to;
  const batcher = new FanoutBatcher(
    windowMs,
    (to, event, payload) => {
      const target =
        'user' in to
          ? io.to(routeOf({ user: to.user }).to)
          : io.to(everyone).except((to.exceptUsers ?? []).map((user) => routeOf({ user }).to));
      (target.emit as (event: string, payload: unknown) => boolean)(event, payload);
    },
    roomList,
    onError,
  );
  batchers.set(io, batcher);
  return batcher;
}

/**
 * Sends what this server's fan-out has gathered now. Tests call it before a negative assertion
 * ("nobody got X"), then a round trip on each watching socket orders delivery.
 */
export async function flushFanout(io: SignalingServer): Promise<void> {
  await batchers.get(io)?.flush();
}

/** Performs effects in order. Local sockets are moved directly (synchronously); remote ones through the adapter. */
export function performEffects(io: SignalingServer, effects: readonly Effect[]) {
  const batcher = batchers.get(io);
  for (const effect of effects) {
    switch (effect.kind) {
      case 'emit': {
        if (batcher?.add(effect)) break;
        // One socket on this node (every relayed offer, answer and ICE candidate): write to
        // it directly instead of through the adapter's broadcast path.
        if ('socket' in effect.to) {
          const local = io.sockets.sockets.get(effect.to.socket);
          if (local) {
            (local.emit as (event: string, payload: unknown) => boolean)(
              effect.event,
              effect.payload,
            );
            break;
          }
        }
        const { to, except } = routeOf(effect.to);
        const target = except === undefined ? io.to(to) : io.to(to).except(except);
        (target.emit as (event: string, payload: unknown) => boolean)(effect.event, effect.payload);
        break;
      }
      case 'joinChannel': {
        const local = io.sockets.sockets.get(effect.socket);
        if (local) void local.join(effect.channel);
        else io.in(effect.socket).socketsJoin(effect.channel);
        break;
      }
      case 'leaveChannel': {
        const local = io.sockets.sockets.get(effect.socket);
        if (local) void local.leave(effect.channel);
        else io.in(effect.socket).socketsLeave(effect.channel);
        break;
      }
      case 'disconnect': {
        const local = io.sockets.sockets.get(effect.socket);
        if (local) local.disconnect(true);
        else io.in(effect.socket).disconnectSockets(true);
        break;
      }
    }
  }
}

export function attachGateway(deps: GatewayDeps) {
  const { io, service, tokens, config, metrics, log, addresses, draining, accountState } = deps;
  const fanout = new FanoutBudgets(
    config.signaling.rate.fanoutPerSec,
    config.signaling.rate.fanoutBurst,
  );
  const rate = config.signaling.rate;

  io.on('connection', (socket: SignalingSocket) => {
    metrics.connectedSockets.inc();
    socket.data.address = addresses.addressOf(socket.request);
    addresses.opened(socket.data.address);
    socket.data.limiter = new SocketRateLimiter(rate);

    // Cleared once the socket authenticates, so idle sockets hold no timer.
    socket.data.authDeadline = setTimeout(() => {
      if (!socket.data.user) {
        log.info({ socket: socket.id }, 'socket did not authenticate in time');
        socket.disconnect(true);
      }
    }, config.signaling.authTimeoutMs);
    socket.data.authDeadline.unref?.();

    // One shared listener for every event rather than one closure per event and socket
    // (memory per idle socket); unknown names are ignored and counted.
    socket.onAny(onAnyEvent);

    socket.on('disconnect', () => {
      clearTimeout(socket.data.authDeadline);
      clearTimeout(socket.data.tokenExpiry);
      metrics.connectedSockets.dec();
      addresses.closed(socket.data.address);
      if (!socket.data.user) return;
      fanout.release(socket.data.user.id);
      if (draining()) return;
      service.disconnected(socket.id).then(
        (res) => performEffects(io, res.effects),
        (err) => log.error({ err, socket: socket.id }, 'disconnect handling failed'),
      );
    });
  });

  // The hot path runs for every ICE candidate: no closures or label objects per event.
  // Metric children are bound once per (event, outcome) instead of hashing labels each time.
  const eventCounters = new Map<string, { inc(): void }>();
  const countEvent = (event: string, outcome: string) => {
    const key = `${event}\u0000${outcome}`;
    let counter = eventCounters.get(key);
    if (!counter) {
      counter = metrics.events.labels(event, outcome);
      eventCounters.set(key, counter);
    }
    counter.inc();
  };
  const relayTimers = new Map<string, { observe(seconds: number): void }>();
  const observeRelay = (event: string, seconds: number) => {
    let histogram = relayTimers.get(event);
    if (!histogram) {
      histogram = metrics.relayLatency.labels(event);
      relayTimers.set(event, histogram);
    }
    histogram.observe(seconds);
  };

  function succeed(event: ClientEventName, ack: AckFn | undefined, result: object) {
    countEvent(event, 'ok');
    ack?.({ ok: true, ...result });
  }

  function fail(
    socket: SignalingSocket,
    event: ClientEventName,
    ack: AckFn | undefined,
    code: ErrorCode,
    message: string = ERROR_CATALOG[code].message,
  ) {
    countEvent(event, code);
    const error = { code, message };
    if (ack) ack({ ok: false, error });
    // NOT_PEER (and PEER_UNREACHABLE) are reported by webrtc:signal:error alone (PROTOCOL.md).
    else if (code !== 'NOT_PEER' && code !== 'PEER_UNREACHABLE')
      socket.emit('error', { ...error, event });
  }

  function reply(
    socket: SignalingSocket,
    event: ClientEventName,
    ack: AckFn | undefined,
    outcome: Outcome,
  ) {
    if (outcome.ok) succeed(event, ack, outcome.result);
    else fail(socket, event, ack, outcome.code, outcome.message);
  }

  function onAnyEvent(this: SignalingSocket, event: string, ...args: unknown[]) {
    if (KNOWN_EVENTS.has(event)) void onEvent(this, event as ClientEventName, args);
    else countEvent('unknown', 'ignored');
  }

  async function onEvent(socket: SignalingSocket, event: ClientEventName, args: unknown[]) {
    const started = performance.now();
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as AckFn) : undefined;
    const payload = ack ? (args.length > 1 ? args[0] : undefined) : args[0];

    const verdict = socket.data.limiter.check(event);
    if (verdict !== 'allow') {
      metrics.rateLimited.inc({ bucket: isSignalEvent(event) ? 'signal' : 'events' });
      fail(socket, event, ack, 'RATE_LIMITED');
      if (verdict === 'disconnect') {
        log.warn(
          { socket: socket.id, userId: socket.data.user?.id, event },
          'rate abuse: disconnecting',
        );
        socket.disconnect(true);
      }
      return;
    }

    try {
      if (isSignalEvent(event))
        return await onSignal(socket, event as SignalEvent, ack, payload, started);
      const parsed = clientEventSchemas[event].payload.safeParse(payload);
      if (event === 'auth:hello') {
        if (!parsed.success)
          return fail(socket, event, ack, 'VALIDATION_FAILED', describe(parsed.error));
        return reply(
          socket,
          event,
          ack,
          await authenticate(socket, parsed.data as ParsedClientPayload<'auth:hello'>),
        );
      }
      const user = socket.data.user;
      if (!user) return fail(socket, event, ack, 'UNAUTHENTICATED');
      if (!parsed.success)
        return fail(socket, event, ack, 'VALIDATION_FAILED', describe(parsed.error));

      // Events whose result reaches every signed-in socket share one budget per user, so
      // many sockets of one account cannot multiply the fan-out. The token is taken up front
      // (concurrent events cannot overdraw it) and given back when the event is refused.
      if (FANOUT_EVENTS.has(event) && !fanout.take(user.id)) {
        metrics.rateLimited.inc({ bucket: 'fanout' });
        return fail(socket, event, ack, 'RATE_LIMITED');
      }
      const actor = { userId: user.id, socketId: socket.id };
      const result = await service.handle(event as ActorEvent, actor, parsed.data as never);
      if (!result.ok && FANOUT_EVENTS.has(event)) fanout.refund(user.id);
      if (result.ok) {
        succeed(event, ack, result.result as object);
        performEffects(io, result.effects);
      } else {
        performEffects(io, result.effects);
        fail(socket, event, ack, result.code, result.message);
      }
    } catch (err) {
      if (err instanceof StoreUnavailableError || err instanceof FencedError) {
        log.warn({ err: err.message, event }, 'shared state unavailable');
        return fail(socket, event, ack, 'UNAVAILABLE');
      }
      log.error({ err, event, socket: socket.id }, 'event handler failed');
      fail(socket, event, ack, 'INTERNAL');
    }
  }

  /**
   * `webrtc:*`, the hot path: the same checks in the same order as every other event
   * (rate limit done, then authentication, then the schema), with the ordinary ICE shape
   * checked without zod (quick-ice.ts) and the relay called directly.
   */
  async function onSignal(
    socket: SignalingSocket,
    event: SignalEvent,
    ack: AckFn | undefined,
    payload: unknown,
    started: number,
  ) {
    const user = socket.data.user;
    if (!user) return fail(socket, event, ack, 'UNAUTHENTICATED');
    let signal: ParsedClientPayload<SignalEvent> | null =
      event === 'webrtc:ice' ? quickIce(payload) : null;
    if (!signal) {
      const parsed = clientEventSchemas[event].payload.safeParse(payload);
      if (!parsed.success)
        return fail(socket, event, ack, 'VALIDATION_FAILED', describe(parsed.error));
      signal = parsed.data as ParsedClientPayload<SignalEvent>;
    }
    const actor = { userId: user.id, socketId: socket.id };
    const result = await service.handle(event, actor, signal as never);
    performEffects(io, result.effects);
    if (result.ok) succeed(event, ack, result.result);
    else fail(socket, event, ack, result.code, result.message);
    observeRelay(event, (performance.now() - started) / 1000);
  }

  /** Closes the socket when its access token runs out; a later auth:hello moves the deadline. */
  function watchExpiry(socket: SignalingSocket, expiresAt: number) {
    clearTimeout(socket.data.tokenExpiry);
    // setTimeout holds at most ~24.8 days; tokens live at most a day (ACCESS_TOKEN_TTL_SECONDS).
    const delay = Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1);
    socket.data.tokenExpiry = setTimeout(() => {
      log.info({ socket: socket.id, userId: socket.data.user?.id }, 'socket token expired');
      socket.emit('error', {
        code: 'UNAUTHENTICATED',
        message: 'Your access token expired; send auth:hello with a fresh one.',
      });
      socket.disconnect(true);
    }, delay);
    socket.data.tokenExpiry.unref?.();
  }

  function joinLogin(socket: SignalingSocket, sid: string | undefined) {
    if (socket.data.sid === sid) return;
    if (socket.data.sid) void socket.leave(loginChannel(socket.data.sid));
    socket.data.sid = sid;
    if (sid) void socket.join(loginChannel(sid));
  }

  async function checkAccount(
    userId: string,
    sid: string | undefined,
  ): Promise<{ ok: false; code: ErrorCode; message: string } | null> {
    let state: Awaited<ReturnType<typeof accountState>>;
    try {
      state = await accountState(userId, sid);
    } catch (err) {
      log.warn({ err, userId }, 'account check failed; admitting the valid token');
      return null;
    }
    if (state === 'ended') {
      return { ok: false, code: 'UNAUTHENTICATED', message: 'This login was signed out.' };
    }
    if (state === 'disabled') {
      return {
        ok: false,
        code: 'ACCOUNT_DISABLED',
        message: ERROR_CATALOG.ACCOUNT_DISABLED.message,
      };
    }
    // 'missing' is admitted: the token is ours and short-lived, and accounts are disabled,
    // never deleted, by this server (benchmarks sign tokens for users not in the database).
    return null;
  }

  async function authenticate(
    socket: SignalingSocket,
    { token, replaces }: ParsedClientPayload<'auth:hello'>,
  ): Promise<Outcome> {
    let claims: AccessClaims;
    try {
      claims = await tokens.claims(token);
    } catch {
      return { ok: false, code: 'UNAUTHENTICATED', message: 'Invalid or expired token.' };
    }
    const { user } = claims;
    if (socket.data.user) {
      if (socket.data.user.id !== user.id) {
        return {
          ok: false,
          code: 'FORBIDDEN',
          message: 'This connection belongs to another user.',
        };
      }
      const refused = await checkAccount(user.id, claims.sid);
      if (refused) {
        socket.emit('error', { code: refused.code, message: refused.message });
        socket.disconnect(true);
        return refused;
      }
      joinLogin(socket, claims.sid);
      watchExpiry(socket, claims.expiresAt);
      return { ok: true, result: { user, iceServers: iceServersFor(user.id, config.ice) } };
    }
    const refused = await checkAccount(user.id, claims.sid);
    if (refused) return refused;
    if (socket.disconnected)
      return { ok: false, code: 'UNAUTHENTICATED', message: 'Disconnected.' };
    if (replaces !== undefined && replaces !== socket.id) {
      performEffects(io, (await service.replaced(user.id, replaces)).effects);
    }
    socket.data.user = user;
    let result: Awaited<ReturnType<SignalingService['authenticated']>>;
    try {
      result = await service.authenticated(user.id, user.displayName, socket.id);
    } catch (err) {
      socket.data.user = undefined;
      throw err;
    }
    if (!result.ok) {
      socket.data.user = undefined;
      return { ok: false, code: result.code, message: result.message };
    }
    clearTimeout(socket.data.authDeadline);
    joinLogin(socket, claims.sid);
    watchExpiry(socket, claims.expiresAt);
    fanout.hold(user.id);
    const iceServers = iceServersFor(user.id, config.ice);
    socket.emit('auth:ok', {
      user,
      iceServers,
      maxRoomParticipants: config.signaling.maxRoomParticipants,
    });
    performEffects(io, result.effects);
    return { ok: true, result: { user, iceServers } };
  }
}

function describe(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return ERROR_CATALOG.VALIDATION_FAILED.message;
  const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  return `${where}${issue.message}`;
}
