// The call engine: framework-free WebRTC for rooms (full mesh) and direct calls.
export { Emitter } from './emitter';
export { buildIceServers, hasTurnServer, type StaticTurnConfig, withPrivacy } from './ice-servers';
export {
  type CallMedia,
  type LocalAudio,
  MediaSession,
  type MediaSessionOptions,
  type MediaSessionState,
  type MeshFactory,
} from './media-session';
export {
  Mesh,
  type MeshEvents,
  type MeshOptions,
  type MeshSnapshot,
  type PeerSnapshot,
} from './mesh';
export {
  browserPeerConnectionFactory,
  privacyAwareFactory,
  withCertificate,
} from './peer-connection-factory';
export {
  isPolite,
  PeerSession,
  type PeerSessionEvents,
  type PeerSessionOptions,
} from './peer-session';
export {
  type BackoffOptions,
  createBackoffPolicy,
  defaultReconnectPolicy,
  type ReconnectContext,
  type ReconnectPolicy,
} from './reconnect-policy';
export type * from './types';
