// The signaling domain's public surface, for the Socket.IO gateway and metrics.
export type { Actor } from './actor';
export {
  DEFAULT_SIGNALING_CONFIG,
  type SignalingConfig,
  type SignalingServiceOptions,
} from './core';
export {
  AUTHENTICATED_CHANNEL,
  type ChannelEffect,
  type DisconnectEffect,
  type Effect,
  type EmitEffect,
  type EmitTarget,
  roomChannel,
  routeOf,
  userChannel,
} from './effects';
export {
  noopPersistence,
  type PersistenceSink,
  RecordingPersistence,
} from './persistence';
export type { SignalEvent, SignalRoute, SignalScope } from './relay';
export type { Empty, Fail, Ok, Result } from './result';
export type { Clock, Scheduler, SignalingLogger } from './scheduler';
export { type ActorEvent, type SignalingCounts, SignalingService } from './service';
