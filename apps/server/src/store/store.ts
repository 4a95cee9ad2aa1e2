import type { CallRecord } from '../calls/call';
import type { UserSession } from '../presence/presence';
import type { RoomRecord } from '../rooms/room';

/*
 * The shared signaling state, behind an interface so that several server nodes can share
 * it (Redis) as easily as one node keeps it in memory.
 *
 * Consistency model: a caller locks the keys of every record it will read-then-write
 * (`withLock`), reads them, and writes all its changes in one `write` batch before
 * releasing. Reads outside a lock are snapshots (used for lists and for the relay hot
 * path). A Redis implementation maps `withLock` to per-key locks (SET NX PX with a token,
 * keys taken in sorted order), records to JSON values and `write` to MULTI/EXEC.
 */

export type RecordKind = 'user' | 'room' | 'call';

/** `user:<userId>`, `room:<roomId>` or `call:<callId>`. */
export type LockKey = `${RecordKind}:${string}`;

export const lockKey = {
  user: (userId: string): LockKey => `user:${userId}`,
  room: (roomId: string): LockKey => `room:${roomId}`,
  call: (callId: string): LockKey => `call:${callId}`,
};

export interface RecordOf {
  user: UserSession;
  room: RoomRecord;
  call: CallRecord;
}

/** One change of a write batch; `value: null` deletes. */
export type StoreWrite =
  | { readonly kind: 'user'; readonly id: string; readonly value: UserSession | null }
  | { readonly kind: 'room'; readonly id: string; readonly value: RoomRecord | null }
  | { readonly kind: 'call'; readonly id: string; readonly value: CallRecord | null }
  /** Which user an authenticated socket belongs to. */
  | { readonly kind: 'socket'; readonly id: string; readonly value: string | null };

export interface SignalingStore {
  /**
   * Runs `fn` holding exclusive locks on every key. Keys are taken in sorted order, so
   * callers never deadlock; locks are not reentrant (never nest `withLock`).
   */
  withLock<T>(keys: readonly LockKey[], fn: () => Promise<T>): Promise<T>;

  getUser(userId: string): Promise<UserSession | undefined>;
  getRoom(roomId: string): Promise<RoomRecord | undefined>;
  getCall(callId: string): Promise<CallRecord | undefined>;
  getSocketUser(socketId: string): Promise<string | undefined>;

  listUsers(): Promise<UserSession[]>;
  listRooms(): Promise<RoomRecord[]>;
  listCalls(): Promise<CallRecord[]>;

  /** Applies every change at once (all or nothing). */
  write(changes: readonly StoreWrite[]): Promise<void>;
}
