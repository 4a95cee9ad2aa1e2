import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, errorBody } from '../errors';

/**
 * One place turns every failure into `{ error: { code, message } }`. Catalog errors pass
 * through; Fastify's own client errors (bad JSON, body too large, wrong content type)
 * become VALIDATION_FAILED; anything else is logged once and answered as INTERNAL with no
 * stack trace.
 */
export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.status).send({ error: err.toBody() });
    }
    const status = err.statusCode ?? 500;
    if (status === 429) return reply.status(429).send({ error: errorBody('RATE_LIMITED') });
    if (status >= 400 && status < 500) {
      return reply
        .status(status === 413 || status === 415 ? status : 400)
        .send({ error: errorBody('VALIDATION_FAILED', err.message) });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: errorBody('INTERNAL') });
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send({ error: errorBody('NOT_FOUND', `No route ${request.method} ${request.url}`) });
  });
}
