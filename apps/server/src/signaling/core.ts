import { LIMITS, type PresenceEntry, type PublicUser } from '@openwcall/shared';
import type { CallOutcome } from '../calls/call';
import { presenceChange, presenceEntry, type UserSession } from '../presence/presence';
import { sameSummary, toRoomList, toRoomSummary } from '../rooms/room';
import { type LockKey, lockKey, type SignalingStore } from '../store/store';
import { type Effect, type EmitTarget, emit } from './effects';
import { noopPersistence, type PersistenceSink } from './persistence';
import type { Result } from './result';
import {
  type Clock,
  type Scheduler,
  type SignalingLogger,
  silentLogger,
  systemClock,
  systemScheduler,
} from './scheduler';
import { MissingLock, Tx, type Version } from './tx';

export interface SignalingConfig {
  /** MAX_ROOM_PARTICIPANTS: default and upper bound of a room's maxParticipants. */
  readonly maxRoomParticipants: number;
  /** RECONNECT_GRACE_MS: how long a vanished socket keeps its seat, call and presence. */
  readonly reconnectGraceMs: number;
  /** RING_TIMEOUT_MS: how long a call rings before it is missed. */
  readonly ringTimeoutMs: number;
}

export const DEFAULT_SIGNALING_CONFIG: SignalingConfig = {
  maxRoomParticipants: LIMITS.defaultMaxRoomParticipants,
  reconnectGraceMs: 5000,
  ringTimeoutMs: 30_000,
};

export interface SignalingServiceOptions {
  readonly store: SignalingStore;
  /** Looks a user up by id (the database); null when there is none. */
  readonly findUser: (userId: string) => Promise<PublicUser | null>;
  /** Performs effects produced outside any request: grace expiry, ring timeout. */
  readonly emit: (effects: readonly Effect[]) => void;
  readonly config?: Partial<SignalingConfig>;
  readonly persistence?: PersistenceSink;
  readonly scheduler?: Scheduler;
  readonly clock?: Clock;
  /** Room and call ids. */
  readonly newId?: () => string;
  readonly log?: SignalingLogger;
}

export interface RunOptions {
  /** Send the presence delta to everyone but this user's sockets (they get a full list). */
  readonly presenceExcept?: string;
}

/**
 * A lock plan grows by one key per retry; an operation touches a handful of records, so
 * needing more attempts than this means a bug, not contention.
 */
const MAX_ATTEMPTS = 16;

/**
 * What every operation shares: dependencies, the transactional runner, the effects derived
 * from any change (presence deltas, the room list) and the node-local timers.
 */
export class SignalingCore {
  readonly store: SignalingStore;
  readonly config: SignalingConfig;
  readonly findUser: (userId: string) => Promise<PublicUser | null>;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly log: SignalingLogger;
  readonly finishedCalls: Record<CallOutcome, number> = {
    declined: 0,
    cancelled: 0,
    missed: 0,
    ended: 0,
  };

  private readonly emitEffects: (effects: readonly Effect[]) => void;
  private readonly persistence: PersistenceSink;
  private readonly scheduler: Scheduler;
  // Timers are node-local: they act on shared state through the store when they fire.
  private readonly graceTimers = new Map<string, unknown>();
  private readonly ringTimers = new Map<string, unknown>();
  private readonly background = new Set<Promise<void>>();
  private closed = false;

  constructor(options: SignalingServiceOptions) {
    this.store = options.store;
    this.config = { ...DEFAULT_SIGNALING_CONFIG, ...options.config };
    this.findUser = options.findUser;
    this.emitEffects = options.emit;
    this.persistence = options.persistence ?? noopPersistence;
    this.scheduler = options.scheduler ?? systemScheduler;
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? (() => crypto.randomUUID());
    this.log = options.log ?? silentLogger;
  }

  /**
   * Runs `body` atomically: under the locks of every record it reads (taken from `hint`,
   * grown on MissingLock and retried), committing its writes only when it succeeds, then
   * adding the effects any change implies: `room:list` when a room summary changed and a
   * `presence:list` delta with the entries that changed.
   */
  async run<R>(
    hint: Iterable<LockKey>,
    body: (tx: Tx) => Promise<Result<R>>,
    options: RunOptions = {},
  ): Promise<Result<R>> {
    const keys = new Set(hint);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.store.withLock([...keys], () => this.attempt(keys, body, options));
      if (!(outcome instanceof MissingLock)) return outcome;
      if (attempt >= MAX_ATTEMPTS) throw new Error(`lock plan did not settle: ${outcome.key}`);
      keys.add(outcome.key);
    }
  }

  private async attempt<R>(
    keys: ReadonlySet<LockKey>,
    body: (tx: Tx) => Promise<Result<R>>,
    options: RunOptions,
  ): Promise<Result<R> | MissingLock> {
    const tx = new Tx(this.store, keys);
    try {
      const result = await body(tx);
      if (!result.ok) return result;
      const presence = await this.presenceDelta(tx);
      const roomsChanged = await this.roomSummariesChanged(tx);
      await tx.commit();
      const effects = [...result.effects];
      if (roomsChanged) effects.push(await this.roomListEffect({ authenticated: true }));
      if (presence.length > 0) {
        const to: EmitTarget =
          options.presenceExcept === undefined
            ? { authenticated: true }
            : { authenticated: true, exceptUser: options.presenceExcept };
        effects.push(emit(to, 'presence:list', { full: false, users: presence }));
      }
      return { ...result, effects };
    } catch (error) {
      if (error instanceof MissingLock) return error;
      throw error;
    }
  }

  /** Lock keys an operation on these users will probably need: a first guess, not a promise. */
  async hint(userIds: readonly string[]): Promise<LockKey[]> {
    const keys: LockKey[] = [];
    for (const userId of userIds) {
      keys.push(lockKey.user(userId));
      const session = await this.store.getUser(userId);
      if (!session) continue;
      if (session.roomId !== null) keys.push(lockKey.room(session.roomId));
      for (const callId of session.callIds) {
        keys.push(lockKey.call(callId));
        const call = await this.store.getCall(callId);
        if (call) keys.push(lockKey.user(call.caller.id), lockKey.user(call.callee.id));
      }
    }
    return keys;
  }

  async inAcceptedCall(tx: Tx, session: UserSession, version: Version = 'current') {
    for (const callId of session.callIds) {
      if ((await tx.call(callId, version))?.state === 'accepted') return true;
    }
    return false;
  }

  async presenceOf(tx: Tx, userId: string, version: Version): Promise<PresenceEntry | null> {
    const session = await tx.user(userId, version);
    if (!session) return null;
    const inCall = session.roomId !== null || (await this.inAcceptedCall(tx, session, version));
    return presenceEntry(session, inCall);
  }

  /** Every online user, from committed state, with `override` entries taking precedence. */
  async presenceSnapshot(override: readonly PresenceEntry[] = []): Promise<PresenceEntry[]> {
    const [sessions, calls] = await Promise.all([this.store.listUsers(), this.store.listCalls()]);
    const talking = new Set<string>();
    for (const call of calls) {
      if (call.state === 'accepted') talking.add(call.caller.id).add(call.callee.id);
    }
    const entries = new Map<string, PresenceEntry>();
    for (const session of sessions) {
      const inCall = session.roomId !== null || talking.has(session.userId);
      entries.set(session.userId, presenceEntry(session, inCall));
    }
    for (const entry of override) entries.set(entry.userId, entry);
    return [...entries.values()];
  }

  async roomListEffect(to: EmitTarget): Promise<Effect> {
    return emit(to, 'room:list', { rooms: toRoomList(await this.store.listRooms()) });
  }

  /** Users whose session changed, or who are a party of a call that changed. */
  private async presenceDelta(tx: Tx): Promise<PresenceEntry[]> {
    const userIds = new Set(tx.changed('user'));
    for (const callId of tx.changed('call')) {
      for (const version of ['original', 'current'] as const) {
        const call = await tx.call(callId, version);
        if (call) userIds.add(call.caller.id).add(call.callee.id);
      }
    }
    const changes: PresenceEntry[] = [];
    for (const userId of userIds) {
      const change = presenceChange(
        await this.presenceOf(tx, userId, 'original'),
        await this.presenceOf(tx, userId, 'current'),
      );
      if (change) changes.push(change);
    }
    return changes;
  }

  private async roomSummariesChanged(tx: Tx): Promise<boolean> {
    for (const roomId of tx.changed('room')) {
      const before = await tx.room(roomId, 'original');
      const after = await tx.room(roomId, 'current');
      if (!sameSummary(before ? toRoomSummary(before) : null, after ? toRoomSummary(after) : null))
        return true;
    }
    return false;
  }

  /** Fire-and-forget: a failing or slow sink never affects signaling. */
  persist(write: (sink: PersistenceSink) => void): void {
    try {
      // Sink methods are typed `void` but may be async; never leave a rejection unhandled.
      const pending: unknown = write(this.persistence);
      if (pending instanceof Promise) {
        pending.catch((err: unknown) => this.log.error({ err }, 'persistence failed'));
      }
    } catch (err) {
      this.log.error({ err }, 'persistence failed');
    }
  }

  scheduleGrace(socketId: string, task: () => Promise<Result<unknown>>): void {
    this.schedule(this.graceTimers, socketId, this.config.reconnectGraceMs, task);
  }

  scheduleRing(callId: string, task: () => Promise<Result<unknown>>): void {
    this.schedule(this.ringTimers, callId, this.config.ringTimeoutMs, task);
  }

  cancelRing(callId: string): void {
    const handle = this.ringTimers.get(callId);
    if (handle === undefined) return;
    this.scheduler.clearTimeout(handle);
    this.ringTimers.delete(callId);
  }

  private schedule(
    timers: Map<string, unknown>,
    key: string,
    ms: number,
    task: () => Promise<Result<unknown>>,
  ): void {
    if (this.closed) return;
    const existing = timers.get(key);
    if (existing !== undefined) this.scheduler.clearTimeout(existing);
    const handle = this.scheduler.setTimeout(() => {
      timers.delete(key);
      this.inBackground(task);
    }, ms);
    timers.set(key, handle);
  }

  private inBackground(task: () => Promise<Result<unknown>>): void {
    const done: Promise<void> = task()
      .then((result) => {
        if (result.effects.length > 0) this.emitEffects(result.effects);
      })
      .catch((err: unknown) => this.log.error({ err }, 'signaling timer task failed'))
      .finally(() => this.background.delete(done));
    this.background.add(done);
  }

  /** Resolves once every timer task that has started has finished. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /** Stops every timer; state in the store is left as it is (another node may own it). */
  close(): void {
    this.closed = true;
    for (const timers of [this.graceTimers, this.ringTimers]) {
      for (const handle of timers.values()) this.scheduler.clearTimeout(handle);
      timers.clear();
    }
  }

  get pendingTimers(): { grace: number; ring: number } {
    return { grace: this.graceTimers.size, ring: this.ringTimers.size };
  }
}
