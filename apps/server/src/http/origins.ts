import type { FastifyBaseLogger } from 'fastify';

// Origin headers are attacker-controlled: remember a bounded number, so a flood of made-up
// origins costs neither memory nor a log line per request.
const MAX_REMEMBERED = 100;

/**
 * Decides whether a browser origin may use the HTTP API and the Socket.IO handshake (WEB_ORIGIN),
 * and logs each refused origin once: the usual cause is an operator opening the app on an
 * address (127.0.0.1, a LAN IP, a new domain) that WEB_ORIGIN does not list.
 */
export function originGuard(allowed: readonly string[], log: Pick<FastifyBaseLogger, 'warn'>) {
  const reported = new Set<string>();
  return (origin: string | undefined): boolean => {
    // Browsers always send Origin on cross-origin requests; bots and apps send none.
    if (origin === undefined || allowed.includes(origin)) return true;
    if (!reported.has(origin) && reported.size < MAX_REMEMBERED) {
      reported.add(origin);
      log.warn(
        { origin, allowed },
        `refused a browser on origin ${origin}: it is not in WEB_ORIGIN; add it there if people open the app at that address`,
      );
    }
    return false;
  };
}
