import { LIMITS, type PresenceEntry, type PublicUser } from '@openwcall/shared';
import type { CallOutcome } from '../calls/call';
import { presenceChange, presenceEntry, type UserSession } from '../presence/presence';
import { sameSummary, toRoomSummary } from '../rooms/room';
import { type Deadline, type SignalingStore, StoreUnavailableError } from '../store/store';
import { type Effect, type EmitTarget, emit } from './effects';
import { noopPersistence, type PersistenceSink } from './persistence';
import { fail, type Result } from './result';
import {
  type Clock,
  type Scheduler,
  type SignalingLogger,
  silentLogger,
  systemClock,
  systemScheduler,
} from './scheduler';
import { type Derived, Tx, type Version } from './tx';

export interface SignalingConfig {
  /** MAX_ROOM_PARTICIPANTS: default and upper bound of a room's maxParticipants. */
  readonly maxRoomParticipants: number;
  /** RECONNECT_GRACE_MS: how long a vanished socket keeps its seat, call and presence. */
  readonly reconnectGraceMs: number;
  /** RING_TIMEOUT_MS: how long a call rings before it is missed. */
  readonly ringTimeoutMs: number;
  /** MAX_SOCKETS_PER_USER: authenticated sockets one user may hold, across every node. */
  readonly maxSocketsPerUser: number;
}

export const DEFAULT_SIGNALING_CONFIG: SignalingConfig = {
  maxRoomParticipants: LIMITS.defaultMaxRoomParticipants,
  reconnectGraceMs: 5000,
  ringTimeoutMs: 30_000,
  maxSocketsPerUser: 10,
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
  /** This node's id (it changes when a fenced node registers again): sockets are bound to it. */
  readonly nodeId?: () => string;
}

export interface RunOptions {
  /** Send the presence delta to everyone but this user's sockets (they get a full list). */
  readonly presenceExcept?: string;
}

/**
 * Attempts of one operation before it answers BUSY. Conflicts only happen when the same
 * records change concurrently (one user acting from many sockets at once, a crowd joining
 * one room); each retry sees the newer state, so a handful settle almost everything.
 */
const MAX_ATTEMPTS = 32;

const CONFLICT = Symbol('conflict');

/** What a deadline does when it fires, inside the transaction that consumes it. */
export type DeadlineHandler = (tx: Tx, deadline: Deadline) => Promise<Effect[]>;

/**
 * What every operation shares: dependencies, the transactional runner, the effects derived
 * from any change (presence deltas, the room list) and deadlines.
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
  /** Set by the service: grace expiry and ring timeout. */
  onDeadline: DeadlineHandler = async () => [];

  private readonly emitEffects: (effects: readonly Effect[]) => void;
  private readonly persistence: PersistenceSink;
  private readonly scheduler: Scheduler;
  /** Local timers for deadlines this node knows of; any node may fire a deadline (CAS decides). */
  private readonly timers = new Map<string, unknown>();
  private readonly background = new Set<Promise<void>>();
  private poller: ReturnType<typeof setInterval> | undefined;
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
    this.nodeIdOf = options.nodeId ?? (() => 'local');
  }

  private readonly nodeIdOf: () => string;

  get nodeId(): string {
    return this.nodeIdOf();
  }

  /**
   * Runs `body` atomically: it reads what it needs through `tx`, and its writes commit in one
   * compare-and-set only when it succeeds; on a conflict it runs again on the newer state.
   * Adds the effects any change implies: `room:list` when a room summary changed and a
   * `presence:list` delta with the entries that changed.
   */
  async run<R>(body: (tx: Tx) => Promise<Result<R>>, options: RunOptions = {}): Promise<Result<R>> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const outcome = await this.attempt(body, options);
      if (outcome !== CONFLICT) return outcome;
      // Spread the retries of a crowd so they do not collide again in lockstep.
      // Microtask yields, not timers: fake timers in tests must not stall a retry.
      const yields = Math.floor(Math.random() * attempt * 4);
      for (let i = 0; i < yields; i++) await null;
    }
    this.log.warn({}, 'operation gave up after repeated conflicts');
    return fail('BUSY');
  }

  private async attempt<R>(
    body: (tx: Tx) => Promise<Result<R>>,
    options: RunOptions,
  ): Promise<Result<R> | typeof CONFLICT> {
    const tx = new Tx(this.store);
    const result = await body(tx);
    if (!result.ok) return result;
    const derived = await this.derive(tx);
    if ((await tx.commit(derived.commit)) === 'conflict') return CONFLICT;
    const effects = [...result.effects];
    if (derived.commit.rooms.length > 0 && derived.roomsChanged) {
      effects.push(await this.roomListEffect({ authenticated: true }));
    }
    if (derived.presence.length > 0) {
      const to: EmitTarget =
        options.presenceExcept === undefined
          ? { authenticated: true }
          : { authenticated: true, exceptUser: options.presenceExcept };
      effects.push(emit(to, 'presence:list', { full: false, users: derived.presence }));
    }
    return { ...result, effects };
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

  /** Every online user, from the presence index, with `override` entries taking precedence. */
  async presenceSnapshot(override: readonly PresenceEntry[] = []): Promise<PresenceEntry[]> {
    const entries = new Map<string, PresenceEntry>();
    for (const entry of await this.store.presenceList()) entries.set(entry.userId, entry);
    for (const entry of override) entries.set(entry.userId, entry);
    return [...entries.values()];
  }

  async roomListEffect(to: EmitTarget): Promise<Effect> {
    return emit(to, 'room:list', { rooms: await this.store.roomList() });
  }

  /**
   * The indexes a commit keeps in step with the records: presence entries of users whose
   * session changed or who are a party of a call that changed, summaries of rooms that
   * changed, and the counters behind the metrics.
   */
  private async derive(
    tx: Tx,
  ): Promise<{ commit: Derived; presence: PresenceEntry[]; roomsChanged: boolean }> {
    const userIds = new Set(tx.changed('user'));
    const counters = { sockets: 0, participants: 0, ringingCalls: 0, acceptedCalls: 0 };
    for (const callId of tx.changed('call')) {
      for (const version of ['original', 'current'] as const) {
        const call = await tx.call(callId, version);
        if (!call) continue;
        userIds.add(call.caller.id).add(call.callee.id);
        const sign = version === 'current' ? 1 : -1;
        if (call.state === 'ringing') counters.ringingCalls += sign;
        if (call.state === 'accepted') counters.acceptedCalls += sign;
      }
    }
    const presence: PresenceEntry[] = [];
    const presenceWrites: Array<{ userId: string; entry: PresenceEntry | null }> = [];
    for (const userId of userIds) {
      const before = await this.presenceOf(tx, userId, 'original');
      const after = await this.presenceOf(tx, userId, 'current');
      const change = presenceChange(before, after);
      if (change) {
        presence.push(change);
        presenceWrites.push({ userId, entry: after });
      }
      counters.sockets +=
        ((await tx.user(userId, 'current'))?.sockets.length ?? 0) -
        ((await tx.user(userId, 'original'))?.sockets.length ?? 0);
    }
    const rooms: Derived['rooms'][number][] = [];
    let roomsChanged = false;
    for (const roomId of tx.changed('room')) {
      const before = await tx.room(roomId, 'original');
      const after = await tx.room(roomId, 'current');
      counters.participants += (after?.seats.length ?? 0) - (before?.seats.length ?? 0);
      const summaryBefore = before ? toRoomSummary(before) : null;
      const summaryAfter = after ? toRoomSummary(after) : null;
      if (sameSummary(summaryBefore, summaryAfter)) continue;
      roomsChanged = true;
      rooms.push({
        roomId,
        summary: after && summaryAfter ? { ...summaryAfter, createdAt: after.createdAt } : null,
      });
    }
    const nonZero = Object.fromEntries(Object.entries(counters).filter(([, v]) => v !== 0));
    return {
      commit: { presence: presenceWrites, rooms, counters: nonZero },
      presence,
      roomsChanged,
    };
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

  /** Writes a deadline in this transaction and arms a local timer for it once committed. */
  setDeadline(tx: Tx, id: string, deadline: Deadline | null): void {
    tx.setDeadline(id, deadline);
    tx.after(() => {
      if (deadline) this.arm(id, deadline.due);
      else this.disarm(id);
    });
  }

  /** A local timer for a deadline; when it fires, the deadline is consumed in a transaction. */
  arm(id: string, due: number): void {
    if (this.closed) return;
    this.disarm(id);
    const handle = this.scheduler.setTimeout(
      () => {
        this.timers.delete(id);
        this.inBackground(() => this.fire(id));
      },
      Math.max(0, due - this.clock()),
    );
    this.timers.set(id, handle);
  }

  private disarm(id: string): void {
    const handle = this.timers.get(id);
    if (handle === undefined) return;
    this.scheduler.clearTimeout(handle);
    this.timers.delete(id);
  }

  /**
   * Consumes a due deadline: it is deleted in the same commit as what it causes, so when
   * several nodes race for it exactly one commit wins and the others find it gone.
   */
  fire(id: string): Promise<Result<unknown>> {
    return this.run(async (tx) => {
      const deadline = await tx.deadline(id);
      if (!deadline) return { ok: true, result: {}, effects: [] };
      if (deadline.due > this.clock()) {
        tx.after(() => this.arm(id, deadline.due));
        return { ok: true, result: {}, effects: [] };
      }
      tx.setDeadline(id, null);
      return { ok: true, result: {}, effects: await this.onDeadline(tx, deadline) };
    });
  }

  /**
   * With a shared store, deadlines set by other nodes (or by a node that died) are found by
   * polling the due-time index; the local timers only make this node's own ones prompt.
   */
  startPolling(intervalMs: number): void {
    if (this.poller || this.closed) return;
    this.poller = setInterval(() => {
      this.inBackground(async () => {
        const due = await this.store.dueDeadlines(this.clock(), 100);
        for (const id of due) {
          const result = await this.fire(id);
          if (result.effects.length > 0) this.emitEffects(result.effects);
        }
        return { ok: true, result: {}, effects: [] };
      });
    }, intervalMs);
    this.poller.unref?.();
  }

  inBackground(task: () => Promise<Result<unknown>>): void {
    const done: Promise<void> = task()
      .then((result) => {
        if (result.effects.length > 0) this.emitEffects(result.effects);
      })
      .catch((err: unknown) => {
        if (err instanceof StoreUnavailableError)
          this.log.warn({ err }, 'deadline deferred: store unavailable');
        else this.log.error({ err }, 'signaling background task failed');
      })
      .finally(() => this.background.delete(done));
    this.background.add(done);
  }

  /** Resolves once every background task that has started has finished. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /** Stops local timers and polling; deadlines stay in the store (another node may fire them). */
  close(): void {
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
    for (const handle of this.timers.values()) this.scheduler.clearTimeout(handle);
    this.timers.clear();
  }

  get pendingTimers(): { grace: number; ring: number } {
    let grace = 0;
    let ring = 0;
    for (const id of this.timers.keys()) {
      if (id.startsWith('grace:')) grace += 1;
      else if (id.startsWith('ring:')) ring += 1;
    }
    return { grace, ring };
  }
}
