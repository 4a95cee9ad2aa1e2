import type { z } from 'zod';
import type { AckResponse, clientEventSchemas, serverEventSchemas } from './schemas';

/** Client → server event names (PROTOCOL.md "Socket events: client → server"). */
export const ClientEvent = {
  AuthHello: 'auth:hello',
  PresenceSet: 'presence:set',
  RoomCreate: 'room:create',
  RoomJoin: 'room:join',
  RoomLeave: 'room:leave',
  RoomSelfMute: 'room:self:mute',
  /** Extension: deafen (README "Protocol extensions"). */
  RoomSelfDeafen: 'room:self:deafen',
  CallInvite: 'call:direct:invite',
  CallAccept: 'call:direct:accept',
  CallDecline: 'call:direct:decline',
  CallEnd: 'call:direct:end',
  /** Extension: the other party sees your mute in a 1:1 call (README "Protocol extensions"). */
  CallSelfMute: 'call:self:mute',
  WebrtcOffer: 'webrtc:offer',
  WebrtcAnswer: 'webrtc:answer',
  WebrtcIce: 'webrtc:ice',
  HostMute: 'room:host:mute',
  HostKick: 'room:host:kick',
  HostLock: 'room:host:lock',
} as const;

/** Server → client event names (PROTOCOL.md "Socket events: server → client"). */
export const ServerEvent = {
  AuthOk: 'auth:ok',
  PresenceList: 'presence:list',
  RoomList: 'room:list',
  RoomJoined: 'room:joined',
  ParticipantJoined: 'room:participant:joined',
  ParticipantLeft: 'room:participant:left',
  ParticipantUpdated: 'room:participant:updated',
  CallIncoming: 'call:direct:incoming',
  CallState: 'call:direct:state',
  CallMuted: 'call:direct:muted',
  WebrtcOffer: 'webrtc:offer',
  WebrtcAnswer: 'webrtc:answer',
  WebrtcIce: 'webrtc:ice',
  SignalError: 'webrtc:signal:error',
  HostAction: 'room:host:action',
  Error: 'error',
} as const;

export type ClientEventName = (typeof ClientEvent)[keyof typeof ClientEvent];
export type ServerEventName = (typeof ServerEvent)[keyof typeof ServerEvent];

export const CLIENT_EVENT_NAMES = Object.values(ClientEvent) as ClientEventName[];
export const SERVER_EVENT_NAMES = Object.values(ServerEvent) as ServerEventName[];

type ClientSchemas = typeof clientEventSchemas;
type ServerSchemas = typeof serverEventSchemas;

/** What a client sends for event E (before the server's parsing/normalising). */
export type ClientPayload<E extends ClientEventName> = z.input<ClientSchemas[E]['payload']>;
/** What the server works with after parsing event E. */
export type ParsedClientPayload<E extends ClientEventName> = z.output<ClientSchemas[E]['payload']>;
/** The success part of event E's acknowledgement. */
export type ClientResult<E extends ClientEventName> = z.output<ClientSchemas[E]['result']>;
export type ServerPayload<E extends ServerEventName> = z.output<ServerSchemas[E]>;

export type Ack<E extends ClientEventName> = (response: AckResponse<ClientResult<E>>) => void;

/** Typed Socket.IO map for `socket.emit(...)` on the client / `socket.on(...)` on the server. */
export type ClientToServerEvents = {
  [E in ClientEventName]: (payload: ClientPayload<E>, ack?: Ack<E>) => void;
};

/** Typed Socket.IO map for `socket.emit(...)` on the server / `socket.on(...)` on the client. */
export type ServerToClientEvents = {
  [E in ServerEventName]: (payload: ServerPayload<E>) => void;
};
