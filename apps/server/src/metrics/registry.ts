import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config';
import { AppError } from '../errors';

/**
 * Prometheus metrics of one server instance. A registry per app (not prom-client's global
 * one) so that several apps in one test process do not collide.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    /** Run before each scrape to refresh gauges that are read, not counted. */
    beforeScrape: [] as Array<() => Promise<void>>,
    writeQueueLength: new Gauge({
      name: 'openwcall_db_write_queue_length',
      help: 'Database writes waiting (grows while the database is slow or down)',
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'openwcall_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    connectedSockets: new Gauge({
      name: 'openwcall_connected_sockets',
      help: 'Socket.IO connections open on this node',
      registers: [registry],
    }),
    authenticatedUsers: new Gauge({
      name: 'openwcall_authenticated_users',
      help: 'Users with at least one authenticated socket',
      registers: [registry],
    }),
    openRooms: new Gauge({
      name: 'openwcall_open_rooms',
      help: 'Rooms currently open',
      registers: [registry],
    }),
    participants: new Gauge({
      name: 'openwcall_room_participants',
      help: 'Participants across all rooms',
      registers: [registry],
    }),
    calls: new Gauge({
      name: 'openwcall_direct_calls',
      help: 'Direct calls by state',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    events: new Counter({
      name: 'openwcall_socket_events_total',
      help: 'Client events by name and outcome (ok or an error code)',
      labelNames: ['event', 'outcome'] as const,
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'openwcall_rate_limited_total',
      help: 'Events dropped by a rate limit, by bucket',
      labelNames: ['bucket'] as const,
      registers: [registry],
    }),
    relayLatency: new Histogram({
      name: 'openwcall_relay_latency_seconds',
      help: 'Time from receiving a webrtc:* event to handing it to the transport',
      labelNames: ['event'] as const,
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

async function scrape(metrics: Metrics): Promise<string> {
  await Promise.all(metrics.beforeScrape.map((refresh) => refresh()));
  return metrics.registry.metrics();
}

/** Hashing first gives timingSafeEqual equal lengths and hides the token's length. */
function bearerMatches(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  if (!header?.startsWith('Bearer ')) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(header.slice('Bearer '.length)), digest(token));
}

const NO_TOKEN = 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.';

/**
 * /metrics on the main (public) port only behind METRICS_TOKEN, and never when METRICS_PORT
 * moves it to an internal listener. With neither, the route does not exist (404): an
 * operator has to choose, so a scrape is never open to the internet by default.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  metrics: Metrics,
  exposure: Config['metrics'],
) {
  if (exposure.port !== undefined || exposure.token === undefined) return;
  app.get('/metrics', async (request, reply) => {
    if (!bearerMatches(request.headers.authorization, exposure.token)) {
      throw new AppError('UNAUTHENTICATED', NO_TOKEN);
    }
    reply.header('content-type', metrics.registry.contentType);
    return scrape(metrics);
  });
}

/**
 * The internal listener for METRICS_PORT (undefined without it): a bare HTTP server that
 * answers GET /metrics (still behind METRICS_TOKEN when that is set too) and 404 to anything
 * else. Not listening yet; see `listenMetrics`.
 */
export function createMetricsServer(
  metrics: Metrics,
  { port, token }: Config['metrics'],
): Server | undefined {
  if (port === undefined) return undefined;
  return createServer((request, response) => {
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'content-type': type }).end(body);
    };
    const fail = (err: AppError) =>
      send(err.status, 'application/json; charset=utf-8', JSON.stringify({ error: err.toBody() }));
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      return fail(new AppError('NOT_FOUND', `No route ${request.method} ${path}`));
    }
    if (!bearerMatches(request.headers.authorization, token)) {
      return fail(new AppError('UNAUTHENTICATED', NO_TOKEN));
    }
    scrape(metrics).then(
      (text) => send(200, metrics.registry.contentType, text),
      () => fail(new AppError('INTERNAL')),
    );
  });
}

/** Resolves once listening, rejects (port taken, bad host) so start-up fails loudly. */
export function listenMetrics(server: Server, { port, host }: Config['metrics']): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function closeMetrics(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Prometheus keeps its connection alive between scrapes; close() alone would wait for it.
    server.closeAllConnections();
  });
}
