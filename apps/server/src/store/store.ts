import type { PresenceEntry, RoomSummary } from '@openwcall/shared';
import type { CallRecord } from '../calls/call';
import type { UserSession } from '../presence/presence';
import type { RoomRecord } from '../rooms/room';

/*
 * The shared signaling state, behind one contract with two implementations: in memory (one
 * node) and Redis (many nodes). The same contract suite runs against both.
 *
 * Consistency model: optimistic, versioned compare-and-set. An operation reads the records
 * it needs (each read returns a version; 0 = absent), computes its changes, and commits them
 * in one atomic `commit` that succeeds only if every record it read still has the version it
 * saw. On a conflict nothing is written and the operation runs again from scratch. There are
 * no locks, so nothing can expire mid-operation: a stalled node's commit simply fails.
 *
 * Besides the records, a commit maintains, in the same atomic step, what would otherwise need
 * a scan: the presence list, the room list, the socket → user index, the due-time index of
 * deadlines and a few counters. Versions come from one store-wide sequence, so a record
 * deleted and created again never repeats a version (no ABA).
 */

/** A grace period or a ring timeout, stored as data so that any node can act on it when due. */
export type Deadline =
  | {
      readonly kind: 'grace';
      readonly userId: string;
      readonly socketId: string;
      /** Epoch milliseconds. */
      readonly due: number;
    }
  | { readonly kind: 'ring'; readonly callId: string; readonly due: number };

export interface RecordOf {
  user: UserSession;
  room: RoomRecord;
  call: CallRecord;
  deadline: Deadline;
}

export type RecordKind = keyof RecordOf;

/** `user:<userId>`, `room:<roomId>`, `call:<callId>` or `deadline:<deadlineId>`. */
export type RecordKey = `${RecordKind}:${string}`;

export const recordKey = <K extends RecordKind>(kind: K, id: string): RecordKey => `${kind}:${id}`;

export function splitKey(key: RecordKey): { kind: RecordKind; id: string } {
  const at = key.indexOf(':');
  return { kind: key.slice(0, at) as RecordKind, id: key.slice(at + 1) };
}

export interface Versioned {
  readonly value: unknown;
  /** 0 when the record does not exist. */
  readonly version: number;
}

export interface SocketBinding {
  readonly userId: string;
  /** The node the socket is connected to. */
  readonly nodeId: string;
}

/** Gauges kept as counters in the same commit as the state (no scan on a scrape). */
export interface StoreCounts {
  readonly onlineUsers: number;
  readonly sockets: number;
  readonly openRooms: number;
  readonly participants: number;
  readonly ringingCalls: number;
  readonly acceptedCalls: number;
}

export type CounterName = Exclude<keyof StoreCounts, 'onlineUsers' | 'openRooms'>;

export interface Commit {
  /** Every record read, with the version seen: the commit fails if any has changed. */
  readonly expect: ReadonlyArray<{ readonly key: RecordKey; readonly version: number }>;
  /** New values (`null` deletes). A deadline's due time is indexed from its value. */
  readonly writes: ReadonlyArray<{ readonly key: RecordKey; readonly value: unknown | null }>;
  readonly sockets: ReadonlyArray<{
    readonly socketId: string;
    readonly binding: SocketBinding | null;
  }>;
  readonly presence: ReadonlyArray<{
    readonly userId: string;
    readonly entry: PresenceEntry | null;
  }>;
  readonly rooms: ReadonlyArray<{
    readonly roomId: string;
    /** With the room's creation time, which orders the list. */
    readonly summary: (RoomSummary & { readonly createdAt: number }) | null;
  }>;
  readonly counters: Partial<Record<CounterName, number>>;
}

export type CommitOutcome = 'ok' | 'conflict';

export interface SignalingStore {
  /** The records with their versions, in the order asked. */
  read(keys: readonly RecordKey[]): Promise<Versioned[]>;
  /** Applies every change at once if no record read has changed since (all or nothing). */
  commit(commit: Commit): Promise<CommitOutcome>;
  /**
   * Like `read`, for the relay's hot path (every ICE candidate): may answer from this node's
   * memory. A record changed by a commit is never answered stale once that commit's
   * notification reached this node (its own commits at once, other nodes' after one pub/sub
   * hop). Never used for a read that a commit expects.
   */
  readRecent(keys: readonly RecordKey[]): Promise<Versioned[]>;

  getSocket(socketId: string): Promise<SocketBinding | undefined>;
  /** Every online user's presence entry. */
  presenceList(): Promise<PresenceEntry[]>;
  /** Open rooms, oldest first. */
  roomList(): Promise<RoomSummary[]>;
  /** Ids of deadlines due at `now` or earlier, earliest first. */
  dueDeadlines(now: number, limit: number): Promise<string[]>;
  counts(): Promise<StoreCounts>;
}

/** Thrown by a store that cannot reach its backend (Redis down): the caller answers UNAVAILABLE. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the shared state store is unavailable', { cause });
  }
}

/** Thrown when this node's lease was taken over (it was declared dead): it must drop its sockets. */
export class FencedError extends Error {
  constructor(readonly nodeId: string) {
    super(`node ${nodeId} was declared dead; its writes are refused`);
  }
}

/** Reads one record; for tests and cold paths. */
export async function readOne<K extends RecordKind>(
  store: SignalingStore,
  kind: K,
  id: string,
): Promise<RecordOf[K] | undefined> {
  const [entry] = await store.read([recordKey(kind, id)]);
  return entry?.value as RecordOf[K] | undefined;
}
