export interface StaticTurnConfig {
  readonly url?: string | undefined;
  readonly username?: string | undefined;
  readonly credential?: string | undefined;
}

/**
 * The iceServers for new connections: what the server sent in `auth:ok`, plus a static TURN
 * server when one is configured (NEXT_PUBLIC_TURN_URL/USER/PASS, read by the caller). Several
 * URLs may be given comma-separated, e.g. `turn:host:3478?transport=udp,turns:host:5349`.
 */
export function buildIceServers(
  fromServer: readonly RTCIceServer[],
  turn: StaticTurnConfig = {},
): RTCIceServer[] {
  const urls = (turn.url ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url.length > 0);
  if (urls.length === 0) return [...fromServer];
  const server: RTCIceServer = { urls: urls.length === 1 ? (urls[0] as string) : urls };
  if (turn.username) server.username = turn.username;
  if (turn.credential) server.credential = turn.credential;
  return [...fromServer, server];
}

/** Whether any of these servers is a TURN server (the only way to hide one's address). */
export function hasTurnServer(servers: readonly RTCIceServer[]): boolean {
  return servers.some((server) =>
    (Array.isArray(server.urls) ? server.urls : [server.urls]).some((url) => /^turns?:/i.test(url)),
  );
}

/**
 * The configuration for a new connection: relay candidates only when the person asked to hide
 * their address and a TURN server exists (without one, 'relay' could never connect).
 */
export function withPrivacy(config: RTCConfiguration, hideIp: boolean): RTCConfiguration {
  if (!hideIp || !hasTurnServer(config.iceServers ?? [])) return config;
  return { ...config, iceTransportPolicy: 'relay' };
}
