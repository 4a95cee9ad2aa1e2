// Where the server is and which static TURN server to add. One build serves any deployment:
// the root layout renders the values it reads from the environment *at request time* into
// <meta name="openwcall:*"> tags, and the browser reads them here. Build-time NEXT_PUBLIC_*
// values are the fallback (they are what `next dev` users set), then the documented default.

export interface RuntimeConfig {
  readonly serverUrl: string;
  readonly turn: {
    readonly url?: string | undefined;
    readonly username?: string | undefined;
    readonly credential?: string | undefined;
  };
}

export const DEFAULT_SERVER_URL = 'http://localhost:4000';

/**
 * OPENWCALL_SERVER_URL=same-origin: a reverse proxy (deploy/nginx.conf) serves the server's
 * routes and /socket.io/ next to the pages, so the browser talks to the origin it was opened on:
 * no second port to open, no CORS, and one build works under any host name.
 */
export const SAME_ORIGIN = 'same-origin';

export const META = {
  serverUrl: 'openwcall:server-url',
  turnUrl: 'openwcall:turn-url',
  turnUser: 'openwcall:turn-user',
  turnPass: 'openwcall:turn-pass',
} as const;

function nonEmpty(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Server side: the values the layout renders, read from the environment at request time. */
export function readServerEnvConfig(env: Record<string, string | undefined>): RuntimeConfig {
  return {
    serverUrl:
      nonEmpty(env.OPENWCALL_SERVER_URL) ??
      nonEmpty(process.env.NEXT_PUBLIC_SERVER_URL) ??
      DEFAULT_SERVER_URL,
    turn: {
      url: nonEmpty(env.OPENWCALL_TURN_URL) ?? nonEmpty(process.env.NEXT_PUBLIC_TURN_URL),
      username: nonEmpty(env.OPENWCALL_TURN_USER) ?? nonEmpty(process.env.NEXT_PUBLIC_TURN_USER),
      credential: nonEmpty(env.OPENWCALL_TURN_PASS) ?? nonEmpty(process.env.NEXT_PUBLIC_TURN_PASS),
    },
  };
}

/** Browser side: reads the meta tags the layout rendered. */
export function readBrowserConfig(
  doc: Pick<Document, 'querySelector'>,
  pageOrigin: string | undefined = globalThis.location?.origin,
): RuntimeConfig {
  const meta = (name: string) =>
    nonEmpty(doc.querySelector(`meta[name="${name}"]`)?.getAttribute('content'));
  const configured =
    meta(META.serverUrl) ?? nonEmpty(process.env.NEXT_PUBLIC_SERVER_URL) ?? DEFAULT_SERVER_URL;
  const serverUrl = configured === SAME_ORIGIN && pageOrigin ? pageOrigin : configured;
  return {
    serverUrl: serverUrl.replace(/\/+$/, ''),
    turn: {
      url: meta(META.turnUrl) ?? nonEmpty(process.env.NEXT_PUBLIC_TURN_URL),
      username: meta(META.turnUser) ?? nonEmpty(process.env.NEXT_PUBLIC_TURN_USER),
      credential: meta(META.turnPass) ?? nonEmpty(process.env.NEXT_PUBLIC_TURN_PASS),
    },
  };
}
