import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import { type Database, seedDemoUsers } from '@openwcall/db';
import { openDatabase } from '@openwcall/db/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { Server as SocketServer } from 'socket.io';
import { AccessTokens } from './auth/access-token';
import { registerAuthRoutes } from './auth/routes';
import type { Config } from './config';
import { attachGateway, performEffects, type SignalingServer } from './gateway/socket-gateway';
import { registerCallHistory } from './http/call-history';
import { registerErrorHandling } from './http/errors';
import { registerHealth } from './http/health';
import { createMetrics, type Metrics, registerMetricsRoute } from './metrics/registry';
import { PrismaPersistence } from './persistence/prisma-persistence';
import { SignalingService } from './signaling';
import { InMemoryStore } from './store/in-memory-store';

export interface AppContext {
  config: Config;
  db: Database;
  tokens: AccessTokens;
  metrics: Metrics;
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
    // Fastify's overloads take each form separately, not the union.
    ...(config.trustProxy === false ? {} : { trustProxy: config.trustProxy as number }),
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
  const io: SignalingServer = new SocketServer(app.server, {
    maxHttpBufferSize: config.signaling.maxHttpBufferBytes,
    cors: { origin: config.webOrigins, credentials: true },
    // Browsers always send Origin; bots and apps send none and still need a token.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, origin === undefined || config.webOrigins.includes(origin));
    },
  });
  const persistence = new PrismaPersistence(db.prisma, { log: app.log });
  const signaling = new SignalingService({
    store: new InMemoryStore(),
    config: {
      maxRoomParticipants: config.signaling.maxRoomParticipants,
      reconnectGraceMs: config.signaling.reconnectGraceMs,
      ringTimeoutMs: config.signaling.ringTimeoutMs,
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
  attachGateway({ io, service: signaling, tokens, config, metrics, log: app.log });
  metrics.beforeScrape.push(async () => {
    const counts = await signaling.counts();
    metrics.openRooms.set(counts.openRooms);
    metrics.participants.set(counts.participants);
    metrics.authenticatedUsers.set(counts.authenticatedUsers);
    metrics.calls.set({ state: 'ringing' }, counts.calls.ringing);
    metrics.calls.set({ state: 'accepted' }, counts.calls.accepted);
    metrics.writeQueueLength.set(persistence.queue.length);
  });
  app.decorate('ctx', { config, db, tokens, metrics, io, signaling, persistence });

  await app.register(helmet, { contentSecurityPolicy: false, crossOriginResourcePolicy: false });
  await app.register(cors, { origin: config.webOrigins, credentials: true });
  registerErrorHandling(app);

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequests.inc({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
    });
  });

  registerHealth(app, db);
  registerMetricsRoute(app, metrics);
  registerAuthRoutes(app, { config, db, tokens });
  registerCallHistory(app, { db, tokens });

  // preClose, not onClose: Fastify closes the HTTP server before its onClose hooks, and that
  // close waits for every upgraded WebSocket; with clients connected it would never finish.
  app.addHook('preClose', async () => {
    signaling.close();
    await new Promise<void>((resolve) => io.close(() => resolve()));
  });
  app.addHook('onClose', async () => {
    await persistence.queue.close();
    if (!options.db) await db.close();
  });

  return app;
}
