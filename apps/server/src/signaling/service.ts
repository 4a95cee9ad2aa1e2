import type {
  ClientEventName,
  ClientResult,
  ParsedClientPayload,
  PublicUser,
  RoomState,
} from '@openwcall/shared';
import type { CallOutcome } from '../calls/call';
import type { Actor } from './actor';
import * as calls from './call-ops';
import { type SignalingConfig, SignalingCore, type SignalingServiceOptions } from './core';
import {
  authorizeSignal,
  relaySignal,
  type SignalEvent,
  type SignalRoute,
  type SignalScope,
} from './relay';
import { type Empty, fail, ok, type Result } from './result';
import * as rooms from './room-ops';
import * as sessions from './session-ops';

/** Client events the service handles for an authenticated socket (`auth:hello` is the gateway's). */
export type ActorEvent = Exclude<ClientEventName, 'auth:hello'>;

/** Gauges for Prometheus, read from the shared store (all nodes) except `finishedCalls`. */
export interface SignalingCounts {
  readonly openRooms: number;
  readonly participants: number;
  readonly calls: { readonly ringing: number; readonly accepted: number };
  /** Calls this node finished since it started, by outcome (a counter). */
  readonly finishedCalls: Readonly<Record<CallOutcome, number>>;
  readonly authenticatedUsers: number;
  readonly connectedSockets: number;
}

/**
 * The signaling domain behind the Socket.IO gateway. Every operation resolves to a Result:
 * `{ ok: true, result, effects }` (ack with `{ ok: true, ...result }`, then perform the
 * effects in order) or `{ ok: false, code, message, effects }` (ack the error, or emit
 * `error` when there is no ack — except NOT_PEER, whose effects already report it).
 * Payloads must already be parsed with the shared zod schemas.
 */
export class SignalingService {
  private readonly core: SignalingCore;
  /** Auths in flight per socket, so a disconnect racing its own auth settles after it. */
  private readonly authInFlight = new Map<string, Promise<unknown>>();

  constructor(options: SignalingServiceOptions) {
    this.core = new SignalingCore(options);
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

  async disconnected(socketId: string): Promise<Result<Empty>> {
    await this.authInFlight.get(socketId);
    return sessions.disconnected(this.core, socketId);
  }

  setPresence(actor: Actor, payload: ParsedClientPayload<'presence:set'>) {
    return sessions.setPresence(this.core, actor, payload);
  }

  createRoom(
    actor: Actor,
    payload: ParsedClientPayload<'room:create'>,
  ): Promise<Result<{ room: RoomState }>> {
    return rooms.createRoom(this.core, actor, payload);
  }

  joinRoom(
    actor: Actor,
    payload: ParsedClientPayload<'room:join'>,
  ): Promise<Result<{ room: RoomState }>> {
    return rooms.joinRoom(this.core, actor, payload);
  }

  leaveRoom(actor: Actor, payload: ParsedClientPayload<'room:leave'>): Promise<Result<Empty>> {
    return rooms.leaveRoom(this.core, actor, payload);
  }

  selfMute(actor: Actor, payload: ParsedClientPayload<'room:self:mute'>): Promise<Result<Empty>> {
    return rooms.selfMute(this.core, actor, payload);
  }

  hostMute(actor: Actor, payload: ParsedClientPayload<'room:host:mute'>): Promise<Result<Empty>> {
    return rooms.hostMute(this.core, actor, payload);
  }

  hostKick(actor: Actor, payload: ParsedClientPayload<'room:host:kick'>): Promise<Result<Empty>> {
    return rooms.hostKick(this.core, actor, payload);
  }

  hostLock(actor: Actor, payload: ParsedClientPayload<'room:host:lock'>): Promise<Result<Empty>> {
    return rooms.hostLock(this.core, actor, payload);
  }

  invite(
    actor: Actor,
    payload: ParsedClientPayload<'call:direct:invite'>,
  ): Promise<Result<{ callId: string }>> {
    return calls.invite(this.core, actor, payload);
  }

  accept(actor: Actor, payload: ParsedClientPayload<'call:direct:accept'>): Promise<Result<Empty>> {
    return calls.accept(this.core, actor, payload);
  }

  decline(
    actor: Actor,
    payload: ParsedClientPayload<'call:direct:decline'>,
  ): Promise<Result<Empty>> {
    return calls.decline(this.core, actor, payload);
  }

  end(actor: Actor, payload: ParsedClientPayload<'call:direct:end'>): Promise<Result<Empty>> {
    return calls.end(this.core, actor, payload);
  }

  /** The hot path: one store read, no lock, no effects. */
  async authorizeSignal(
    fromUserId: string,
    fromSocketId: string | undefined,
    scope: SignalScope,
  ): Promise<Result<SignalRoute>> {
    const route = await authorizeSignal(this.core.store, fromUserId, fromSocketId, scope);
    return route ? ok(route) : fail('NOT_PEER');
  }

  relaySignal<E extends SignalEvent>(
    actor: Actor,
    event: E,
    payload: ParsedClientPayload<E>,
  ): Promise<Result<Empty>> {
    return relaySignal(this.core.store, actor, event, payload);
  }

  /** Dispatches a parsed client event; lets the gateway register every handler in one loop. */
  handle<E extends ActorEvent>(
    event: E,
    actor: Actor,
    payload: ParsedClientPayload<E>,
  ): Promise<Result<ClientResult<E>>> {
    return this.dispatch(event, actor, payload as ParsedClientPayload<ActorEvent>) as Promise<
      Result<ClientResult<E>>
    >;
  }

  private dispatch(
    event: ActorEvent,
    actor: Actor,
    payload: ParsedClientPayload<ActorEvent>,
  ): Promise<Result<unknown>> {
    // Each payload was parsed with the schema of `event`, so the casts below are exact.
    switch (event) {
      case 'presence:set':
        return this.setPresence(actor, payload as ParsedClientPayload<typeof event>);
      case 'room:create':
        return this.createRoom(actor, payload as ParsedClientPayload<typeof event>);
      case 'room:join':
        return this.joinRoom(actor, payload as ParsedClientPayload<typeof event>);
      case 'room:leave':
        return this.leaveRoom(actor, payload as ParsedClientPayload<typeof event>);
      case 'room:self:mute':
        return this.selfMute(actor, payload as ParsedClientPayload<typeof event>);
      case 'room:host:mute':
        return this.hostMute(actor, payload as ParsedClientPayload<typeof event>);
      case 'room:host:kick':
        return this.hostKick(actor, payload as ParsedClientPayload<typeof event>);
      case 'room:host:lock':
        return this.hostLock(actor, payload as ParsedClientPayload<typeof event>);
      case 'call:direct:invite':
        return this.invite(actor, payload as ParsedClientPayload<typeof event>);
      case 'call:direct:accept':
        return this.accept(actor, payload as ParsedClientPayload<typeof event>);
      case 'call:direct:decline':
        return this.decline(actor, payload as ParsedClientPayload<typeof event>);
      case 'call:direct:end':
        return this.end(actor, payload as ParsedClientPayload<typeof event>);
      case 'webrtc:offer':
      case 'webrtc:answer':
      case 'webrtc:ice':
        return this.relaySignal(actor, event, payload as ParsedClientPayload<typeof event>);
    }
  }

  async counts(): Promise<SignalingCounts> {
    const { store } = this.core;
    const [roomList, callList, users] = await Promise.all([
      store.listRooms(),
      store.listCalls(),
      store.listUsers(),
    ]);
    return {
      openRooms: roomList.length,
      participants: roomList.reduce((sum, room) => sum + room.seats.length, 0),
      calls: {
        ringing: callList.filter((call) => call.state === 'ringing').length,
        accepted: callList.filter((call) => call.state === 'accepted').length,
      },
      finishedCalls: { ...this.core.finishedCalls },
      authenticatedUsers: users.length,
      connectedSockets: users.reduce((sum, user) => sum + user.sockets.length, 0),
    };
  }

  /** Resolves once timer work already started (grace expiry, ring timeout) has finished. */
  settled(): Promise<void> {
    return this.core.settled();
  }

  /** Stops the timers (shutdown). Shared state stays in the store. */
  close(): void {
    this.core.close();
  }

  get pendingTimers(): { grace: number; ring: number } {
    return this.core.pendingTimers;
  }
}
