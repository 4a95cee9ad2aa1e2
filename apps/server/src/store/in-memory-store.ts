import type { CallRecord } from '../calls/call';
import type { UserSession } from '../presence/presence';
import type { RoomRecord } from '../rooms/room';
import { KeyedMutex } from './keyed-mutex';
import type { LockKey, SignalingStore, StoreWrite } from './store';

/**
 * The store for a single server node. Records are frozen when written, so code that
 * mutates a record instead of writing a new one fails loudly here rather than silently
 * diverging from what a Redis store would hold.
 */
export class InMemoryStore implements SignalingStore {
  private readonly users = new Map<string, UserSession>();
  private readonly rooms = new Map<string, RoomRecord>();
  private readonly calls = new Map<string, CallRecord>();
  private readonly sockets = new Map<string, string>();
  private readonly mutex = new KeyedMutex();

  async withLock<T>(keys: readonly LockKey[], fn: () => Promise<T>): Promise<T> {
    const release = await this.mutex.lockAll(keys);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async getUser(userId: string): Promise<UserSession | undefined> {
    return this.users.get(userId);
  }

  async getRoom(roomId: string): Promise<RoomRecord | undefined> {
    return this.rooms.get(roomId);
  }

  async getCall(callId: string): Promise<CallRecord | undefined> {
    return this.calls.get(callId);
  }

  async getSocketUser(socketId: string): Promise<string | undefined> {
    return this.sockets.get(socketId);
  }

  async listUsers(): Promise<UserSession[]> {
    return [...this.users.values()];
  }

  async listRooms(): Promise<RoomRecord[]> {
    return [...this.rooms.values()];
  }

  async listCalls(): Promise<CallRecord[]> {
    return [...this.calls.values()];
  }

  async write(changes: readonly StoreWrite[]): Promise<void> {
    for (const change of changes) {
      switch (change.kind) {
        case 'user':
          put(this.users, change.id, change.value);
          break;
        case 'room':
          put(this.rooms, change.id, change.value);
          break;
        case 'call':
          put(this.calls, change.id, change.value);
          break;
        case 'socket':
          put(this.sockets, change.id, change.value);
          break;
      }
    }
  }

  /** Locks held or awaited right now (0 when idle): lets tests check nothing leaks. */
  get pendingLocks(): number {
    return this.mutex.size;
  }
}

function put<T>(map: Map<string, T>, id: string, value: T | null): void {
  if (value === null) map.delete(id);
  else map.set(id, deepFreeze(value));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
