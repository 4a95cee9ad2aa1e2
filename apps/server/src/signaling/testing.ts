import type { PublicUser, ServerEventName, ServerPayload } from '@openwcall/shared';
import type { CallRecord } from '../calls/call';
import type { UserSession } from '../presence/presence';
import type { RoomRecord } from '../rooms/room';
import { InMemoryStore } from '../store/in-memory-store';
import { readOne } from '../store/store';
import type { Actor } from './actor';
import type { SignalingConfig } from './core';
import { type Effect, routeOf } from './effects';
import { RecordingPersistence } from './persistence';
import type { Result } from './result';
import { SignalingService } from './service';

/*
 * Test support: a service on an in-memory store plus a FakeWire that performs effects the
 * way the Socket.IO gateway does (channels, except, per-socket inboxes), so tests assert
 * what each socket would actually receive. Time comes from Vitest's fake timers, which the
 * default scheduler and clock pick up when installed.
 */

export interface Received {
  readonly event: ServerEventName;
  readonly payload: unknown;
}

export class FakeWire {
  private readonly channels = new Map<string, Set<string>>();
  private readonly inboxes = new Map<string, Received[]>();
  readonly disconnected: string[] = [];

  connect(socketId: string): void {
    this.inboxes.set(socketId, []);
    this.join(socketId, socketId);
  }

  /** What Socket.IO does when a socket closes: it leaves every channel. */
  drop(socketId: string): void {
    for (const members of this.channels.values()) members.delete(socketId);
  }

  perform(effects: readonly Effect[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'joinChannel':
          this.join(effect.socket, effect.channel);
          break;
        case 'leaveChannel':
          this.channels.get(effect.channel)?.delete(effect.socket);
          break;
        case 'disconnect':
          this.disconnected.push(effect.socket);
          this.drop(effect.socket);
          break;
        case 'emit': {
          const route = routeOf(effect.to);
          const excluded = route.except
            ? (this.channels.get(route.except) ?? new Set())
            : new Set();
          for (const socketId of this.channels.get(route.to) ?? []) {
            if (excluded.has(socketId)) continue;
            this.inboxes.get(socketId)?.push({ event: effect.event, payload: effect.payload });
          }
          break;
        }
      }
    }
  }

  inChannel(channel: string): string[] {
    return [...(this.channels.get(channel) ?? [])].sort();
  }

  /** Everything `socketId` received since the last `clear`. */
  inbox(socketId: string): Received[] {
    return this.inboxes.get(socketId) ?? [];
  }

  received<E extends ServerEventName>(socketId: string, event: E): ServerPayload<E>[] {
    return this.inbox(socketId)
      .filter((message) => message.event === event)
      .map((message) => message.payload as ServerPayload<E>);
  }

  events(socketId: string): ServerEventName[] {
    return this.inbox(socketId).map((message) => message.event);
  }

  clear(): void {
    for (const inbox of this.inboxes.values()) inbox.length = 0;
  }

  private join(socketId: string, channel: string): void {
    let members = this.channels.get(channel);
    if (!members) {
      members = new Set();
      this.channels.set(channel, members);
    }
    members.add(socketId);
  }
}

export interface Harness {
  readonly service: SignalingService;
  readonly store: InMemoryStore;
  readonly persistence: RecordingPersistence;
  readonly wire: FakeWire;
  readonly users: Map<string, PublicUser>;
  /** Single reads of committed state, for assertions. */
  readonly records: {
    getUser(id: string): Promise<UserSession | undefined>;
    getRoom(id: string): Promise<RoomRecord | undefined>;
    getCall(id: string): Promise<CallRecord | undefined>;
    getSocketUser(socketId: string): Promise<string | undefined>;
  };
  /** Authenticates `socketId` (default `<userId>:1`) as `userId` and performs the effects. */
  connect(userId: string, socketId?: string): Promise<Actor>;
  /** Closes the socket on the wire and tells the service. */
  disconnect(socketId: string): Promise<void>;
  /** Performs a successful result's effects on the wire and returns it; failures as they are. */
  perform<R>(result: Promise<Result<R>>): Promise<Result<R>>;
  /** Like `perform`, but throws unless the operation succeeded; returns its result. */
  must<R>(result: Promise<Result<R>>): Promise<R>;
  /** Advances fake time and waits for the timer work it started. */
  advance(ms: number): Promise<void>;
}

export function createHarness(
  options: { config?: Partial<SignalingConfig>; users?: readonly string[] } = {},
): Harness {
  const store = new InMemoryStore();
  const persistence = new RecordingPersistence();
  const wire = new FakeWire();
  const users = new Map<string, PublicUser>();
  for (const id of options.users ?? ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
    users.set(id, { id, displayName: id[0]?.toUpperCase() + id.slice(1) });
  }
  let counter = 0;
  const service = new SignalingService({
    store,
    persistence,
    findUser: async (id) => users.get(id) ?? null,
    emit: (effects) => wire.perform(effects),
    config: { reconnectGraceMs: 0, ringTimeoutMs: 30_000, ...options.config },
    newId: () => `id${++counter}`,
  });

  const perform = async <R>(pending: Promise<Result<R>>) => {
    const result = await pending;
    wire.perform(result.effects);
    return result;
  };
  const must = async <R>(pending: Promise<Result<R>>) => {
    const result = await perform(pending);
    if (!result.ok) throw new Error(`expected success, got ${result.code}`);
    return result.result;
  };

  return {
    service,
    store,
    persistence,
    wire,
    users,
    records: {
      getUser: (id) => readOne(store, 'user', id),
      getRoom: (id) => readOne(store, 'room', id),
      getCall: (id) => readOne(store, 'call', id),
      getSocketUser: async (socketId) => (await store.getSocket(socketId))?.userId,
    },
    perform,
    must,
    async connect(userId, socketId = `${userId}:1`) {
      const user = users.get(userId);
      if (!user) throw new Error(`unknown test user ${userId}`);
      wire.connect(socketId);
      await must(service.authenticated(userId, user.displayName, socketId));
      return { userId, socketId };
    },
    async disconnect(socketId) {
      wire.drop(socketId);
      await must(service.disconnected(socketId));
    },
    async advance(ms) {
      // Imported lazily so this module stays free of test-runner imports at load.
      const { vi } = await import('vitest');
      await vi.advanceTimersByTimeAsync(ms);
      await service.settled();
    },
  };
}
