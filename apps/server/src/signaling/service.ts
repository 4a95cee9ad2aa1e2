import type {
  ClientEventName,
  ClientResult,
  ParsedClientPayload,
  PublicUser,
} from '@openwcall/shared';
import type { CallOutcome } from '../calls/call';
import type { StoreCounts } from '../store/store';
import type { Actor } from './actor';
import * as calls from './call-ops';
import { type SignalingConfig, SignalingCore, type SignalingServiceOptions } from './core';
import { authorizeSignal, relaySignal, type SignalRoute, type SignalScope } from './relay';
import { type Empty, fail, ok, type Result } from './result';
import * as rooms from './room-ops';
import * as sessions from './session-ops';

/** Client events the service handles for an authenticated socket (`auth:hello` is the gateway's). */
export type ActorEvent = Exclude<ClientEventName, 'auth:hello'>;

type Handler<E extends ActorEvent> = (
  core: SignalingCore,
  actor: Actor,
  payload: ParsedClientPayload<E>,
) => Promise<Result<ClientResult<E>>>;

/** One use case per client event; each lives beside the record it changes. */
const HANDLERS: { [E in ActorEvent]: Handler<E> } = {
  'presence:set': sessions.setPresence,
  'room:create': rooms.createRoom,
  'room:join': rooms.joinRoom,
  'room:leave': rooms.leaveRoom,
  'room:self:mute': rooms.selfMute,
  'room:self:deafen': rooms.selfDeafen,
  'room:host:mute': rooms.hostMute,
  'room:host:kick': rooms.hostKick,
  'room:host:lock': rooms.hostLock,
  'call:direct:invite': calls.invite,
  'call:direct:accept': calls.accept,
  'call:direct:decline': calls.decline,
  'call:direct:end': calls.end,
  'call:self:mute': calls.selfMute,
  'webrtc:offer': (core, actor, payload) => relaySignal(core.store, actor, 'webrtc:offer', payload),
  'webrtc:answer': (core, actor, payload) =>
    relaySignal(core.store, actor, 'webrtc:answer', payload),
  'webrtc:ice': (core, actor, payload) => relaySignal(core.store, actor, 'webrtc:ice', payload),
};

/** Gauges for Prometheus: store counters (all nodes) plus what this node finished. */
export interface SignalingCounts extends StoreCounts {
  /** Calls this node finished since it started, by outcome (a counter). */
  readonly finishedCalls: Readonly<Record<CallOutcome, number>>;
}

/**
 * The signaling domain behind the Socket.IO gateway. Every operation resolves to a Result:
 * `{ ok: true, result, effects }` (ack with `{ ok: true, ...result }`, then perform the
 * effects in order) or `{ ok: false, code, message, effects }` (ack the error, or emit
 * `error` when there is no ack — except NOT_PEER, whose effects already report it).
 * Payloads must already be parsed with the shared zod schemas.
 */
export class SignalingService {
  readonly core: SignalingCore;
  /** Auths in flight per socket, so a disconnect racing its own auth settles after it. */
  private readonly authInFlight = new Map<string, Promise<unknown>>();

  constructor(options: SignalingServiceOptions) {
    this.core = new SignalingCore(options);
    this.core.onDeadline = (tx, deadline) =>
      deadline.kind === 'grace'
        ? sessions.graceExpiredIn(this.core, tx, deadline.userId, deadline.socketId)
        : calls.ringTimeoutIn(this.core, tx, deadline.callId);
  }

  get config(): SignalingConfig {
    return this.core.config;
  }

  authenticated(
    userId: string,
    displayName: string,
    socketId: string,
  ): Promise<Result<{ user: PublicUser }>> {
    const pending = sessions.authenticated(this.core, userId, displayName, socketId);
    const tracked = pending.catch(() => undefined);
    this.authInFlight.set(socketId, tracked);
    void tracked.then(() => {
      if (this.authInFlight.get(socketId) === tracked) this.authInFlight.delete(socketId);
    });
    return pending;
  }

  /** A socket closed; `at` is when (a dead node's sockets closed at its last heartbeat). */
  async disconnected(socketId: string, at?: number): Promise<Result<Empty>> {
    await this.authInFlight.get(socketId);
    return sessions.disconnected(this.core, socketId, at);
  }

  /** `auth:hello { replaces }`: see sessions.replaced. */
  async replaced(userId: string, socketId: string): Promise<Result<Empty>> {
    await this.authInFlight.get(socketId);
    return sessions.replaced(this.core, userId, socketId);
  }

  /**
   * A display name changed over HTTP: live state follows and everyone is told. In the
   * background: the database has the name already, and a store outage must not fail the
   * request (the next sign-in carries the new name anyway).
   */
  renamed(userId: string, displayName: string): void {
    this.core.inBackground(() => sessions.renamed(this.core, userId, displayName));
  }

  /** Dispatches a parsed client event to its use case. */
  handle<E extends ActorEvent>(
    event: E,
    actor: Actor,
    payload: ParsedClientPayload<E>,
  ): Promise<Result<ClientResult<E>>> {
    return (HANDLERS[event] as Handler<E>)(this.core, actor, payload);
  }

  /** The relay's check alone (one store read, no effects). */
  async authorizeSignal(
    fromUserId: string,
    fromSocketId: string | undefined,
    scope: SignalScope,
  ): Promise<Result<SignalRoute>> {
    const route = await authorizeSignal(this.core.store, fromUserId, fromSocketId, scope);
    return route ? ok(route) : fail('NOT_PEER');
  }

  async counts(): Promise<SignalingCounts> {
    return { ...(await this.core.store.counts()), finishedCalls: { ...this.core.finishedCalls } };
  }

  /** Resolves once background work already started (deadlines firing) has finished. */
  settled(): Promise<void> {
    return this.core.settled();
  }

  /** Stops the local timers (shutdown). Shared state, deadlines included, stays in the store. */
  close(): void {
    this.core.close();
  }

  get pendingTimers(): { grace: number; ring: number } {
    return this.core.pendingTimers;
  }
}
