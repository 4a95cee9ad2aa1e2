import { type Logger, silentLogger } from '../base/logger';
import { Emitter } from './emitter';
import { PeerSession, type PeerSessionOptions } from './peer-session';
import type {
  DataChannelSpec,
  IncomingSignal,
  PeerConnectionFactory,
  PeerLink,
  PeerSignal,
  PeerState,
  SignalingChannel,
  SignalScope,
} from './types';

export interface MeshOptions {
  readonly localUserId: string;
  /** The room (or the accepted direct call) every signal of this mesh is scoped to. */
  readonly scope: SignalScope;
  readonly signaling: SignalingChannel;
  readonly createPeerConnection: PeerConnectionFactory;
  /** From `auth:ok`, plus any static TURN servers (see ice-servers.ts). */
  readonly iceServers: readonly RTCIceServer[];
  /** The microphone track; null joins listen-only. The mesh never stops tracks: the caller owns them. */
  readonly localTrack: MediaStreamTrack | null;
  readonly localStream?: MediaStream | null;
  /** Data channels every connection of this mesh carries (chat, safety codes). */
  readonly dataChannels?: readonly DataChannelSpec[];
  readonly logger?: Logger;
  /** Passed to every PeerSession (timers and reconnect policy). */
  readonly session?: Pick<
    PeerSessionOptions,
    'disconnectGraceMs' | 'restartTimeoutMs' | 'reconnectPolicy' | 'unreachableRetryMs'
  >;
}

export interface PeerSnapshot {
  readonly userId: string;
  readonly state: PeerState;
  readonly remoteStream: MediaStream | null;
  readonly polite: boolean;
  readonly initiator: boolean;
}

export interface MeshSnapshot {
  readonly peers: readonly PeerSnapshot[];
  readonly muted: boolean;
  readonly sending: boolean;
}

export interface MeshEvents extends Record<string, unknown> {
  peerState: { readonly userId: string; readonly from: PeerState; readonly to: PeerState };
  remoteStream: { readonly userId: string; readonly stream: MediaStream | null };
  peerRemoved: { readonly userId: string };
  /** A connection to `userId` was created (first contact, or a replacement after a reset). */
  peerLinked: { readonly userId: string; readonly link: PeerLink };
  /** The room or call is over: the last event, after which every listener is dropped. */
  closed: undefined;
}

/**
 * The full mesh of one room (or the single pair of a direct call): one PeerSession per other
 * participant. The newcomer offers to everyone already there; members wait for its offer.
 * React renders `getSnapshot()` through `subscribe` (useSyncExternalStore-compatible).
 */
export class Mesh {
  private readonly options: MeshOptions;
  private readonly log: Logger;
  private readonly sessions = new Map<string, PeerSession>();
  private readonly sessionUnsubscribes = new Map<string, Array<() => void>>();
  private readonly events = new Emitter<MeshEvents & { change: undefined }>();
  private readonly unsubscribeSignaling: () => void;
  private readonly unsubscribeUnreachable: () => void;
  private localTrack: MediaStreamTrack | null;
  private iceServers: readonly RTCIceServer[];
  private muted = false;
  /** Push-to-talk released or deafened (media/transmit.ts): like a mute, without the flag. */
  private gated = false;
  private sending = true;
  private closed = false;
  private snapshot: MeshSnapshot = { peers: [], muted: false, sending: true };

  constructor(options: MeshOptions) {
    this.options = options;
    this.log = options.logger ?? silentLogger;
    this.localTrack = options.localTrack;
    this.iceServers = options.iceServers;
    this.unsubscribeSignaling = options.signaling.subscribe((signal) => this.handleSignal(signal));
    this.unsubscribeUnreachable =
      options.signaling.subscribeUnreachable?.((userId) =>
        this.sessions.get(userId)?.retryUnreachable(),
      ) ?? (() => {});
  }

  /**
   * We joined (or re-joined after a reconnect): `participantIds` are the room's members as
   * `room:joined` lists them. We offer to each one we have no session with, restart ICE on
   * sessions that are not connected or whose offer went unanswered, and drop sessions of users no longer listed.
   */
  join(participantIds: readonly string[]): void {
    if (this.closed) return;
    const others = new Set(participantIds.filter((id) => id !== this.options.localUserId));
    for (const userId of [...this.sessions.keys()]) {
      if (!others.has(userId)) this.removeSession(userId);
    }
    for (const userId of others) {
      const existing = this.sessions.get(userId);
      if (!existing) this.addSession(userId, true);
      else if (existing.state !== 'connected' || !existing.signalingStable) {
        existing.restartIce('rejoined');
      }
    }
    this.publish();
  }

  /**
   * We entered (a first join, not a resume): offer to each of `participantIds` we have no
   * session with yet. Unlike `join`, it leaves every existing session alone: it may run a
   * moment after the membership it lists (see RoomController), when someone who joined after
   * us already has a session waiting for their offer.
   */
  enter(participantIds: readonly string[]): void {
    if (this.closed) return;
    for (const userId of participantIds) {
      if (userId !== this.options.localUserId && !this.sessions.has(userId)) {
        this.addSession(userId, true);
      }
    }
    this.publish();
  }

  /** `room:participant:joined`: a newcomer will offer to us, so we wait for it. */
  participantJoined(userId: string): void {
    if (this.closed || userId === this.options.localUserId || this.sessions.has(userId)) return;
    this.addSession(userId, false);
    this.publish();
  }

  /** `room:participant:left` (left, kicked or disconnected). */
  participantLeft(userId: string): void {
    if (!this.sessions.has(userId)) return;
    this.removeSession(userId);
    this.publish();
  }

  /** Routes a relayed `webrtc:offer|answer|ice` to its session; signals of other scopes are ignored. */
  handleSignal(signal: IncomingSignal): void {
    if (this.closed || !this.inScope(signal) || signal.from === this.options.localUserId) return;
    const body: PeerSignal =
      signal.kind === 'ice'
        ? { kind: 'ice', candidate: signal.candidate }
        : { kind: signal.kind, sdp: signal.sdp, answers: signal.answers };
    let session = this.sessions.get(signal.from);
    if (!session) {
      // An offer may overtake `room:participant:joined` (e.g. across server nodes); trust the
      // server, which relays only between members of the same room.
      if (body.kind !== 'offer') {
        this.log.debug('dropping a signal from an unknown peer', { from: signal.from });
        return;
      }
      session = this.addSession(signal.from, false);
      this.publish();
    }
    void session.receive(body);
  }

  /**
   * Switches the microphone on every connection (RTCRtpSender.replaceTrack, no renegotiation).
   * The new track inherits the mute state; stopping the old one is the caller's job.
   */
  async replaceTrack(track: MediaStreamTrack | null): Promise<void> {
    this.localTrack = track;
    if (track) track.enabled = !this.muted && !this.gated;
    await this.applyOutgoingTrack();
  }

  /** Self mute: the track keeps flowing as silence, so unmuting is instant. */
  setMuted(muted: boolean): void {
    this.muted = muted;
    if (this.localTrack) this.localTrack.enabled = !muted && !this.gated;
    this.publish();
  }

  setGated(gated: boolean): void {
    if (this.closed) return;
    this.gated = gated;
    if (this.localTrack) this.localTrack.enabled = !this.muted && !gated;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Host mute stops sending altogether (no RTP leaves, whatever the track does);
   * `setSending(true)` resumes when the user unmutes.
   */
  async setSending(sending: boolean): Promise<void> {
    this.sending = sending;
    this.publish();
    await this.applyOutgoingTrack();
  }

  /**
   * Fresh ICE servers (TURN credentials expire; the server hands out new ones with every
   * `auth:hello`): new connections get them, and live ones use them from their next restart.
   */
  setIceServers(iceServers: readonly RTCIceServer[]): void {
    if (this.closed) return;
    this.iceServers = iceServers;
    for (const session of this.sessions.values()) session.setIceServers(iceServers);
  }

  /** Restarts ICE on every connection, e.g. after the signaling socket came back. */
  restartIce(): void {
    for (const session of this.sessions.values()) session.restartIce('requested');
  }

  /** The current connection to each peer, for features that join a mesh already running. */
  links(): readonly PeerLink[] {
    return [...this.sessions.values()];
  }

  getSnapshot(): MeshSnapshot {
    return this.snapshot;
  }

  /** Called after any change of `getSnapshot()`; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    return this.events.on('change', listener);
  }

  on<K extends keyof MeshEvents>(event: K, listener: (payload: MeshEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Closes every connection and stops listening to signaling; safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribeSignaling();
    this.unsubscribeUnreachable();
    for (const userId of [...this.sessions.keys()]) this.removeSession(userId);
    this.publish();
    this.events.emit('closed', undefined);
    this.events.clear();
  }

  private inScope(signal: IncomingSignal): boolean {
    const { scope } = this.options;
    return scope.roomId !== undefined
      ? signal.roomId === scope.roomId
      : signal.callId === scope.callId;
  }

  private outgoingTrack(): MediaStreamTrack | null {
    return this.sending ? this.localTrack : null;
  }

  private async applyOutgoingTrack(): Promise<void> {
    const track = this.outgoingTrack();
    await Promise.all(
      [...this.sessions.values()].map((session) =>
        session.setOutgoingTrack(track).catch((error: unknown) => {
          this.log.warn('could not replace the outgoing track', {
            peer: session.remoteUserId,
            error,
          });
        }),
      ),
    );
  }

  private addSession(userId: string, initiator: boolean): PeerSession {
    const { options } = this;
    const session = new PeerSession({
      ...options.session,
      localUserId: options.localUserId,
      remoteUserId: userId,
      scope: options.scope,
      initiator,
      createPeerConnection: options.createPeerConnection,
      send: (signal) => options.signaling.send(signal),
      iceServers: this.iceServers,
      localTrack: this.outgoingTrack(),
      localStream: options.localStream ?? null,
      dataChannels: options.dataChannels ?? [],
      logger: this.log,
    });
    this.sessions.set(userId, session);
    this.sessionUnsubscribes.set(userId, [
      session.on('state', ({ from, to }) => {
        this.events.emit('peerState', { userId, from, to });
        this.publish();
      }),
      session.on('remoteStream', ({ stream }) => {
        this.events.emit('remoteStream', { userId, stream });
        this.publish();
      }),
      session.on('remoteReset', ({ signal }) => this.replaceSession(userId, session, signal)),
    ]);
    this.events.emit('peerLinked', { userId, link: session });
    return session;
  }

  // The remote side started over with a fresh RTCPeerConnection (reload within the server's
  // reconnect grace): a new local connection is the only way to accept its new DTLS identity.
  private replaceSession(userId: string, stale: PeerSession, signal: PeerSignal): void {
    if (this.sessions.get(userId) !== stale) return;
    this.log.info('peer restarted its connection; replacing the session', { peer: userId });
    this.removeSession(userId, false);
    const fresh = this.addSession(userId, false);
    this.publish();
    void fresh.receive(signal);
  }

  private removeSession(userId: string, announce = true): void {
    const session = this.sessions.get(userId);
    if (!session) return;
    for (const unsubscribe of this.sessionUnsubscribes.get(userId) ?? []) unsubscribe();
    this.sessionUnsubscribes.delete(userId);
    this.sessions.delete(userId);
    session.close();
    if (announce) this.events.emit('peerRemoved', { userId });
  }

  private publish(): void {
    this.snapshot = {
      muted: this.muted,
      sending: this.sending,
      peers: [...this.sessions.entries()].map(([userId, session]) => ({
        userId,
        state: session.state,
        remoteStream: session.remoteStream,
        polite: session.polite,
        initiator: session.initiator,
      })),
    };
    this.events.emit('change', undefined);
  }
}
