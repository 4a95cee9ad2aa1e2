import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/*
 * Node liveness by leases. Each node holds `<p>node:<nodeId>` = its epoch with a TTL and
 * renews it; `<p>nodes` (a sorted set) records each node's last heartbeat. A node whose
 * lease has expired is dead: a survivor claims it and turns its sockets into disconnects,
 * the grace counted from its last heartbeat. Every commit checks the writer's lease (see
 * RedisStore), so a node that was only paused (GC stall, SIGSTOP) and wakes after it was
 * declared dead cannot write stale state back; its next heartbeat finds the lease gone and
 * it drops its sockets (they reconnect) and registers again as a new node.
 */

const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return 1
`;

export interface NodeLeaseOptions {
  readonly prefix: string;
  /** How long a silent node stays alive: detection takes at most this plus one scan. */
  readonly leaseMs: number;
  readonly clock?: () => number;
  /** This node's lease was lost (it was declared dead): drop every socket. */
  readonly onFenced: () => void;
  /** A dead node was claimed by this node: its sockets closed at `lastHeartbeat`. */
  readonly onDeadNode: (nodeId: string, lastHeartbeat: number) => Promise<void>;
  readonly log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

type Renewing = Redis & {
  owcRenew(numKeys: number, ...args: string[]): Promise<number>;
};

export class NodeLease {
  nodeId = '';
  epoch = '';
  /** When this process started serving: a deployment that was down counts graces from here. */
  readonly startedAt = Date.now();
  private readonly redis: Renewing;
  private readonly clock: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  private stopped = false;

  constructor(
    redis: Redis,
    private readonly options: NodeLeaseOptions,
  ) {
    if (!('owcRenew' in redis)) redis.defineCommand('owcRenew', { lua: RENEW_SCRIPT });
    this.redis = redis as Renewing;
    this.clock = options.clock ?? Date.now;
  }

  /** The fence every commit carries; an empty epoch (lease lost) fails every commit. */
  fence = (): { nodeId: string; epoch: string } => ({ nodeId: this.nodeId, epoch: this.epoch });

  async start(): Promise<void> {
    await this.register();
    // Renew three times per lease, so one slow round trip does not cost the lease.
    this.timer = setInterval(
      () => void this.tick(),
      Math.max(50, Math.floor(this.options.leaseMs / 3)),
    );
    this.timer.unref?.();
  }

  private key(nodeId: string): string {
    return `${this.options.prefix}node:${nodeId}`;
  }

  private async register(): Promise<void> {
    const { prefix, leaseMs } = this.options;
    this.nodeId = randomUUID();
    this.epoch = String(await this.redis.incr(`${prefix}epochs`));
    await this.redis
      .multi()
      .set(this.key(this.nodeId), this.epoch, 'PX', leaseMs)
      .zadd(`${prefix}nodes`, this.clock(), this.nodeId)
      .exec();
    this.options.log.info({ nodeId: this.nodeId, epoch: this.epoch }, 'node registered');
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      const { prefix, leaseMs } = this.options;
      const renewed = await this.redis.owcRenew(
        2,
        this.key(this.nodeId),
        `${prefix}nodes`,
        this.epoch,
        String(leaseMs),
        String(this.clock()),
        this.nodeId,
      );
      if (renewed === 0 && !this.stopped) {
        this.options.log.warn({ nodeId: this.nodeId }, 'node lease lost: dropping sockets');
        this.epoch = '';
        this.options.onFenced();
        await this.register();
      }
      await this.claimDead();
    } catch (err) {
      this.options.log.warn({ err }, 'node heartbeat failed');
    } finally {
      this.busy = false;
    }
  }

  /** Claims nodes whose lease expired and hands their sockets to `onDeadNode`. */
  async claimDead(): Promise<void> {
    const { prefix, leaseMs } = this.options;
    const stale = await this.redis.zrangebyscore(
      `${prefix}nodes`,
      '-inf',
      this.clock() - leaseMs,
      'WITHSCORES',
    );
    for (let i = 0; i < stale.length; i += 2) {
      const nodeId = stale[i] as string;
      const lastHeartbeat = Number(stale[i + 1]);
      if (nodeId === this.nodeId) continue;
      if ((await this.redis.exists(this.key(nodeId))) === 1) continue; // still leased
      // One survivor handles a dead node; handling is idempotent if the claim lapses.
      const claimed = await this.redis.set(
        `${prefix}claim:${nodeId}`,
        this.nodeId,
        'PX',
        30_000,
        'NX',
      );
      if (claimed !== 'OK') continue;
      this.options.log.info(
        { deadNode: nodeId, lastHeartbeat },
        'node declared dead: taking over its sockets',
      );
      await this.options.onDeadNode(nodeId, lastHeartbeat);
      await this.redis
        .multi()
        .zrem(`${prefix}nodes`, nodeId)
        .del(`${prefix}node-sockets:${nodeId}`)
        .exec();
    }
  }

  /** Whether any other node is alive (renewed its lease within the lease time). */
  async othersAlive(): Promise<boolean> {
    const { prefix, leaseMs } = this.options;
    const live = await this.redis.zrangebyscore(`${prefix}nodes`, this.clock() - leaseMs, '+inf');
    return live.some((id) => id !== this.nodeId);
  }

  /**
   * Stops renewing and gives the lease up. `release`: the sockets were handed over (a drain);
   * without it they stay, and whichever node starts next takes them over, counting their
   * grace from its own start (a restart of the whole deployment).
   */
  async stop(release = true): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (!this.epoch) return;
    if (!release) {
      // Dead at once, sockets left in place: the next node to start claims them before it
      // takes its first connection, so returning users find their seats waiting.
      await this.redis
        .multi()
        .del(this.key(this.nodeId))
        .zadd(`${this.options.prefix}nodes`, 0, this.nodeId)
        .exec()
        .catch(() => undefined);
      return;
    }
    await this.redis
      .multi()
      .del(this.key(this.nodeId))
      .zrem(`${this.options.prefix}nodes`, this.nodeId)
      .exec()
      .catch(() => undefined);
  }
}
