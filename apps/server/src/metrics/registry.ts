import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

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

export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics) {
  app.get('/metrics', async (_request, reply) => {
    await Promise.all(metrics.beforeScrape.map((refresh) => refresh()));
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
