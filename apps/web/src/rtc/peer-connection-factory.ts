import type { Logger, PeerConnectionFactory } from './types';

/**
 * The factory the app uses in the browser. Typed against PeerConnectionFactory, so the
 * typecheck proves a real RTCPeerConnection satisfies PeerConnectionLike.
 */
export const browserPeerConnectionFactory: PeerConnectionFactory = (config) =>
  new RTCPeerConnection(config);

export const consoleLogger: Logger = {
  debug: (message, context) => console.debug(`[rtc] ${message}`, context ?? ''),
  info: (message, context) => console.info(`[rtc] ${message}`, context ?? ''),
  warn: (message, context) => console.warn(`[rtc] ${message}`, context ?? ''),
};

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
};
