import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import { type Database, seedDemoUsers } from '@openwcall/db';
import { openDatabase } from '@openwcall/db/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { Server as SocketServer } from 'socket.io';
import { AccessTokens } from './auth/access-token';
import { registerAuthRoutes } from './auth/routes';
import type { Config } from './config';
import { registerCallHistory } from './http/call-history';
import { registerErrorHandling } from './http/errors';
import { registerHealth } from './http/health';
import { createMetrics, type Metrics, registerMetricsRoute } from './metrics/registry';

export interface AppContext {
  config: Config;
  db: Database;
  tokens: AccessTokens;
  metrics: Metrics;
  io: SocketServer;
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
    trustProxy: config.trustProxy,
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
  const io = new SocketServer(app.server, {
    maxHttpBufferSize: config.signaling.maxHttpBufferBytes,
    cors: { origin: config.webOrigins, credentials: true },
    // Browsers always send Origin; bots and apps send none and still need a token.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, origin === undefined || config.webOrigins.includes(origin));
    },
  });
  app.decorate('ctx', { config, db, tokens, metrics, io });

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

  app.addHook('onClose', async () => {
    await new Promise<void>((resolve) => io.close(() => resolve()));
    if (!options.db) await db.close();
  });

  return app;
}
