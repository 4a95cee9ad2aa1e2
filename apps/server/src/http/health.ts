import type { Database } from '@openwcall/db';
import type { FastifyInstance } from 'fastify';

export type HealthCheck = () => Promise<void>;

/** `/health`: 200 when every dependency answers, 503 naming the ones that do not. */
export function registerHealth(
  app: FastifyInstance,
  db: Database,
  extra: Record<string, HealthCheck> = {},
) {
  const checks: Record<string, HealthCheck> = { database: () => db.ping(), ...extra };
  app.get('/health', async (request, reply) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2000);
          return [name, 'ok'] as const;
        } catch (err) {
          request.log.warn({ err, check: name }, 'health check failed');
          return [name, 'down'] as const;
        }
      }),
    );
    const degraded = results.some(([, r]) => r === 'down');
    return reply
      .status(degraded ? 503 : 200)
      .send({ status: degraded ? 'degraded' : 'ok', checks: Object.fromEntries(results) });
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
