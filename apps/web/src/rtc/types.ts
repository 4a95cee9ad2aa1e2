// Structural types of the call engine. They mirror the `webrtc:*` payloads of the wire
// contract (docs: /work/shared/PROTOCOL.md) without importing socket.io or zod, so the engine
// runs in tests with fakes and the Socket.IO adapter maps them 1:1 onto the shared schemas.

/** Exactly one of `roomId` / `callId` scopes a signal (PROTOCOL: otherwise VALIDATION_FAILED). */
export type SignalScope =
  | { readonly roomId: string; readonly callId?: undefined }
  | { readonly callId: string; readonly roomId?: undefined };

export type DescriptionKind = 'offer' | 'answer';

/** What the engine asks the signaling layer to send: `webrtc:offer|answer|ice` with `to`. */
export type OutgoingSignal = SignalScope & { readonly to: string } & (
    | { readonly kind: DescriptionKind; readonly sdp: string }
    | { readonly kind: 'ice'; readonly candidate: RTCIceCandidateInit | null }
  );

/** A relayed `webrtc:offer|answer|ice` as the server delivers it, with `from`. */
export type IncomingSignal = {
  readonly from: string;
  readonly roomId?: string | undefined;
  readonly callId?: string | undefined;
} & (
  | { readonly kind: DescriptionKind; readonly sdp: string }
  | { readonly kind: 'ice'; readonly candidate: RTCIceCandidateInit | null }
);

/** The signal body a single peer session consumes (routing fields already used by the mesh). */
export type PeerSignal =
  | { readonly kind: DescriptionKind; readonly sdp: string }
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
