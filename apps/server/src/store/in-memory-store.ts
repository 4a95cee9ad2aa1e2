import type { PresenceEntry, RoomSummary } from '@openwcall/shared';
import type {
  Commit,
  CommitOutcome,
  CounterName,
  Deadline,
  RecordKey,
  SignalingStore,
  SocketBinding,
  StoreCounts,
  Versioned,
} from './store';

interface Entry {
  readonly value: unknown;
  readonly version: number;
}

/**
 * The store of a single node. A commit runs synchronously, so it is atomic by construction.
 * Values are frozen when written: code that mutates a record instead of writing a new one
 * fails loudly here rather than silently diverging from what the Redis store would hold.
 */
export class InMemoryStore implements SignalingStore {
  private readonly records = new Map<RecordKey, Entry>();
  private readonly sockets = new Map<string, SocketBinding>();
  private readonly presence = new Map<string, PresenceEntry>();
  private readonly rooms = new Map<string, RoomSummary & { createdAt: number }>();
  private readonly due = new Map<string, number>();
  private readonly counters: Record<CounterName, number> = {
    sockets: 0,
    participants: 0,
    ringingCalls: 0,
    acceptedCalls: 0,
  };
  private sequence = 0;

  async read(keys: readonly RecordKey[]): Promise<Versioned[]> {
    return keys.map((key) => this.records.get(key) ?? { value: undefined, version: 0 });
  }

  /** Reads here are in memory already. */
  readRecent(keys: readonly RecordKey[]): Promise<Versioned[]> {
    return this.read(keys);
  }

  async commit(commit: Commit): Promise<CommitOutcome> {
    for (const { key, version } of commit.expect) {
      if ((this.records.get(key)?.version ?? 0) !== version) return 'conflict';
    }
    const version = ++this.sequence;
    for (const { key, value } of commit.writes) {
      if (value === null) this.records.delete(key);
      else this.records.set(key, { value: deepFreeze(value), version });
      if (key.startsWith('deadline:')) {
        const id = key.slice('deadline:'.length);
        if (value === null) this.due.delete(id);
        else this.due.set(id, (value as Deadline).due);
      }
    }
    for (const { socketId, binding } of commit.sockets) put(this.sockets, socketId, binding);
    for (const { userId, entry } of commit.presence) put(this.presence, userId, entry);
    for (const { roomId, summary } of commit.rooms) put(this.rooms, roomId, summary);
    for (const [name, delta] of Object.entries(commit.counters)) {
      this.counters[name as CounterName] += delta ?? 0;
    }
    return 'ok';
  }

  async getSocket(socketId: string): Promise<SocketBinding | undefined> {
    return this.sockets.get(socketId);
  }

  async presenceList(): Promise<PresenceEntry[]> {
    return [...this.presence.values()];
  }

  async roomList(): Promise<RoomSummary[]> {
    return sortRooms([...this.rooms.values()]);
  }

  async dueDeadlines(now: number, limit: number): Promise<string[]> {
    return [...this.due]
      .filter(([, due]) => due <= now)
      .sort((a, b) => a[1] - b[1])
      .slice(0, limit)
      .map(([id]) => id);
  }

  async counts(): Promise<StoreCounts> {
    return { ...this.counters, onlineUsers: this.presence.size, openRooms: this.rooms.size };
  }

  /** Every deadline with its due time (start-up arms a timer for each). */
  deadlines(): Array<[string, number]> {
    return [...this.due];
  }
}

/** Oldest room first; ties by id, so every node lists rooms in the same order. */
export function sortRooms(rooms: Array<RoomSummary & { createdAt: number }>): RoomSummary[] {
  return rooms
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(({ createdAt: _createdAt, ...summary }) => summary);
}

function put<T>(map: Map<string, T>, id: string, value: T | null): void {
  if (value === null) map.delete(id);
  else map.set(id, value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
