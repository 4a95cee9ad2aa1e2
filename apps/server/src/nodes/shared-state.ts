import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { redisThrottles, type ThrottleFactory } from '../auth/throttle';
import { RedisStore } from '../store/redis-store';
import { NodeLease } from './node-lease';

/*
 * Multi-node mode (REDIS_URL set): the shared store, the Socket.IO Redis adapter that
 * delivers events to sockets on any node, and this node's lease. One command connection
 * (commands fail fast while Redis is down: no offline queue, so events answer UNAVAILABLE
 * instead of hanging) and the adapter's publish/subscribe pair.
 */

export interface SharedStateOptions {
  readonly url: string;
  readonly prefix: string;
  readonly leaseMs: number;
  readonly log: {
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
}

export interface SharedState {
  readonly store: RedisStore;
  readonly lease: NodeLease;
  readonly adapter: ReturnType<typeof createAdapter>;
  /** Login and registration counters shared by every node. */
  readonly throttles: ThrottleFactory;
  /** Set before `start()`: what to do when this node is fenced or finds a dead node. */
  hooks: {
    onFenced: () => void;
    onDeadNode: (nodeId: string, lastHeartbeat: number) => Promise<void>;
  };
  start(): Promise<void>;
  ping(): Promise<void>;
  /** Takes over nodes that died (or stopped without a hand-over) before this one started. */
  takeOverDeadNodes(): Promise<void>;
  /** `release`: give the lease up (false when the whole deployment is going down). */
  close(release?: boolean): Promise<void>;
}

/**
 * The adapter fires publish/subscribe commands without handling their promises (the same
 * pattern as socketio/socket.io-redis-emitter#139): one still in flight when the connection
 * closes rejects unheard, and Node treats an unhandled rejection as fatal. Every command of
 * the adapter's clients gets a handler that logs instead; callers that await still see it.
 */
function observeDiscardedReplies(client: Redis, log: SharedStateOptions['log']): void {
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command, stream) => {
    command.promise.catch((err: unknown) =>
      log.warn({ err, command: command.name }, 'Redis adapter command failed'),
    );
    return send(command, stream);
  }) as Redis['sendCommand'];
}

export function connectSharedState(options: SharedStateOptions): SharedState {
  const retryStrategy = (times: number) => Math.min(times * 100, 1000);
  // No CLIENT SETINFO at connect: Redis before 7.2 answers it with an error.
  const commands = new Redis(options.url, {
    disableClientInfo: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy,
  });
  const pub = new Redis(options.url, { disableClientInfo: true, retryStrategy });
  const sub = pub.duplicate();
  // The store's own subscription (change notifications for the relay's read memory).
  const changes = pub.duplicate();
  for (const client of [pub, sub]) observeDiscardedReplies(client, options.log);
  let reported = false;
  for (const client of [commands, pub, sub, changes]) {
    client.on('error', (err) => {
      if (reported) return;
      reported = true;
      options.log.warn({ err }, 'Redis connection error (retrying)');
    });
    client.on('ready', () => {
      if (reported) options.log.info({}, 'Redis connection restored');
      reported = false;
    });
  }

  const hooks: SharedState['hooks'] = { onFenced: () => {}, onDeadNode: async () => {} };
  const lease = new NodeLease(commands, {
    prefix: options.prefix,
    leaseMs: options.leaseMs,
    log: options.log,
    onFenced: () => hooks.onFenced(),
    onDeadNode: (nodeId, at) => hooks.onDeadNode(nodeId, at),
  });
  const store = new RedisStore(commands, {
    prefix: options.prefix,
    fence: lease.fence,
    subscriber: changes,
  });
  const adapter = createAdapter(pub, sub, { key: `${options.prefix}socket.io` });

  return {
    store,
    lease,
    adapter,
    throttles: redisThrottles(commands, options.prefix),
    hooks,
    async start() {
      if (commands.status !== 'ready') {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`Redis at ${options.url} is not reachable`)),
            10_000,
          );
          commands.once('ready', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      await lease.start();
    },
    takeOverDeadNodes: () => lease.claimDead(),
    async ping() {
      await commands.ping();
    },
    async close(release = true) {
      await lease.stop(release);
      // quit, not disconnect: replies still in flight settle instead of rejecting unheard.
      await Promise.all(
        [commands, pub, sub, changes].map((client) =>
          client.quit().catch(() => client.disconnect()),
        ),
      );
    },
  };
}
