import { withPrivacy } from './ice-servers';
import type { PeerConnectionFactory } from './types';

/**
 * The factory the app uses in the browser. Typed against PeerConnectionFactory, so the
 * typecheck proves a real RTCPeerConnection satisfies PeerConnectionLike.
 */
export const browserPeerConnectionFactory: PeerConnectionFactory = (config) =>
  new RTCPeerConnection(config);

/** The browser factory, relay-only while `hideIp()` says so ("Hide my IP address"). */
export function privacyAwareFactory(
  hideIp: () => boolean,
  inner: PeerConnectionFactory = browserPeerConnectionFactory,
): PeerConnectionFactory {
  return (config) => inner(withPrivacy(config, hideIp()));
}

/**
 * Connections present `certificate()` in DTLS when there is one (the device certificate of
 * verify/device-certificate.ts), so their fingerprint, and the safety code, stay the same
 * from call to call.
 */
export function withCertificate(
  certificate: () => RTCCertificate | null,
  inner: PeerConnectionFactory = browserPeerConnectionFactory,
): PeerConnectionFactory {
  return (config) => {
    const current = certificate();
    return inner(current ? { ...config, certificates: [current] } : config);
  };
}
