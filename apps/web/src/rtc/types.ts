// Structural types of the call engine. They mirror the `webrtc:*` payloads of the wire
// contract (docs: /work/shared/PROTOCOL.md) without importing socket.io or zod, so the engine
// runs in tests with fakes and the Socket.IO adapter maps them 1:1 onto the shared schemas.

/** Exactly one of `roomId` / `callId` scopes a signal (PROTOCOL: otherwise VALIDATION_FAILED). */
export type SignalScope =
  | { readonly roomId: string; readonly callId?: undefined }
  | { readonly callId: string; readonly roomId?: undefined };

export type DescriptionKind = 'offer' | 'answer';

/** What the engine asks the signaling layer to send: `webrtc:offer|answer|ice` with `to`. */
export type OutgoingSignal = SignalScope & { readonly to: string } & PeerSignal;

/** A relayed `webrtc:offer|answer|ice` as the server delivers it, with `from`. */
export type IncomingSignal = {
  readonly from: string;
  readonly roomId?: string | undefined;
  readonly callId?: string | undefined;
} & PeerSignal;

/** The signal body a single peer session consumes (routing fields already used by the mesh). */
export type PeerSignal =
  | {
      readonly kind: DescriptionKind;
      readonly sdp: string;
      /** On an answer: the offer it answers (`offerTag`; a protocol extension). */
      readonly answers?: string | undefined;
    }
  | { readonly kind: 'ice'; readonly candidate: RTCIceCandidateInit | null };

/**
 * The transport the engine talks through. The Socket.IO implementation emits
 * `ClientEvent.WebrtcOffer|Answer|Ice` from `@openwcall/shared` and feeds the relayed
 * server events to `subscribe` listeners; tests use an in-memory one.
 */
export interface SignalingChannel {
  send(signal: OutgoingSignal): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (signal: IncomingSignal) => void): () => void;
  /**
   * `webrtc:signal:error` PEER_UNREACHABLE: the server could not deliver our signal to that
   * user (their socket is gone, within the reconnect grace). Returns the unsubscribe function.
   */
  subscribeUnreachable?(listener: (userId: string) => void): () => void;
}

/**
 * Connection state of one peer, as the UI shows it. `reconnecting` means media was up and is
 * being recovered (ICE restart); `failed` means the reconnect policy gave up.
 */
export type PeerState = 'new' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface RtpSenderLike {
  readonly track: MediaStreamTrack | null;
  replaceTrack(track: MediaStreamTrack | null): Promise<void>;
}

export interface IceCandidateEventLike {
  readonly candidate: { toJSON(): RTCIceCandidateInit } | null;
}

export interface TrackEventLike {
  readonly track: MediaStreamTrack;
  readonly streams: ReadonlyArray<MediaStream>;
}

/**
 * A data channel both ends create with the same `id` (`negotiated: true`), so it needs no
 * signaling of its own and exists from the first offer on. Features on top of the media
 * (chat, safety codes) each own one; the list lives where the mesh is built.
 */
export interface DataChannelSpec {
  readonly label: string;
  readonly id: number;
}

/** The part of RTCDataChannel the engine's features use (a real one satisfies it). */
export interface DataChannelLike {
  readonly label: string;
  readonly readyState: RTCDataChannelState;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  removeEventListener(type: 'open' | 'close', listener: () => void): void;
  removeEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
}

/**
 * One live connection to one peer, as features on top of the media see it: its data channels
 * and its statistics. A link is replaced (a new one announced) when the peer starts over.
 */
export interface PeerLink {
  readonly remoteUserId: string;
  channel(label: string): DataChannelLike | undefined;
  getStats(): Promise<RTCStatsReport>;
}

/**
 * The part of RTCPeerConnection the engine uses; a real RTCPeerConnection satisfies it
 * (checked by `browserPeerConnectionFactory` in peer-connection-factory.ts).
 */
export interface PeerConnectionLike {
  readonly signalingState: RTCSignalingState;
  readonly connectionState: RTCPeerConnectionState;
  readonly localDescription: RTCSessionDescriptionInit | null;
  readonly remoteDescription: RTCSessionDescriptionInit | null;
  setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void>;
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void>;
  addTrack(track: MediaStreamTrack, ...streams: MediaStream[]): RtpSenderLike;
  addTransceiver(kind: 'audio', init?: RTCRtpTransceiverInit): unknown;
  createDataChannel(label: string, init?: RTCDataChannelInit): DataChannelLike;
  getStats(): Promise<RTCStatsReport>;
  getConfiguration(): RTCConfiguration;
  setConfiguration(configuration: RTCConfiguration): void;
  restartIce(): void;
  close(): void;
  addEventListener(type: 'negotiationneeded', listener: () => void): void;
  addEventListener(type: 'connectionstatechange', listener: () => void): void;
  addEventListener(type: 'icecandidate', listener: (event: IceCandidateEventLike) => void): void;
  addEventListener(type: 'track', listener: (event: TrackEventLike) => void): void;
  removeEventListener(type: 'negotiationneeded', listener: () => void): void;
  removeEventListener(type: 'connectionstatechange', listener: () => void): void;
  removeEventListener(type: 'icecandidate', listener: (event: IceCandidateEventLike) => void): void;
  removeEventListener(type: 'track', listener: (event: TrackEventLike) => void): void;
}

export type PeerConnectionFactory = (config: RTCConfiguration) => PeerConnectionLike;
