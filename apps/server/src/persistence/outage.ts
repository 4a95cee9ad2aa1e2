/*
 * Errors that mean "the database is unreachable right now" (an outage: retry until it
 * returns). An allow-list: anything else is a write the database refused, which no retry
 * can fix, and must not hold every later write behind it (a NUL in a name, P2039, once
 * stalled the whole queue). Such a job is given up after `maxAttempts`.
 */
const OUTAGE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
const OUTAGE_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'DatabaseDoesNotExist',
]);
/** SQLSTATE: connection exceptions, shutdown / starting up, out of resources, db missing. */
const OUTAGE_SQLSTATE = /^(08...|57P0[1-3]|53...|3D000)$/;
const OUTAGE_SYSCALL = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const OUTAGE_MESSAGE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|connection.*closed|PGlite is closed|Can't reach database server|timed out fetching a new connection/i;

function isOutage(e: Record<string, unknown>): boolean {
  const { code, kind, originalCode, message } = e;
  if (typeof code === 'string') {
    if (OUTAGE_PRISMA_CODES.has(code) || OUTAGE_SYSCALL.has(code)) return true;
    if (OUTAGE_SQLSTATE.test(code)) return true;
  }
  if (typeof kind === 'string' && OUTAGE_ADAPTER_KINDS.has(kind)) return true;
  if (typeof originalCode === 'string' && OUTAGE_SQLSTATE.test(originalCode)) return true;
  return typeof message === 'string' && OUTAGE_MESSAGE.test(message);
}

export function isTransientDbError(err: unknown): boolean {
  // Prisma wraps driver errors: look through `cause` and the adapter error in `meta`.
  const seen = new Set<unknown>();
  const todo: unknown[] = [err];
  while (todo.length > 0) {
    const e = todo.pop();
    if (e === null || typeof e !== 'object' || seen.has(e) || seen.size > 16) continue;
    seen.add(e);
    const rec = e as Record<string, unknown>;
    if (isOutage(rec)) return true;
    todo.push(rec.cause, (rec.meta as Record<string, unknown> | undefined)?.driverAdapterError);
    if (Array.isArray(rec.errors)) todo.push(...rec.errors);
  }
  return false;
}
