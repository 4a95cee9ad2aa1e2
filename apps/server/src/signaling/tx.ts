import {
  type Commit,
  type CommitOutcome,
  type Deadline,
  type RecordKey,
  type RecordKind,
  type RecordOf,
  recordKey,
  type SignalingStore,
  type SocketBinding,
} from '../store/store';

interface Slot {
  readonly original: unknown;
  current: unknown;
  /** The version read; undefined for a blind write (a deadline set without reading it). */
  readonly version: number | undefined;
  dirty: boolean;
}

export type Version = 'current' | 'original';

/** What a commit adds beyond the records: derived indexes, computed by the core. */
export type Derived = Pick<Commit, 'presence' | 'rooms' | 'counters'>;

/**
 * One attempt of an operation: reads are cached with the version seen, writes are buffered,
 * and `commit` sends them as one compare-and-set. A refused operation never commits, so it
 * changes nothing; a conflicting one commits nothing and is run again by the core.
 */
export class Tx {
  private readonly slots = new Map<RecordKey, Slot>();
  private readonly pending = new Map<RecordKey, Promise<void>>();
  private readonly sockets = new Map<string, SocketBinding | null>();
  private readonly afterCommit: Array<() => void> = [];

  constructor(private readonly store: SignalingStore) {}

  user(id: string, version: Version = 'current') {
    return this.read('user', id, version);
  }

  room(id: string, version: Version = 'current') {
    return this.read('room', id, version);
  }

  call(id: string, version: Version = 'current') {
    return this.read('call', id, version);
  }

  deadline(id: string) {
    return this.read('deadline', id, 'current');
  }

  /** Writes a record read before in this attempt; `null` deletes it. */
  put<K extends RecordKind>(kind: K, id: string, value: RecordOf[K] | null): void {
    const slot = this.slots.get(recordKey(kind, id));
    if (!slot) throw new Error(`write of ${kind}:${id} without reading it first`);
    slot.current = value ?? undefined;
    slot.dirty = true;
  }

  /**
   * Sets or clears a deadline without reading it: a deadline is only ever replaced whole, and
   * the handler that fires it re-checks the state it is about.
   */
  setDeadline(id: string, deadline: Deadline | null): void {
    const key = recordKey('deadline', id);
    const slot = this.slots.get(key);
    if (slot) {
      slot.current = deadline ?? undefined;
      slot.dirty = true;
    } else {
      this.slots.set(key, {
        original: undefined,
        current: deadline ?? undefined,
        version: undefined,
        dirty: true,
      });
    }
  }

  bindSocket(socketId: string, binding: SocketBinding | null): void {
    this.sockets.set(socketId, binding);
  }

  /** Runs after a successful commit (logs, persistence, local timers). */
  after(fn: () => void): void {
    this.afterCommit.push(fn);
  }

  /** Ids of the records of `kind` this attempt changed. */
  changed(kind: RecordKind): string[] {
    const prefix = `${kind}:`;
    const ids: string[] = [];
    for (const [key, slot] of this.slots) {
      if (slot.dirty && key.startsWith(prefix)) ids.push(key.slice(prefix.length));
    }
    return ids;
  }

  get writes(): boolean {
    return this.sockets.size > 0 || [...this.slots.values()].some((slot) => slot.dirty);
  }

  async commit(derived: Derived): Promise<CommitOutcome> {
    const commit: Commit = {
      expect: [...this.slots]
        .filter(([, slot]) => slot.version !== undefined)
        .map(([key, slot]) => ({ key, version: slot.version as number })),
      writes: [...this.slots]
        .filter(([, slot]) => slot.dirty)
        .map(([key, slot]) => ({ key, value: slot.current ?? null })),
      sockets: [...this.sockets].map(([socketId, binding]) => ({ socketId, binding })),
      ...derived,
    };
    const outcome =
      commit.writes.length === 0 && commit.sockets.length === 0
        ? 'ok' // a read-only attempt saw a consistent snapshot only if nothing it read moved
        : await this.store.commit(commit);
    if (outcome === 'ok') for (const fn of this.afterCommit) fn();
    return outcome;
  }

  private async read<K extends RecordKind>(
    kind: K,
    id: string,
    version: Version,
  ): Promise<RecordOf[K] | undefined> {
    const key = recordKey(kind, id);
    let slot = this.slots.get(key);
    if (!slot) {
      let loading = this.pending.get(key);
      if (!loading) {
        loading = this.store.read([key]).then(([entry]) => {
          this.slots.set(key, {
            original: entry?.value,
            current: entry?.value,
            version: entry?.version ?? 0,
            dirty: false,
          });
        });
        this.pending.set(key, loading);
      }
      await loading;
      slot = this.slots.get(key) as Slot;
    }
    return (version === 'original' ? slot.original : slot.current) as RecordOf[K] | undefined;
  }
}
