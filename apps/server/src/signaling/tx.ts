import type { LockKey, RecordKind, RecordOf, SignalingStore, StoreWrite } from '../store/store';

/** Thrown when an operation reads a record whose key it does not hold; the runner retries with it. */
export class MissingLock extends Error {
  constructor(readonly key: LockKey) {
    super(`operation needs the lock ${key}`);
  }
}

interface Slot<T> {
  readonly original: T | undefined;
  current: T | undefined;
  dirty: boolean;
}

export type Version = 'current' | 'original';

/**
 * One operation's view of the store while it holds its locks: reads are cached, writes are
 * buffered and committed in one batch, so a refused operation changes nothing. Reading a
 * record whose key is not held throws MissingLock: the runner then takes that lock too and
 * runs the operation again from scratch. Operations therefore need no exact lock plan up
 * front, yet never act on a record another operation could be changing.
 */
export class Tx {
  private readonly slots = new Map<LockKey, Slot<unknown>>();
  private readonly socketWrites = new Map<string, string | null>();
  private readonly afterCommit: Array<() => void> = [];

  constructor(
    private readonly store: SignalingStore,
    private readonly held: ReadonlySet<LockKey>,
  ) {}

  user(id: string, version: Version = 'current') {
    return this.read('user', id, version);
  }

  room(id: string, version: Version = 'current') {
    return this.read('room', id, version);
  }

  call(id: string, version: Version = 'current') {
    return this.read('call', id, version);
  }

  /** Writes a record read before in this operation; `null` deletes it. */
  put<K extends RecordKind>(kind: K, id: string, value: RecordOf[K] | null): void {
    const slot = this.slots.get(`${kind}:${id}`);
    if (!slot) throw new Error(`write of ${kind}:${id} without reading it first`);
    slot.current = value ?? undefined;
    slot.dirty = true;
  }

  bindSocket(socketId: string, userId: string | null): void {
    this.socketWrites.set(socketId, userId);
  }

  /** Runs after a successful commit, still under the locks (timers, persistence). */
  after(fn: () => void): void {
    this.afterCommit.push(fn);
  }

  /** Ids of the records of `kind` this operation changed. */
  changed(kind: RecordKind): string[] {
    const prefix = `${kind}:`;
    const ids: string[] = [];
    for (const [key, slot] of this.slots) {
      if (slot.dirty && key.startsWith(prefix)) ids.push(key.slice(prefix.length));
    }
    return ids;
  }

  async commit(): Promise<void> {
    const changes: StoreWrite[] = [];
    for (const [key, slot] of this.slots) {
      if (!slot.dirty) continue;
      const split = key.indexOf(':');
      const kind = key.slice(0, split) as RecordKind;
      const id = key.slice(split + 1);
      changes.push({ kind, id, value: slot.current ?? null } as StoreWrite);
    }
    for (const [id, value] of this.socketWrites) changes.push({ kind: 'socket', id, value });
    if (changes.length > 0) await this.store.write(changes);
    for (const fn of this.afterCommit) fn();
  }

  private async read<K extends RecordKind>(
    kind: K,
    id: string,
    version: Version,
  ): Promise<RecordOf[K] | undefined> {
    const key: LockKey = `${kind}:${id}`;
    if (!this.held.has(key)) throw new MissingLock(key);
    let slot = this.slots.get(key) as Slot<RecordOf[K]> | undefined;
    if (!slot) {
      const value = (await this.fetch(kind, id)) as RecordOf[K] | undefined;
      // Another read of the same key may have finished while this one awaited.
      slot = (this.slots.get(key) as Slot<RecordOf[K]> | undefined) ?? {
        original: value,
        current: value,
        dirty: false,
      };
      this.slots.set(key, slot);
    }
    return version === 'original' ? slot.original : slot.current;
  }

  private fetch(kind: RecordKind, id: string) {
    switch (kind) {
      case 'user':
        return this.store.getUser(id);
      case 'room':
        return this.store.getRoom(id);
      case 'call':
        return this.store.getCall(id);
    }
  }
}
