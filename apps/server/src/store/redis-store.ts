import type { PresenceEntry, RoomSummary } from '@openwcall/shared';
import type { Redis } from 'ioredis';
import { sortRooms } from './in-memory-store';
import {
  type Commit,
  type CommitOutcome,
  type Deadline,
  FencedError,
  type RecordKey,
  type SignalingStore,
  type SocketBinding,
  type StoreCounts,
  StoreUnavailableError,
  type Versioned,
} from './store';

/*
 * The store shared by every node of a deployment, in Redis.
 *
 *   <p>rec:{<kind>:<id>}      hash { v: version, d: JSON }   one record (user, room, call, deadline)
 *   <p>seq                    the store-wide version sequence
 *   <p>sock:<socketId>        JSON { userId, nodeId }       socket → user index
 *   <p>node-sockets:<nodeId>  set of socket ids             what a dead node leaves behind
 *   <p>node:<nodeId>          the node's lease (its epoch, with a TTL)
 *   <p>presence, <p>rooms     hashes of the presence entries and room summaries
 *   <p>due                    sorted set deadline id → due time
 *   <p>counts                 hash of counters
 *
 * A commit is one Lua script: it checks the writer's lease (fencing: a node declared dead
 * cannot write any more), compares every version read, then applies records and indexes.
 * Redis runs a script alone, so the check and the writes are one atomic step. Records sit
 * under their own hash tag; the index keys are global, so this runs on a single Redis (or a
 * primary with replicas), not Redis Cluster.
 */

const COMMIT_SCRIPT = `
local p = cjson.decode(ARGV[1])
local prefix = ARGV[2]
if p.fence ~= false then
  if redis.call('GET', prefix .. 'node:' .. p.fence[1]) ~= p.fence[2] then return 'fenced' end
end
for _, e in ipairs(p.expect) do
  local v = redis.call('HGET', KEYS[e[1]], 'v')
  local n = 0
  if v then n = tonumber(v) end
  if n ~= e[2] then return 'conflict' end
end
local version = redis.call('INCR', prefix .. 'seq')
for _, w in ipairs(p.writes) do
  local key = KEYS[w[1]]
  if w[2] == false then redis.call('DEL', key) else redis.call('HSET', key, 'v', version, 'd', w[2]) end
  if w[3] ~= false then
    if w[2] == false then redis.call('ZREM', prefix .. 'due', w[3])
    else redis.call('ZADD', prefix .. 'due', w[4], w[3]) end
  end
end
for _, s in ipairs(p.sockets) do
  local key = prefix .. 'sock:' .. s[1]
  local old = redis.call('GET', key)
  if old then redis.call('SREM', prefix .. 'node-sockets:' .. cjson.decode(old).nodeId, s[1]) end
  if s[2] == false then redis.call('DEL', key)
  else
    redis.call('SET', key, s[2])
    redis.call('SADD', prefix .. 'node-sockets:' .. s[3], s[1])
  end
end
for _, e in ipairs(p.presence) do
  if e[2] == false then redis.call('HDEL', prefix .. 'presence', e[1])
  else redis.call('HSET', prefix .. 'presence', e[1], e[2]) end
end
for _, e in ipairs(p.rooms) do
  if e[2] == false then redis.call('HDEL', prefix .. 'rooms', e[1])
  else redis.call('HSET', prefix .. 'rooms', e[1], e[2]) end
end
for name, delta in pairs(p.counters) do
  redis.call('HINCRBY', prefix .. 'counts', name, delta)
end
if #p.writes > 0 then
  local changed = {}
  for i, w in ipairs(p.writes) do changed[i] = KEYS[w[1]] end
  redis.call('PUBLISH', prefix .. 'changed', table.concat(changed, ' '))
end
return 'ok'
`;

/** How long a record read for the relay may be answered from memory at most (a lost notification's bound). */
const RECENT_TTL_MS = 5000;
/** Above this many remembered records the memory is simply dropped (rooms and users of this node's relays). */
const RECENT_MAX = 50_000;

export interface RedisStoreOptions {
  /** Key prefix: one deployment (or one test) per prefix. */
  readonly prefix: string;
  /** The writer's lease, checked by every commit; absent = unfenced (tests, tools). */
  readonly fence?: () => { nodeId: string; epoch: string } | null;
  /**
   * A connection in subscriber mode for the commits' change notifications. Without it,
   * `readRecent` reads Redis every time.
   */
  readonly subscriber?: Redis;
}

type Evaluating = Redis & {
  owcCommit(numKeys: number, ...args: string[]): Promise<string>;
};

export class RedisStore implements SignalingStore {
  private readonly redis: Evaluating;
  private readonly prefix: string;

  constructor(
    redis: Redis,
    private readonly options: RedisStoreOptions,
  ) {
    this.prefix = options.prefix;
    if (!('owcCommit' in redis)) redis.defineCommand('owcCommit', { lua: COMMIT_SCRIPT });
    this.redis = redis as Evaluating;
    const sub = options.subscriber;
    if (sub) {
      const channel = `${this.prefix}changed`;
      sub.on('message', (from: string, message: string) => {
        if (from === channel) this.forget(message.split(' '));
      });
      // Notifications sent while the subscription was down are lost: forget everything.
      sub.on('ready', () => this.recent.clear());
      this.subscribed = sub.subscribe(channel).then(
        () => true,
        () => false,
      );
    }
  }

  /**
   * Records read for the relay, by Redis key. `changedAt` notes when a key was last changed, so
   * that a read issued before a change and answered after its notification is not remembered.
   */
  private readonly recent = new Map<string, { at: number; entry: Versioned }>();
  private readonly changedAt = new Map<string, number>();
  private subscribed: Promise<boolean> = Promise.resolve(false);

  private forget(redisKeys: readonly string[]) {
    const now = performance.now();
    for (const key of redisKeys) {
      this.recent.delete(key);
      this.changedAt.set(key, now);
    }
  }

  async readRecent(keys: readonly RecordKey[]): Promise<Versioned[]> {
    if (!(await this.subscribed)) return this.read(keys);
    const now = performance.now();
    const out: Versioned[] = new Array(keys.length);
    const missing: number[] = [];
    keys.forEach((key, i) => {
      const hit = this.recent.get(this.recordKey(key));
      if (hit && now - hit.at < RECENT_TTL_MS) out[i] = hit.entry;
      else missing.push(i);
    });
    if (missing.length === 0) return out;
    const started = performance.now();
    const fresh = await this.read(missing.map((i) => keys[i] as RecordKey));
    if (this.recent.size > RECENT_MAX) this.recent.clear();
    const answered = performance.now();
    missing.forEach((at, n) => {
      const entry = fresh[n] as Versioned;
      out[at] = entry;
      const key = this.recordKey(keys[at] as RecordKey);
      if ((this.changedAt.get(key) ?? -1) < started) this.recent.set(key, { at: answered, entry });
    });
    // changedAt only has to outlive the reads in flight.
    if (this.changedAt.size > RECENT_MAX) {
      for (const [key, at] of this.changedAt)
        if (answered - at > RECENT_TTL_MS) this.changedAt.delete(key);
    }
    return out;
  }

  private recordKey(key: RecordKey): string {
    return `${this.prefix}rec:{${key}}`;
  }

  async read(keys: readonly RecordKey[]): Promise<Versioned[]> {
    if (keys.length === 0) return [];
    const rows = await this.call(() => {
      const pipeline = this.redis.pipeline();
      for (const key of keys) pipeline.hmget(this.recordKey(key), 'v', 'd');
      return pipeline.exec();
    });
    return (rows ?? []).map(([err, row]) => {
      if (err) throw new StoreUnavailableError(err);
      const [version, data] = row as [string | null, string | null];
      return version === null || data === null
        ? { value: undefined, version: 0 }
        : { value: JSON.parse(data), version: Number(version) };
    });
  }

  async commit(commit: Commit): Promise<CommitOutcome> {
    const keys: string[] = [];
    const index = new Map<RecordKey, number>();
    const slot = (key: RecordKey) => {
      let at = index.get(key);
      if (at === undefined) {
        keys.push(this.recordKey(key));
        at = keys.length; // Lua arrays start at 1
        index.set(key, at);
      }
      return at;
    };
    const fence = this.options.fence?.() ?? null;
    const payload = {
      fence: fence ? [fence.nodeId, fence.epoch] : false,
      expect: commit.expect.map(({ key, version }) => [slot(key), version]),
      writes: commit.writes.map(({ key, value }) => {
        const deadlineId = key.startsWith('deadline:') ? key.slice('deadline:'.length) : false;
        return [
          slot(key),
          value === null ? false : JSON.stringify(value),
          deadlineId,
          value === null || deadlineId === false ? 0 : (value as Deadline).due,
        ];
      }),
      sockets: commit.sockets.map(({ socketId, binding }) =>
        binding === null
          ? [socketId, false, false]
          : [socketId, JSON.stringify(binding), binding.nodeId],
      ),
      presence: commit.presence.map(({ userId, entry }) => [
        userId,
        entry === null ? false : JSON.stringify(entry),
      ]),
      rooms: commit.rooms.map(({ roomId, summary }) => [
        roomId,
        summary === null ? false : JSON.stringify(summary),
      ]),
      // cjson turns an empty table into an array; an object with no keys is still fine.
      counters: commit.counters,
    };
    const outcome = await this.call(() =>
      this.redis.owcCommit(keys.length, ...keys, JSON.stringify(payload), this.prefix),
    );
    if (outcome === 'fenced') throw new FencedError(fence?.nodeId ?? '?');
    // Our own change is known here now, before its notification comes back.
    if (outcome === 'ok' && commit.writes.length > 0)
      this.forget(commit.writes.map(({ key }) => this.recordKey(key)));
    return outcome === 'ok' ? 'ok' : 'conflict';
  }

  async getSocket(socketId: string): Promise<SocketBinding | undefined> {
    const raw = await this.call(() => this.redis.get(`${this.prefix}sock:${socketId}`));
    return raw === null ? undefined : (JSON.parse(raw) as SocketBinding);
  }

  async presenceList(): Promise<PresenceEntry[]> {
    const all = await this.call(() => this.redis.hvals(`${this.prefix}presence`));
    return all.map((raw) => JSON.parse(raw) as PresenceEntry);
  }

  async roomList(): Promise<RoomSummary[]> {
    const all = await this.call(() => this.redis.hvals(`${this.prefix}rooms`));
    return sortRooms(all.map((raw) => JSON.parse(raw) as RoomSummary & { createdAt: number }));
  }

  async dueDeadlines(now: number, limit: number): Promise<string[]> {
    return this.call(() =>
      this.redis.zrangebyscore(`${this.prefix}due`, '-inf', now, 'LIMIT', 0, limit),
    );
  }

  async counts(): Promise<StoreCounts> {
    const [counters, onlineUsers, openRooms] = await this.call(() =>
      Promise.all([
        this.redis.hgetall(`${this.prefix}counts`),
        this.redis.hlen(`${this.prefix}presence`),
        this.redis.hlen(`${this.prefix}rooms`),
      ]),
    );
    const n = (name: string) => Number(counters[name] ?? 0);
    return {
      onlineUsers,
      openRooms,
      sockets: n('sockets'),
      participants: n('participants'),
      ringingCalls: n('ringingCalls'),
      acceptedCalls: n('acceptedCalls'),
    };
  }

  /** Sockets a node had bound (a dead node's are turned into disconnects). */
  nodeSockets(nodeId: string): Promise<string[]> {
    return this.call(() => this.redis.smembers(`${this.prefix}node-sockets:${nodeId}`));
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof FencedError || err instanceof StoreUnavailableError) throw err;
      // Every failure of the client is an unreachable or unwilling Redis here: the script and
      // the commands are fixed, so a bad request would be a bug caught by the contract suite.
      throw new StoreUnavailableError(err);
    }
  }
}
