import type { z } from 'zod';
import { AppError } from '../errors';

/** Parses a request body with a shared schema; VALIDATION_FAILED names the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new AppError('VALIDATION_FAILED', `${where}${issue?.message ?? 'invalid body'}`);
}
