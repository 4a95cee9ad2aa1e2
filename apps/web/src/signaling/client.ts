import {
  AckFailSchema,
  ClientEvent,
  type ClientEventName,
  type ClientPayload,
  type ClientResult,
  clientEventSchemas,
  type IceServer,
  type PublicUser,
  SERVER_EVENT_NAMES,
  type ServerEventName,
  type ServerPayload,
  serverEventSchemas,
} from '@openwcall/shared';
import type { z } from 'zod';
import { AppError, toAppError } from '../base/errors';
import { ExternalStore } from '../base/external-store';
import { type Logger, silentLogger } from '../base/logger';
import { createBackoffPolicy, type ReconnectPolicy } from '../rtc';
import type { SocketLike } from './socket';

export type SignalingStatus =
  | 'idle'
  | 'connecting'
  | 'authenticating'
  | 'ready'
  | 'reconnecting'
  | 'closed';

export interface SignalingSnapshot {
  readonly status: SignalingStatus;
  /** Reconnect attempts since the connection was lost. */
  readonly attempt: number;
  readonly user: PublicUser | null;
  readonly iceServers: readonly IceServer[];
  readonly maxRoomParticipants: number;
}

export interface ReadyInfo {
  readonly user: PublicUser;
  readonly iceServers: readonly IceServer[];
  /** True when this is a reconnect: the server re-sends room:joined / call:direct:state. */
  readonly resumed: boolean;
  /**
   * `webrtc:*` signals made while offline that were too old or too many to send after the
   * reconnect: some negotiation lost its message, so the owner restarts ICE.
   */
  readonly droppedSignals: number;
}

export interface SignalingClientOptions {
  readonly createSocket: () => SocketLike;
  /** A valid access token for `auth:hello`. */
  readonly getToken: () => Promise<string>;
  /** A new access token, after the server refused the last one. */
  readonly refreshToken: () => Promise<string>;
  /** The server refused even a fresh token, or ended the login: it is gone. */
  readonly onAuthFailed: (error: AppError) => void;
  /**
   * Every new access token; an authenticated socket presents it with `auth:hello` again, so
   * the server never sees this socket's token expire (ACCOUNTS-API.md "Socket closing").
   */
  readonly subscribeToken?: (listener: (token: string) => void) => () => void;
  readonly policy?: ReconnectPolicy;
  readonly ackTimeoutMs?: number;
  /** Signals older than this when the connection comes back are dropped, not sent. */
  readonly outboxMaxAgeMs?: number;
  readonly logger?: Logger;
}

// A restart's offer or answer and its candidates are a handful of signals per peer; a full room
// of five peers fits many times over, and a long outage cannot grow memory without bound.
const OUTBOX_LIMIT = 128;

type WebrtcEvent =
  | typeof ClientEvent.WebrtcOffer
  | typeof ClientEvent.WebrtcAnswer
  | typeof ClientEvent.WebrtcIce;

/**
 * Socket.IO reconnects forever, but never in lockstep: 0, ~0.5, ~1, ~2 … s plus up to a
 * second of jitter, at most 10 s apart (the engine's backoff policy with open-ended limits).
 */
export const signalingReconnectPolicy: ReconnectPolicy = createBackoffPolicy({
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  jitterMs: 1_000,
  maxAttempts: Number.POSITIVE_INFINITY,
  maxElapsedMs: Number.POSITIVE_INFINITY,
});

interface Pending {
  readonly reject: (error: AppError) => void;
}

interface Queued {
  readonly event: WebrtcEvent;
  readonly payload: ClientPayload<WebrtcEvent>;
  readonly at: number;
}

/**
 * The typed, validated Socket.IO connection to the server: authenticates with `auth:hello`
 * on every (re)connect, parses each server event with the shared zod schemas, turns acks into
 * promises with timeouts, and reconnects with backoff and jitter after a loss.
 */
export class SignalingClient extends ExternalStore<SignalingSnapshot> {
  private readonly options: SignalingClientOptions;
  private readonly log: Logger;
  private readonly policy: ReconnectPolicy;
  private readonly ackTimeoutMs: number;
  private readonly socket: SocketLike;
  private readonly listeners = new Map<ServerEventName, Set<(payload: never) => void>>();
  private readonly readyListeners = new Set<(info: ReadyInfo) => void>();
  private readonly pending = new Set<Pending>();
  private readonly socketHandlers: Array<[string, (...args: unknown[]) => void]> = [];
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private lostAt: number | null = null;
  private everReady = false;
  /** `webrtc:*` made while offline, sent in order once authenticated again. */
  private outbox: Queued[] = [];
  private droppedSignals = 0;
  private holdUntil = 0;
  /** Bumped on every connect, so a stale authentication cannot finish after a newer one. */
  private generation = 0;
  /** Set while checking whether a login the server closed is still alive (see onServerError). */
  private rechecking: Promise<boolean> | null = null;
  private readonly unsubscribeToken: () => void;
  /** The socket id of the last authenticated connection, sent as `replaces` on the next. */
  private previousSocketId: string | undefined;
  private probing = false;
  private iceRefreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: SignalingClientOptions) {
    super({ status: 'idle', attempt: 0, user: null, iceServers: [], maxRoomParticipants: 6 });
    this.options = options;
    this.log = options.logger ?? silentLogger;
    this.policy = options.policy ?? signalingReconnectPolicy;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.socket = options.createSocket();

    this.listen('connect', () => {
      void this.authenticate();
    });
    this.listen('disconnect', (reason) => this.onLost(String(reason)));
    this.listen('connect_error', (error) =>
      this.onLost(`connect error: ${error instanceof Error ? error.message : String(error)}`),
    );
    for (const event of SERVER_EVENT_NAMES) {
      this.listen(event, (raw) => this.dispatch(event, raw));
    }
    this.on('error', (payload) => {
      if (payload.code === 'UNAUTHENTICATED' || payload.code === 'ACCOUNT_DISABLED') {
        this.onLoginEnded(new AppError(payload.code, payload.message));
      }
    });
    this.unsubscribeToken =
      options.subscribeToken?.((token) => this.reauthenticate(token)) ?? (() => {});
  }

  get status(): SignalingStatus {
    return this.getSnapshot().status;
  }

  start(): void {
    if (this.status !== 'idle') return;
    this.transition('connecting', 'start');
    this.socket.connect();
  }

  /** Subscribes to a server event; payloads that fail the shared schema never get here. */
  on<E extends ServerEventName>(
    event: E,
    listener: (payload: ServerPayload<E>) => void,
  ): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => {
      set.delete(listener as (payload: never) => void);
    };
  }

  /** Called after every successful `auth:hello` (first connect and each reconnect). */
  onReady(listener: (info: ReadyInfo) => void): () => void {
    this.readyListeners.add(listener);
    return () => {
      this.readyListeners.delete(listener);
    };
  }

  /**
   * Emits a client event and resolves with its acknowledged result; rejects with an AppError
   * carrying the server's code, TIMEOUT, or OFFLINE when not connected and authenticated.
   */
  request<E extends ClientEventName>(
    event: E,
    payload: ClientPayload<E>,
    timeoutMs = this.ackTimeoutMs,
  ): Promise<ClientResult<E>> {
    if (this.status !== 'ready') return Promise.reject(new AppError('OFFLINE'));
    return this.emitWithAck(event, payload, timeoutMs);
  }

  /**
   * Fire-and-forget for `webrtc:*`. While offline the signal waits in a bounded outbox and goes
   * out after the next `auth:hello`; what overflows or grows too old is dropped and reported
   * in ReadyInfo.droppedSignals, so the engine restarts ICE instead of waiting on it.
   */
  signal<E extends WebrtcEvent>(event: E, payload: ClientPayload<E>): void {
    this.sendSignal({ event, payload, at: Date.now() });
  }

  private sendSignal(queued: Queued): void {
    if (this.status === 'closed') return;
    if (this.status !== 'ready') {
      if (this.outbox.length >= OUTBOX_LIMIT) {
        this.outbox.shift();
        this.droppedSignals += 1;
      }
      this.outbox.push(queued);
      return;
    }
    const { event, payload } = queued;
    this.emitWithAck(event, payload, this.ackTimeoutMs).catch((error: unknown) => {
      const appError = toAppError(error);
      // Lost with the connection before the server acknowledged it: send it again after the
      // reconnect (a signal that did arrive twice is harmless to the negotiation).
      if (appError.code === 'OFFLINE') this.sendSignal(queued);
      else this.log.warn('signal not relayed', { event, error: appError.code });
    });
  }

  /** Sends what waited in the outbox; returns how many signals were lost meanwhile. */
  private flushOutbox(): number {
    const maxAge = this.options.outboxMaxAgeMs ?? 10_000;
    const now = Date.now();
    const queued = this.outbox.splice(0);
    let dropped = this.droppedSignals;
    this.droppedSignals = 0;
    for (const entry of queued) {
      if (now - entry.at > maxAge) dropped += 1;
      else this.sendSignal(entry);
    }
    if (dropped > 0) this.log.info('signals lost while offline', { dropped });
    return dropped;
  }

  /**
   * Closes the connection now and reconnects no sooner than `ms` from now: another tab takes
   * over the call this socket carried, and the server only moves it to a socket that comes
   * while ours is gone.
   */
  reconnectLater(ms: number): void {
    if (this.status === 'closed') return;
    this.holdUntil = Date.now() + ms;
    this.socket.disconnect();
    // socket.io emits no 'disconnect' for a socket that was not connected.
    if (this.reconnectTimer === null) this.onLost('handed over to another tab');
  }

  /** Test hook: loses the transport the way a network drop does; the client reconnects. */
  dropConnection(): void {
    this.socket.dropTransport();
  }

  close(): void {
    if (this.status === 'closed') return;
    this.transition('closed', 'close');
    this.unsubscribeToken();
    this.clearReconnectTimer();
    this.clearIceRefresh();
    this.outbox = [];
    this.rejectPending(new AppError('OFFLINE'));
    for (const [event, handler] of this.socketHandlers) this.socket.off(event, handler);
    this.socket.disconnect();
    this.listeners.clear();
    this.readyListeners.clear();
  }

  private listen(event: string, handler: (...args: unknown[]) => void): void {
    this.socketHandlers.push([event, handler]);
    this.socket.on(event, handler);
  }

  // The single place the status changes; logs `from -> to`.
  private transition(to: SignalingStatus, reason: string, patch: Partial<SignalingSnapshot> = {}) {
    const from = this.status;
    if (from === 'closed') return;
    if (from !== to) this.log.info(`signaling: ${from} -> ${to}`, { reason });
    this.setState((previous) => ({ ...previous, ...patch, status: to }));
  }

  private dispatch(event: ServerEventName, raw: unknown): void {
    const set = this.listeners.get(event);
    const parsed = serverEventSchemas[event].safeParse(raw);
    if (!parsed.success) {
      this.log.warn('dropping a malformed server event', { event, issues: parsed.error.issues });
      return;
    }
    if (event === 'auth:ok') {
      const data = parsed.data as ServerPayload<'auth:ok'>;
      this.setState((previous) => ({ ...previous, maxRoomParticipants: data.maxRoomParticipants }));
    }
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (payload: unknown) => void)(parsed.data);
      } catch (error) {
        this.log.warn('a listener threw', { event, error });
      }
    }
  }

  private emitWithAck<E extends ClientEventName>(
    event: E,
    payload: ClientPayload<E>,
    timeoutMs: number,
  ): Promise<ClientResult<E>> {
    return new Promise<ClientResult<E>>((resolve, reject) => {
      const entry: Pending = { reject };
      let timer: ReturnType<typeof setTimeout> | null = null;
      const finish = () => {
        if (timer !== null) clearTimeout(timer);
        this.pending.delete(entry);
      };
      timer = setTimeout(() => {
        finish();
        reject(new AppError('TIMEOUT'));
      }, timeoutMs);
      this.pending.add(entry);
      this.socket.emit(event, payload, (response: unknown) => {
        if (!this.pending.has(entry)) return;
        finish();
        const failure = AckFailSchema.safeParse(response);
        if (failure.success) {
          reject(new AppError(failure.data.error.code, failure.data.error.message));
          return;
        }
        // Result schemas are non-strict objects: parsing drops the `ok: true` marker.
        const result = (clientEventSchemas[event].result as z.ZodType).safeParse(response);
        if (!result.success || (response as { ok?: unknown }).ok !== true) {
          reject(new AppError('INTERNAL', `Malformed acknowledgement of ${event}.`));
          return;
        }
        resolve(result.data as ClientResult<E>);
      });
    });
  }

  private async authenticate(): Promise<void> {
    const generation = ++this.generation;
    this.transition('authenticating', 'connected');
    let refreshed = false;
    for (;;) {
      let token: string;
      try {
        token = refreshed ? await this.options.refreshToken() : await this.options.getToken();
      } catch (error) {
        this.fail(generation, toAppError(error));
        return;
      }
      if (this.isStale(generation)) return;
      try {
        const replaces = this.previousSocketId;
        const hello = replaces === undefined ? { token } : { token, replaces };
        const result = await this.emitWithAck(ClientEvent.AuthHello, hello, this.ackTimeoutMs);
        if (this.isStale(generation)) return;
        this.previousSocketId = this.socket.id;
        const resumed = this.everReady;
        this.everReady = true;
        this.lostAt = null;
        this.transition('ready', resumed ? 're-authenticated' : 'authenticated', {
          attempt: 0,
          user: result.user,
          iceServers: result.iceServers,
        });
        this.scheduleIceRefresh(result.iceServers);
        const droppedSignals = this.flushOutbox();
        for (const listener of [...this.readyListeners]) {
          listener({ user: result.user, iceServers: result.iceServers, resumed, droppedSignals });
        }
        return;
      } catch (error) {
        const appError = toAppError(error);
        if (appError.code === 'UNAUTHENTICATED' && !refreshed) {
          refreshed = true;
          continue;
        }
        this.fail(generation, appError);
        return;
      }
    }
  }

  /**
   * Media to a peer was lost (a network change, say): is this socket still alive? A TCP
   * connection whose address went away looks open until Socket.IO's ping timeout (~45 s), and
   * every ICE restart offer would wait in it. Answered by an `auth:hello` again (idempotent;
   * it also brings fresh TURN credentials for that restart); unanswered within `timeoutMs`,
   * with nothing else from the server meanwhile, the transport is dropped and the client
   * reconnects at once.
   */
  async checkAlive(timeoutMs = 750): Promise<void> {
    if (this.status !== 'ready' || this.probing) return;
    this.probing = true;
    try {
      const token = await this.options.getToken();
      const generation = this.generation;
      const started = Date.now();
      const framesBefore = this.socket.framesReceived;
      await this.hello(token, timeoutMs).catch(async (error: unknown) => {
        if (this.isStale(generation) || toAppError(error).code !== 'TIMEOUT') return;
        // A page starved of CPU (six people joining on a small machine) runs this timer late,
        // with the server's frames still queued behind it, and a busy server answers late: a
        // live socket closed here would cost its seat's grace and restart every connection.
        // So the frames queued meanwhile are handled first (for as long as the timer was late,
        // at least 100 ms), and anything from the server since the probe began proves the
        // socket alive. A dead TCP connection delivers nothing.
        const late = Date.now() - started - timeoutMs;
        await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 100 + late)));
        if (this.isStale(generation)) return;
        if (this.socket.framesReceived > framesBefore) {
          this.log.info('the signaling connection is slow, not gone', { timeoutMs });
          return;
        }
        this.log.info('the signaling connection does not answer; reconnecting', { timeoutMs });
        this.socket.dropTransport();
      });
    } catch (error) {
      this.log.warn('could not check the signaling connection', { error });
    } finally {
      this.probing = false;
    }
  }

  /** A fresh token for a socket already signed in: the same `auth:hello` again (idempotent). */
  private reauthenticate(token: string): void {
    void this.hello(token, this.ackTimeoutMs).catch(() => {});
  }

  /**
   * `auth:hello` on the authenticated socket; its answer carries fresh iceServers (TURN
   * credentials expire), which the snapshot takes so the next ICE restart uses them.
   */
  private async hello(token: string, timeoutMs: number): Promise<void> {
    if (this.status !== 'ready') return;
    const generation = this.generation;
    try {
      const result = await this.emitWithAck(ClientEvent.AuthHello, { token }, timeoutMs);
      if (this.isStale(generation)) return;
      this.setState((previous) => ({ ...previous, iceServers: result.iceServers }));
      this.scheduleIceRefresh(result.iceServers);
    } catch (error) {
      if (this.isStale(generation)) throw error;
      const appError = toAppError(error);
      if (appError.code !== 'TIMEOUT') {
        this.log.warn('re-authentication refused', { code: appError.code });
      }
      if (appError.code === 'UNAUTHENTICATED' || appError.code === 'ACCOUNT_DISABLED') {
        this.onLoginEnded(appError);
      }
      throw error;
    }
  }

  /**
   * The server tells a socket why before it closes it: the account was disabled (final), or
   * the login ended or its token expired. Only a refresh tells those two apart: a revoked
   * login cannot refresh, so the person is signed out; an expired token gets a new one and the
   * socket reconnects with it at once.
   */
  private onLoginEnded(error: AppError): void {
    if (this.status === 'closed' || this.rechecking) return;
    if (error.code === 'ACCOUNT_DISABLED') {
      this.log.warn('the server ended this login', { code: error.code });
      this.options.onAuthFailed(error);
      this.close();
      return;
    }
    this.generation += 1;
    this.transition('authenticating', 'server ended the login; checking it');
    const recheck = this.options.refreshToken().then(
      () => true,
      (refreshError: unknown) => {
        const appError = toAppError(refreshError);
        if (appError.code === 'UNAUTHENTICATED' || appError.code === 'ACCOUNT_DISABLED') {
          this.options.onAuthFailed(appError);
          this.close();
        }
        return this.status !== 'closed';
      },
    );
    this.rechecking = recheck;
    void recheck.then((alive) => {
      this.rechecking = null;
      if (!alive || this.status === 'closed') return;
      if (this.socket.connected) {
        // The server did not close the socket after all: just present the new token.
        void this.authenticate();
      } else if (this.reconnectTimer === null) {
        this.socket.connect();
      }
    });
  }

  // A method, so TypeScript does not keep a narrowed status across awaits.
  private isStale(generation: number): boolean {
    return generation !== this.generation || this.status === 'closed';
  }

  private fail(generation: number, error: AppError): void {
    if (this.isStale(generation)) return;
    if (error.code === 'UNAUTHENTICATED' || error.code === 'ACCOUNT_DISABLED') {
      this.log.warn('the server refused our token', {});
      this.options.onAuthFailed(error);
      this.close();
      return;
    }
    // A timeout or network error: drop this connection and try again later.
    this.log.warn('authentication failed; retrying', { code: error.code });
    this.socket.disconnect();
    this.onLost(`auth failed: ${error.code}`);
  }

  private onLost(reason: string): void {
    if (this.status === 'closed') return;
    this.generation += 1;
    // The next authentication brings fresh credentials and schedules their refresh.
    this.clearIceRefresh();
    this.socket.clearSendBuffer();
    this.rejectPending(new AppError('OFFLINE'));
    // onLoginEnded reconnects (or signs out) once it knows whether the login is alive.
    if (this.reconnectTimer !== null || this.rechecking) return;
    this.lostAt ??= Date.now();
    const attempt = this.getSnapshot().attempt;
    const policyDelay = this.policy.nextDelay({ attempt, elapsedMs: Date.now() - this.lostAt });
    const delay = policyDelay === null ? null : Math.max(policyDelay, this.holdUntil - Date.now());
    if (delay === null) {
      this.transition('closed', `${reason}; gave up`);
      return;
    }
    this.transition(this.everReady ? 'reconnecting' : 'connecting', reason, {
      attempt: attempt + 1,
    });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.status === 'closed') return;
      this.socket.connect();
    }, delay);
  }

  private rejectPending(error: AppError): void {
    for (const entry of [...this.pending]) entry.reject(error);
    this.pending.clear();
  }

  /**
   * TURN credentials are asked for again once three quarters of their life has passed (the
   * answer to the same `auth:hello` carries new ones), so a long call's next ICE restart never
   * gathers with expired ones, whatever the server's token and TURN lifetimes are.
   */
  private scheduleIceRefresh(iceServers: readonly IceServer[]): void {
    this.clearIceRefresh();
    const expiresAt = turnCredentialsExpireAt(iceServers);
    if (expiresAt === null) return;
    this.iceRefreshTimer = setTimeout(
      () => void this.refreshIceServers(),
      iceRefreshDelay(expiresAt, Date.now()),
    );
  }

  /** The same `auth:hello` again; its answer (in `hello`) takes and reschedules the servers. */
  private async refreshIceServers(): Promise<void> {
    this.iceRefreshTimer = null;
    try {
      await this.hello(await this.options.getToken(), this.ackTimeoutMs);
    } catch {
      // Refused or timed out: a socket loss or the next token refresh asks again; until then
      // retry, so a short outage does not leave the call with expired credentials.
      if (this.status !== 'ready' || this.iceRefreshTimer !== null) return;
      this.iceRefreshTimer = setTimeout(
        () => this.scheduleIceRefresh(this.getSnapshot().iceServers),
        ICE_REFRESH_MIN_MS,
      );
    }
  }

  private clearIceRefresh(): void {
    if (this.iceRefreshTimer !== null) clearTimeout(this.iceRefreshTimer);
    this.iceRefreshTimer = null;
  }

  private clearReconnectTimer(): void {
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}

/** Never sooner than this: a clock far ahead of the server's cannot make a refresh loop. */
export const ICE_REFRESH_MIN_MS = 5_000;
// setTimeout holds at most ~24.8 days.
const ICE_REFRESH_MAX_MS = 2 ** 31 - 1;

/**
 * When the earliest TURN credentials expire (ms), from coturn's REST convention the server
 * follows (username `<expiry unix seconds>:<user id>`); null without such credentials.
 */
export function turnCredentialsExpireAt(iceServers: readonly IceServer[]): number | null {
  let earliest: number | null = null;
  for (const server of iceServers) {
    const match = /^(\d{9,12}):/.exec(server.username ?? '');
    if (!match) continue;
    const at = Number(match[1]) * 1000;
    if (earliest === null || at < earliest) earliest = at;
  }
  return earliest;
}

/** Three quarters of the remaining life, within [ICE_REFRESH_MIN_MS, what a timer holds]. */
export function iceRefreshDelay(expiresAt: number, now: number): number {
  return Math.min(ICE_REFRESH_MAX_MS, Math.max(ICE_REFRESH_MIN_MS, (expiresAt - now) * 0.75));
}
