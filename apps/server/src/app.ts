import type { Server } from 'node:http';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import { type Database, seedDemoUsers } from '@openwcall/db';
import { openDatabase } from '@openwcall/db/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { Server as SocketServer } from 'socket.io';
import { listenForAccountEvents } from './accounts/account-events';
import { AdminPolicy, touchUser } from './accounts/accounts';
import { registerAccountRoutes } from './accounts/routes';
import { registerAdminRoutes } from './admin/routes';
import { AdminUsers } from './admin/users';
import { AccessTokens } from './auth/access-token';
import { RefreshSessions } from './auth/refresh-sessions';
import { registerAuthRoutes } from './auth/routes';
import type { Config } from './config';
import { AddressCounter } from './gateway/address-counter';
import { socketCloser } from './gateway/socket-closer';
import {
  attachGateway,
  batchFanout,
  performEffects,
  type SignalingServer,
} from './gateway/socket-gateway';
import { registerCallHistory } from './http/call-history';
import { registerErrorHandling } from './http/errors';
import { registerHealth } from './http/health';
import { originGuard } from './http/origins';
import { trustFunction } from './http/trust-proxy';
import { registerInvitationRoutes } from './invitations/routes';
import {
  closeMetrics,
  createMetrics,
  createMetricsServer,
  listenMetrics,
  type Metrics,
  registerMetricsRoute,
} from './metrics/registry';
import { connectSharedState } from './nodes/shared-state';
import { PrismaPersistence } from './persistence/prisma-persistence';
import { closeWhatSharedStateForgot } from './persistence/reconcile-shared';
import { loadOpenState } from './persistence/restore-query';
import { SignalingService } from './signaling';
import { restoreState } from './signaling/restore';
import { InMemoryStore } from './store/in-memory-store';
import { registerUserDirectory } from './users/directory';

/** Closes every local socket's transport (not a Socket.IO disconnect): clients reconnect by themselves. */
function dropLocalSockets(io: SignalingServer): void {
  for (const socket of io.of('/').sockets.values()) socket.conn.close();
}

export interface AppContext {
  config: Config;
  db: Database;
  tokens: AccessTokens;
  metrics: Metrics;
  /** The internal /metrics listener, when METRICS_PORT is set. */
  metricsServer: Server | undefined;
  io: SignalingServer;
  signaling: SignalingService;
  persistence: PrismaPersistence;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
}

export interface BuildOptions {
  /** Use this database instead of opening the one the config names (tests). */
  db?: Database;
}

/**
 * Builds the whole server — HTTP routes and the Socket.IO signaling endpoint on the same
 * port — without listening. Opens the database and applies pending migrations first.
 * `main.ts` listens; tests call `buildApp(config)` and listen on port 0.
 */
export async function buildApp(
  config: Config,
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    trustProxy: trustFunction(config.trustProxy),
    bodyLimit: 64 * 1024,
    // Socket.IO handles its own upgrade; keep Fastify from timing out idle sockets early.
    forceCloseConnections: true,
  });

  if (config.auth.jwtSecretGenerated) {
    app.log.warn(
      'JWT_SECRET is not set: using a random secret for this process. Tokens will not survive a restart. Set JWT_SECRET (32+ characters) for real use.',
    );
  }

  const db = options.db ?? (await openDatabase({ ...config.database, logger: app.log }));
  const applied = await db.migrate();
  if (applied.length > 0) app.log.info({ applied }, 'database migrations applied');
  if (config.seedDemoUsers && (await db.prisma.user.count()) === 0) {
    await seedDemoUsers(db.prisma);
    app.log.info('empty database: demo users created');
  }

  const metrics = createMetrics();
  const tokens = new AccessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds);
  const shared = config.redis.url
    ? connectSharedState({
        url: config.redis.url,
        prefix: config.redis.prefix,
        leaseMs: config.redis.leaseMs,
        log: app.log,
      })
    : null;
  if (shared) await shared.start();
  let draining = false;
  const addresses = new AddressCounter(config.signaling.maxSocketsPerIp, config.trustProxy);
  const allowOrigin = originGuard(config.webOrigins, app.log);
  const io: SignalingServer = new SocketServer(app.server, {
    maxHttpBufferSize: config.signaling.maxHttpBufferBytes,
    ...(shared ? { adapter: shared.adapter } : {}),
    cors: { origin: config.webOrigins, credentials: true },
    allowRequest: (req, callback) => {
      // A draining node takes no new sockets: clients retry and land on another node.
      if (draining) return callback('draining', false);
      if (!addresses.admits(req)) return callback('too many connections from this address', false);
      callback(null, allowOrigin(req.headers.origin));
    },
  });
  const persistence = new PrismaPersistence(db.prisma, { log: app.log });
  const signaling = new SignalingService({
    store: shared ? shared.store : new InMemoryStore(),
    ...(shared ? { nodeId: () => shared.lease.nodeId } : {}),
    config: {
      maxRoomParticipants: config.signaling.maxRoomParticipants,
      reconnectGraceMs: config.signaling.reconnectGraceMs,
      ringTimeoutMs: config.signaling.ringTimeoutMs,
      maxSocketsPerUser: config.signaling.maxSocketsPerUser,
    },
    findUser: async (id) => {
      const row = await db.prisma.user.findUnique({
        where: { id },
        select: { id: true, displayName: true },
      });
      return row;
    },
    emit: (effects) => performEffects(io, effects),
    persistence,
    log: app.log,
  });
  const fanout =
    config.signaling.fanoutBatchMs > 0
      ? batchFanout(
          io,
          config.signaling.fanoutBatchMs,
          () => signaling.core.store.roomList(),
          (err) => app.log.warn({ err }, 'room list broadcast failed'),
        )
      : undefined;
  attachGateway({
    io,
    service: signaling,
    tokens,
    config,
    metrics,
    log: app.log,
    addresses,
    draining: () => draining,
    accountState: (userId, sid) => touchUser(db.prisma, userId, sid),
  });
  const sockets = socketCloser(io);
  const stopAccountEvents = await listenForAccountEvents(
    db,
    socketCloser(io, { local: true }),
    app.log,
  ).catch((err: unknown) => {
    app.log.warn(
      { err },
      'cannot listen for account events; command-line disables wait for token expiry',
    );
    return async () => undefined;
  });
  const sessions = new RefreshSessions(db.prisma, config.auth.refreshTokenTtlDays, sockets);
  const policy = new AdminPolicy(config.auth.adminEmails);
  const adminUsers = new AdminUsers({
    prisma: db.prisma,
    policy,
    sessions,
    sockets,
    webOrigins: config.webOrigins,
    onlineUserIds: async () =>
      new Set((await signaling.core.store.presenceList()).map((entry) => entry.userId)),
  });
  if (!shared) {
    // Embedded mode: this process held all live state; put back what the database knows.
    await restoreState(
      signaling.core,
      await loadOpenState(db.prisma, new Date()),
      config.restartGraceMs,
    );
  }
  if (shared) {
    const reconcile = () =>
      closeWhatSharedStateForgot(db.prisma, shared.store, new Date()).then(
        (closed) => {
          if (closed.rooms + closed.calls > 0)
            app.log.info(closed, 'closed rooms and calls the shared state no longer has');
        },
        (err) => app.log.warn({ err }, 'could not reconcile the database with the shared state'),
      );
    shared.hooks.onFenced = () => {
      dropLocalSockets(io);
      // A lost lease may mean Redis came back empty: its rooms and calls are gone.
      void reconcile();
    };
    shared.hooks.onDeadNode = async (nodeId, lastHeartbeat) => {
      // When the whole deployment was down (a restart), nobody could notice the death before
      // this node started: the grace runs from now, so people have time to reconnect.
      const closedAt = Math.max(lastHeartbeat, shared.lease.startedAt);
      for (const socketId of await shared.store.nodeSockets(nodeId)) {
        const result = await signaling.disconnected(socketId, closedAt);
        performEffects(io, result.effects);
      }
    };
    signaling.core.startPolling(config.redis.deadlinePollMs);
    await shared.takeOverDeadNodes();
    await reconcile();
  }
  metrics.beforeScrape.push(async () => {
    const counts = await signaling.counts();
    metrics.openRooms.set(counts.openRooms);
    metrics.participants.set(counts.participants);
    metrics.authenticatedUsers.set(counts.onlineUsers);
    metrics.calls.set({ state: 'ringing' }, counts.ringingCalls);
    metrics.calls.set({ state: 'accepted' }, counts.acceptedCalls);
    metrics.writeQueueLength.set(persistence.queue.length);
  });
  const metricsServer = createMetricsServer(metrics, config.metrics);
  app.decorate('ctx', { config, db, tokens, metrics, metricsServer, io, signaling, persistence });

  await app.register(helmet, { contentSecurityPolicy: false, crossOriginResourcePolicy: false });
  await app.register(cors, {
    origin: (origin, callback) => callback(null, allowOrigin(origin)),
    credentials: true,
    // @fastify/cors allows only GET, HEAD and POST by default; the account and admin routes
    // also PATCH and DELETE, and a browser refuses them without this in the preflight.
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
  });
  registerErrorHandling(app);

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
    });
  });

  registerHealth(app, db, shared ? { redis: () => shared.ping() } : {});
  registerMetricsRoute(app, metrics, config.metrics);
  if (metricsServer) app.addHook('onReady', () => listenMetrics(metricsServer, config.metrics));
  registerAuthRoutes(app, {
    config,
    db,
    tokens,
    sessions,
    ...(shared ? { throttles: shared.throttles } : {}),
  });
  registerAccountRoutes(app, {
    prisma: db.prisma,
    tokens,
    sessions,
    policy,
    onRenamed: (userId, displayName) => signaling.renamed(userId, displayName),
  });
  registerInvitationRoutes(app, db.prisma);
  registerAdminRoutes(app, {
    prisma: db.prisma,
    tokens,
    policy,
    users: adminUsers,
    webOrigins: config.webOrigins,
  });
  registerCallHistory(app, { db, tokens });
  registerUserDirectory(app, { db, tokens });

  // preClose, not onClose: Fastify closes the HTTP server before its onClose hooks, and that
  // close waits for every upgraded WebSocket; with clients connected it would never finish.
  app.addHook('preClose', async () => {
    draining = true;
    // The last node going down (a restart of the whole deployment) leaves its sockets and
    // lease as they are: the next node to start takes them over with a fresh grace.
    const handOver = shared ? await shared.lease.othersAlive().catch(() => false) : false;
    if (shared && handOver) {
      // A deploy: this node's users move to another node within the grace. Their sockets
      // are recorded as gone first, so the new socket on another node takes the seat over,
      // then only the transport is closed: clients reconnect on their own.
      await Promise.all(
        [...io.of('/').sockets.values()].map(async (socket) => {
          if (!socket.data.user) return;
          const result = await signaling.disconnected(socket.id).catch(() => null);
          if (result) performEffects(io, result.effects);
        }),
      );
      dropLocalSockets(io);
    }
    signaling.close();
    await fanout?.flush();
    await new Promise<void>((resolve) => io.close(() => resolve()));
    await shared?.close(handOver);
  });
  app.addHook('onClose', async () => {
    await stopAccountEvents();
    if (metricsServer) await closeMetrics(metricsServer);
    await persistence.queue.close();
    if (!options.db) await db.close();
  });

  return app;
}
