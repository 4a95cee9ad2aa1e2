import { type Logger, silentLogger } from '../base/logger';
import { Emitter } from './emitter';
import { defaultReconnectPolicy, type ReconnectPolicy } from './reconnect-policy';
import type {
  DataChannelLike,
  DataChannelSpec,
  IceCandidateEventLike,
  OutgoingSignal,
  PeerConnectionFactory,
  PeerConnectionLike,
  PeerLink,
  PeerSignal,
  PeerState,
  RtpSenderLike,
  SignalScope,
  TrackEventLike,
} from './types';

export interface PeerSessionOptions {
  readonly localUserId: string;
  readonly remoteUserId: string;
  readonly scope: SignalScope;
  /**
   * Whether this side sends the first offer. The other side attaches its track only once that
   * offer arrives, so the two never race to make the first offer (glare stays for renegotiation).
   */
  readonly initiator: boolean;
  readonly createPeerConnection: PeerConnectionFactory;
  /** Outgoing offer/answer/ICE; the mesh passes its signaling channel's `send`. */
  readonly send: (signal: OutgoingSignal) => void;
  readonly iceServers: readonly RTCIceServer[];
  /** The microphone track to send, or null to only receive (it can be set later). */
  readonly localTrack: MediaStreamTrack | null;
  /** Sent as the track's stream so the remote `track` event carries a MediaStream. */
  readonly localStream?: MediaStream | null;
  /** Defaults to `isPolite(localUserId, remoteUserId)`. */
  readonly polite?: boolean;
  /** How long `disconnected` may last before an ICE restart; browsers often recover alone. */
  readonly disconnectGraceMs?: number;
  /** An ICE restart that has not connected after this long counts as failed. */
  readonly restartTimeoutMs?: number;
  /**
   * How long our own unanswered offer may wait before a colliding offer makes us re-send it.
   * The peer offered without having seen ours; over a signaling path with a round trip of tens
   * of milliseconds, ours is then most likely lost (a network change killed the peer's socket
   * while we both restarted). A needless copy costs one extra answer, which we drop as stale.
   */
  readonly staleOfferMs?: number;
  /**
   * An offer unanswered this long was lost (or its answer was): roll it back and restart, so a
   * renegotiation on a live connection cannot wait forever either.
   */
  readonly answerTimeoutMs?: number;
  /** Delay before re-offering to a peer the server reported PEER_UNREACHABLE. */
  readonly unreachableRetryMs?: number;
  readonly reconnectPolicy?: ReconnectPolicy;
  /** Pre-negotiated data channels, created on both ends before the first offer. */
  readonly dataChannels?: readonly DataChannelSpec[];
  /** How often a heartbeat ping goes over the heartbeat channel while connected. */
  readonly heartbeatIntervalMs?: number;
  /**
   * A ping unanswered this long means the path is gone (a network change): restart ICE now
   * instead of waiting for the browser's own checks (Chrome: ~5 s to `disconnected`).
   */
  readonly heartbeatTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface PeerSessionEvents extends Record<string, unknown> {
  state: { readonly from: PeerState; readonly to: PeerState; readonly reason: string };
  remoteStream: { readonly stream: MediaStream | null; readonly track: MediaStreamTrack };
  /**
   * A new offer could not be applied on top of the current session (the remote peer restarted
   * with a fresh RTCPeerConnection, e.g. after a page reload). The owner should replace this
   * session with a new one and hand it `signal`.
   */
  remoteReset: { readonly signal: PeerSignal; readonly error: unknown };
}

/**
 * The politeness rule both ends compute the same way: the peer with the smaller user id
 * (UTF-16 order) is polite and yields on glare.
 */
export function isPolite(localUserId: string, remoteUserId: string): boolean {
  return localUserId < remoteUserId;
}

// Remote candidates buffered before any remote description; a well-behaved peer sends a few
// dozen at most, so this only bounds a misbehaving one.
const MAX_PENDING_CANDIDATES = 256;

/**
 * The engine's own negotiated channel, on every connection: far above the small ids features
 * take from DataChannelSpec, and below Chrome's 1024 SCTP streams.
 */
export const HEARTBEAT_CHANNEL = {
  label: 'heartbeat',
  id: 1000,
} as const satisfies DataChannelSpec;

/** The ICE username fragment of a description (`a=ice-ufrag:`), which names its ICE generation. */
export function iceUfragOf(sdp: string | undefined): string | undefined {
  return /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];
}

/** The session id and version of a description's `o=` line (`o=<user> <id> <version> …`). */
function sdpOrigin(sdp: string | undefined): { id: string; version?: string } | undefined {
  const origin = /^o=\S+ (\d+) (?:(\d+) )?/m.exec(sdp ?? '');
  if (!origin?.[1]) return undefined;
  return origin[2] ? { id: origin[1], version: origin[2] } : { id: origin[1] };
}

/**
 * Names an offer: the session id and version of its `o=` line. Every new description of a
 * connection takes the next version, so two offers never share a tag; a copy of one does.
 */
export function offerTag(sdp: string | undefined): string | undefined {
  const origin = sdpOrigin(sdp);
  return origin?.version && `${origin.id}.${origin.version}`;
}

/** The session id of a description's `o=` line: fixed for the life of the connection that made it. */
export function sdpSessionId(sdp: string | undefined): string | undefined {
  return sdpOrigin(sdp)?.id;
}

/**
 * One RTCPeerConnection to one remote user, negotiated with MDN's "Perfect negotiation"
 * (https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Perfect_negotiation):
 * the impolite peer ignores colliding offers, the polite peer rolls its own offer back.
 * Recovers media with ICE restarts paced by a ReconnectPolicy.
 */
export class PeerSession implements PeerLink {
  readonly remoteUserId: string;
  readonly polite: boolean;
  readonly initiator: boolean;

  private readonly options: PeerSessionOptions;
  private readonly pc: PeerConnectionLike;
  private readonly log: Logger;
  private readonly policy: ReconnectPolicy;
  private readonly events = new Emitter<PeerSessionEvents>();

  private currentState: PeerState = 'new';
  private makingOffer = false;
  private offerSentAt = 0;
  private unreachableTimer: ReturnType<typeof setTimeout> | null = null;
  private ignoreOffer = false;
  /** Until the first offer/answer exchange completes, a non-initiator does not offer. */
  private negotiated = false;
  private pendingCandidates: RTCIceCandidateInit[] = [];
  /** Incoming signals are applied one at a time, in arrival order. */
  private inbox: Promise<void> = Promise.resolve();
  private localTrack: MediaStreamTrack | null;
  private sender: RtpSenderLike | null = null;
  private remote: MediaStream | null = null;
  private readonly channels = new Map<string, DataChannelLike>();
  private readonly heartbeat: DataChannelLike;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  /** When the peer was last heard on the heartbeat channel (reset by our own stalls). */
  private lastHeardAt: number | null = null;
  private lastBeatAt: number | null = null;
  /** Bytes received when the peer was first late; taken only then (getStats is not free). */
  private silenceSample: Promise<number | undefined> | null = null;
  /**
   * Whether the peer ever spoke on the heartbeat channel. Until it has, its silence proves
   * nothing: a peer without the heartbeat (an older tab during a deploy) would otherwise see
   * its connection restarted every second.
   */
  private heartbeatHeard = false;

  private restartAttempt = 0;
  private lostAt: number | null = null;
  private graceTimer: ReturnType<typeof setTimeout> | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdogTimer: ReturnType<typeof setTimeout> | null = null;
  private answerTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: PeerSessionOptions) {
    this.options = options;
    this.remoteUserId = options.remoteUserId;
    this.initiator = options.initiator;
    this.polite = options.polite ?? isPolite(options.localUserId, options.remoteUserId);
    this.log = options.logger ?? silentLogger;
    this.policy = options.reconnectPolicy ?? defaultReconnectPolicy;
    this.localTrack = options.localTrack;

    this.pc = options.createPeerConnection({ iceServers: [...options.iceServers] });
    this.pc.addEventListener('negotiationneeded', this.onNegotiationNeeded);
    this.pc.addEventListener('icecandidate', this.onIceCandidate);
    this.pc.addEventListener('track', this.onTrack);
    this.pc.addEventListener('connectionstatechange', this.onConnectionStateChange);
    // Before any offer, so the first one carries the SCTP section: no renegotiation later.
    for (const { label, id } of options.dataChannels ?? []) {
      this.channels.set(label, this.pc.createDataChannel(label, { negotiated: true, id }));
    }
    // Unordered and never retransmitted: a late ping says nothing, and none pile up in SCTP
    // while the path is down.
    this.heartbeat = this.pc.createDataChannel(HEARTBEAT_CHANNEL.label, {
      negotiated: true,
      id: HEARTBEAT_CHANNEL.id,
      ordered: false,
      maxRetransmits: 0,
    });
    this.heartbeat.addEventListener('open', this.onHeartbeatOpen);
    this.heartbeat.addEventListener('message', this.onHeartbeatMessage);
    this.heartbeat.addEventListener('close', this.onHeartbeatClose);

    if (this.initiator) {
      // Either call makes the browser fire `negotiationneeded`, which sends the first offer.
      if (this.localTrack) this.attachTrack(this.localTrack);
      else this.pc.addTransceiver('audio', { direction: 'recvonly' });
    }
  }

  get state(): PeerState {
    return this.currentState;
  }

  get remoteStream(): MediaStream | null {
    return this.remote;
  }

  channel(label: string): DataChannelLike | undefined {
    return this.channels.get(label);
  }

  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  on<K extends keyof PeerSessionEvents>(
    event: K,
    listener: (payload: PeerSessionEvents[K]) => void,
  ): () => void {
    return this.events.on(event, listener);
  }

  /** Applies a relayed offer, answer or ICE candidate from the remote user. */
  receive(signal: PeerSignal): Promise<void> {
    this.inbox = this.inbox.then(() => this.apply(signal));
    return this.inbox;
  }

  /**
   * Sends `track` instead of the current one (microphone switch, host mute with null).
   * Uses RTCRtpSender.replaceTrack, so no renegotiation once a sender exists.
   */
  async setOutgoingTrack(track: MediaStreamTrack | null): Promise<void> {
    if (this.isClosed()) return;
    this.localTrack = track;
    if (this.sender) {
      await this.sender.replaceTrack(track);
      return;
    }
    // No sender yet: a non-initiator that has not answered attaches it when the offer comes;
    // otherwise addTrack reuses the audio transceiver and triggers one renegotiation.
    if (track && (this.initiator || this.negotiated)) this.attachTrack(track);
  }

  /**
   * False while an offer waits for its answer: media may still flow, but a lost answer would
   * leave the negotiation wedged, so a rejoin restarts such a session too.
   */
  get signalingStable(): boolean {
    return this.pc.signalingState === 'stable' || this.pc.signalingState === 'closed';
  }

  /**
   * The server could not deliver one of our signals (the peer's socket is gone, within its
   * reconnect grace). One retry is kept pending: restarting ICE rolls back whatever offer was
   * lost and offers afresh; while the peer is still away the server says so again.
   */
  retryUnreachable(): void {
    if (this.isClosed() || this.unreachableTimer !== null) return;
    this.unreachableTimer = setTimeout(() => {
      this.unreachableTimer = null;
      this.restartIce('peer was unreachable');
    }, this.options.unreachableRetryMs ?? 2_000);
  }

  /**
   * New ICE servers (fresh TURN credentials) for this connection's next ICE gathering, i.e. its
   * next restart; the current candidates and allocations stay as they are.
   */
  setIceServers(iceServers: readonly RTCIceServer[]): void {
    if (this.isClosed()) return;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers: [...iceServers] });
    } catch (error) {
      this.log.warn('could not update the ICE servers', { peer: this.remoteUserId, error });
    }
  }

  /** Restarts ICE now (e.g. after the signaling connection came back). */
  restartIce(reason = 'requested'): void {
    if (this.isClosed()) return;
    this.log.info('ice restart', { peer: this.remoteUserId, reason });
    // A restart on a connection whose media still flows keeps it `connected` in the browser,
    // with no connectionstatechange to bring us back: only say reconnecting when it is down.
    if (
      (this.currentState === 'connected' && this.pc.connectionState !== 'connected') ||
      this.currentState === 'failed'
    ) {
      this.transition('reconnecting', reason);
    }
    this.lostAt ??= Date.now();
    this.armWatchdog();
    // restartIce() only fires negotiationneeded in `stable`: an offer whose answer was lost
    // would keep the connection in have-local-offer forever, so roll it back first (as
    // LiveKit's PCTransport does).
    if (this.pc.signalingState === 'have-local-offer' && !this.makingOffer) {
      this.log.info('rolling back a pending local offer before the ICE restart', {
        peer: this.remoteUserId,
      });
      this.pc
        .setLocalDescription({ type: 'rollback' })
        .catch((error: unknown) =>
          this.log.warn('rollback failed', { peer: this.remoteUserId, error }),
        )
        .finally(() => {
          if (!this.isClosed()) this.pc.restartIce();
        });
      return;
    }
    this.pc.restartIce();
  }

  /** Closes the connection; safe to call more than once. */
  close(): void {
    if (this.isClosed()) return;
    this.clearTimers();
    this.pc.removeEventListener('negotiationneeded', this.onNegotiationNeeded);
    this.pc.removeEventListener('icecandidate', this.onIceCandidate);
    this.pc.removeEventListener('track', this.onTrack);
    this.pc.removeEventListener('connectionstatechange', this.onConnectionStateChange);
    this.onHeartbeatClose();
    this.heartbeat.removeEventListener('open', this.onHeartbeatOpen);
    this.heartbeat.removeEventListener('message', this.onHeartbeatMessage);
    this.heartbeat.removeEventListener('close', this.onHeartbeatClose);
    this.pendingCandidates = [];
    this.pc.close();
    this.transition('closed', 'closed');
    this.events.clear();
  }

  // A method, not a field read, so TypeScript does not keep its narrowing across awaits.
  private isClosed(): boolean {
    return this.currentState === 'closed';
  }

  // The single place the state changes; every change is logged as `from -> to`.
  private transition(to: PeerState, reason: string): void {
    const from = this.currentState;
    if (from === to || from === 'closed') return;
    this.currentState = to;
    // The first exchange can be lost like any other; one that never connects is retried.
    if (from === 'new' && to === 'connecting') this.armWatchdog();
    this.log.info(`peer ${this.remoteUserId}: ${from} -> ${to}`, { reason });
    this.events.emit('state', { from, to, reason });
  }

  private attachTrack(track: MediaStreamTrack): void {
    const stream = this.options.localStream;
    this.sender = stream ? this.pc.addTrack(track, stream) : this.pc.addTrack(track);
  }

  private send(signal: PeerSignal): void {
    this.options.send({
      ...signal,
      ...this.options.scope,
      to: this.remoteUserId,
    } as OutgoingSignal);
  }

  // Arrow properties: the same function objects are passed to add/removeEventListener.
  private readonly onNegotiationNeeded = async (): Promise<void> => {
    if (this.isClosed()) return;
    if (!this.initiator && !this.negotiated) {
      this.log.debug('negotiation deferred until the first offer arrives', {
        peer: this.remoteUserId,
      });
      return;
    }
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const description = this.pc.localDescription;
      // A polite peer may have rolled this offer back while it was being made.
      if (
        this.isClosed() ||
        description?.type !== 'offer' ||
        this.pc.signalingState !== 'have-local-offer'
      ) {
        return;
      }
      if (this.currentState === 'new') this.transition('connecting', 'offer sent');
      this.offerSentAt = Date.now();
      this.armAnswerTimeout(description.sdp ?? '');
      this.send({ kind: 'offer', sdp: description.sdp ?? '' });
    } catch (error) {
      this.log.warn('could not create an offer', { peer: this.remoteUserId, error });
    } finally {
      this.makingOffer = false;
    }
  };

  private async apply(signal: PeerSignal): Promise<void> {
    if (this.isClosed()) return;
    try {
      if (signal.kind === 'ice') await this.applyCandidate(signal.candidate);
      else await this.applyDescription(signal.kind, signal.sdp, signal.answers);
    } catch (error) {
      this.log.warn(`could not apply remote ${signal.kind}`, { peer: this.remoteUserId, error });
    }
  }

  private async applyDescription(
    kind: 'offer' | 'answer',
    sdp: string,
    answers?: string,
  ): Promise<void> {
    const offerCollision =
      kind === 'offer' && (this.makingOffer || this.pc.signalingState !== 'stable');
    this.ignoreOffer = !this.polite && offerCollision;
    if (this.ignoreOffer) {
      this.log.info('glare: ignoring the colliding offer (impolite)', { peer: this.remoteUserId });
      // The polite side only yields when our offer reaches it; if that offer was lost, both
      // ends would wait forever, so send a pending offer that has waited too long again (an
      // offer still in flight, as in ordinary glare, is not duplicated).
      const pending = this.pc.localDescription;
      const stale = Date.now() - this.offerSentAt >= (this.options.staleOfferMs ?? 500);
      if (!this.makingOffer && pending?.type === 'offer' && stale) {
        this.offerSentAt = Date.now();
        this.send({ kind: 'offer', sdp: pending.sdp ?? '' });
      }
      return;
    }
    if (kind === 'answer' && this.pc.signalingState !== 'have-local-offer') {
      this.log.info('dropping a stale answer', {
        peer: this.remoteUserId,
        signalingState: this.pc.signalingState,
      });
      return;
    }
    // Two offers can be in flight (one re-sent from the outbox after a reconnect, then a
    // restart's): an answer to the first, applied to the second, would leave each end checking
    // connectivity with ICE credentials the other does not use. Peers that do not tag their
    // answers are trusted, as before.
    if (kind === 'answer' && answers !== undefined) {
      const pendingOffer = offerTag(this.pc.localDescription?.sdp);
      if (pendingOffer !== undefined && answers !== pendingOffer) {
        this.log.info('dropping an answer to an earlier offer', { peer: this.remoteUserId });
        return;
      }
    }
    if (offerCollision) {
      this.log.info('glare: rolling back the local offer (polite)', { peer: this.remoteUserId });
    }

    const hadRemote = this.pc.remoteDescription !== null;
    // A new connection on the far side (a reload). With a certificate kept per device its DTLS
    // fingerprint is the same, so the browser would accept the offer as an ICE restart of the
    // old session and the new DTLS handshake would never complete: only a new connection here
    // can talk to it.
    const knownSession = sdpSessionId(this.pc.remoteDescription?.sdp ?? undefined);
    const offeredSession = sdpSessionId(sdp);
    if (
      kind === 'offer' &&
      knownSession !== undefined &&
      offeredSession !== undefined &&
      offeredSession !== knownSession
    ) {
      this.events.emit('remoteReset', { signal: { kind, sdp }, error: 'new remote session' });
      return;
    }
    try {
      // Applying a remote offer in have-local-offer rolls the local offer back implicitly
      // (JSEP; Chrome 80+, Firefox 75+, Safari 15.4+), which is what the polite peer needs.
      await this.pc.setRemoteDescription({ type: kind, sdp });
    } catch (error) {
      if (kind === 'offer' && hadRemote) {
        this.events.emit('remoteReset', { signal: { kind, sdp }, error });
        return;
      }
      throw error;
    }
    if (this.isClosed()) return;
    if (kind === 'answer') this.clearAnswerTimeout();
    if (this.currentState === 'new') this.transition('connecting', `${kind} received`);
    await this.flushCandidates();

    if (kind === 'offer') {
      // Attached after the remote offer, addTrack reuses the offered audio transceiver and
      // turns it sendrecv inside this answer, so no second negotiation follows.
      if (!this.sender && this.localTrack) this.attachTrack(this.localTrack);
      await this.pc.setLocalDescription();
      const answer = this.pc.localDescription;
      if (this.isClosed() || answer?.type !== 'answer') return;
      this.send({ kind: 'answer', sdp: answer.sdp ?? '', answers: offerTag(sdp) });
    }
    this.negotiated = true;
  }

  private async applyCandidate(candidate: RTCIceCandidateInit | null): Promise<void> {
    // `null` (end of candidates) carries nothing a current browser needs.
    if (candidate === null) return;
    // A candidate of an ICE restart can overtake the restart's offer (or an answer we have not
    // applied yet); added now it would fail for its unknown ufrag and be lost, so keep it.
    if (this.pc.remoteDescription === null || !this.matchesRemoteGeneration(candidate)) {
      if (this.pendingCandidates.length < MAX_PENDING_CANDIDATES) {
        this.pendingCandidates.push(candidate);
      }
      return;
    }
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      // Candidates of an offer we ignored are expected to fail.
      if (!this.ignoreOffer) throw error;
    }
  }

  private matchesRemoteGeneration(candidate: RTCIceCandidateInit): boolean {
    const remote = iceUfragOf(this.pc.remoteDescription?.sdp);
    return !candidate.usernameFragment || !remote || candidate.usernameFragment === remote;
  }

  private async flushCandidates(): Promise<void> {
    const queued = this.pendingCandidates.filter((c) => this.matchesRemoteGeneration(c));
    this.pendingCandidates = this.pendingCandidates.filter((c) => !queued.includes(c));
    for (const candidate of queued) {
      try {
        await this.pc.addIceCandidate(candidate);
      } catch (error) {
        this.log.debug('dropping a queued candidate', { peer: this.remoteUserId, error });
      }
    }
  }

  private readonly onIceCandidate = (event: IceCandidateEventLike): void => {
    if (!event.candidate || this.isClosed()) return;
    this.send({ kind: 'ice', candidate: event.candidate.toJSON() });
  };

  private readonly onTrack = (event: TrackEventLike): void => {
    this.remote = event.streams[0] ?? null;
    this.events.emit('remoteStream', { stream: this.remote, track: event.track });
  };

  private readonly onConnectionStateChange = (): void => {
    const pcState = this.pc.connectionState;
    switch (pcState) {
      case 'connecting':
        if (this.currentState === 'new') this.transition('connecting', 'ice checking');
        break;
      case 'connected':
        this.recovered('ice connected');
        break;
      case 'disconnected':
        this.lostAt ??= Date.now();
        if (this.currentState === 'connected') this.transition('reconnecting', 'ice disconnected');
        if (this.graceTimer === null && this.restartTimer === null) {
          this.graceTimer = setTimeout(() => {
            this.graceTimer = null;
            if (this.pc.connectionState === 'disconnected')
              this.scheduleRestart('still disconnected');
          }, this.options.disconnectGraceMs ?? 2_500);
        }
        break;
      case 'failed':
        this.lostAt ??= Date.now();
        this.scheduleRestart('ice failed');
        break;
      case 'closed':
        this.close();
        break;
      default:
        break;
    }
  };

  /*
   * Pings are answered from the message handler, which runs at once even in a background tab
   * whose timers are throttled: only our own pings' timing decides, never the peer's timers.
   * Anything that arrives proves the path, the peer's own pings included, so a side that heard
   * from the peer within the last interval has no need to ask: in a steady pair one side pings
   * and the other answers, two sends per interval instead of four (each a call into the
   * network process, a good part of a page's work while a full room sets up).
   */
  private readonly onHeartbeatOpen = (): void => {
    if (this.heartbeatTimer !== null || this.isClosed()) return;
    this.lastHeardAt = Date.now();
    this.heartbeatTimer = setInterval(this.beat, this.options.heartbeatIntervalMs ?? 250);
  };

  private readonly onHeartbeatClose = (): void => {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.lastHeardAt = null;
    this.silenceSample = null;
    this.lastBeatAt = null;
  };

  private readonly onHeartbeatMessage = (event: { readonly data: unknown }): void => {
    if (this.isClosed()) return;
    this.lastHeardAt = Date.now();
    this.silenceSample = null;
    this.heartbeatHeard = true;
    if (event.data === 'ping' && this.heartbeat.readyState === 'open') this.heartbeat.send('pong');
    // A restart on a path the browser never saw fail brings no connectionstatechange back.
    if (this.currentState === 'reconnecting' && this.pc.connectionState === 'connected') {
      this.recovered('heartbeat answered');
    }
  };

  private readonly beat = (): void => {
    if (this.heartbeat.readyState !== 'open' || this.isClosed()) return;
    const now = Date.now();
    const timeout = this.options.heartbeatTimeoutMs ?? 1_000;
    const interval = this.options.heartbeatIntervalMs ?? 250;
    // A beat this late means our own page was stalled (a busy main thread, a throttled tab):
    // the peer's messages may be queued behind the stall, so its silence proves nothing yet.
    if (this.lastBeatAt !== null && now - this.lastBeatAt > interval * 2) {
      this.lastHeardAt = now;
      this.silenceSample = null;
    }
    this.lastBeatAt = now;
    const silentFor = now - (this.lastHeardAt ?? now);
    if (this.currentState === 'connected' && this.heartbeatHeard && silentFor >= timeout) {
      const before = this.silenceSample;
      // The next verdict comes a whole timeout later, whatever this one finds.
      this.lastHeardAt = now;
      this.silenceSample = null;
      void this.confirmHeartbeatLoss(before);
    } else if (silentFor > interval * 2) {
      // Later than the peer's beats or answers should be: note what has arrived so far, to
      // compare with at the timeout.
      this.silenceSample ??= this.transportBytes();
    }
    if (silentFor >= interval) this.heartbeat.send('ping');
  };

  /**
   * The peer's pongs come from its page's main thread, its media from the browser's own
   * threads: a peer page busy for a second (six people joining on a small machine) stops
   * answering while its packets keep arriving. Only a path that also stopped delivering bytes
   * is lost; restarting healthy connections under load slowed a full room's set-up several
   * times over. Without statistics (a fake connection), silence alone decides.
   */
  private async confirmHeartbeatLoss(sample: Promise<number | undefined> | null): Promise<void> {
    const before = sample ? await sample : undefined;
    const after = await this.transportBytes();
    if (this.isClosed() || this.currentState !== 'connected') return;
    if (before !== undefined && after !== undefined && after > before) return;
    this.lostAt ??= Date.now();
    this.transition('reconnecting', 'heartbeat lost');
    this.scheduleRestart('heartbeat lost');
  }

  /** Bytes received on the connection's transport (media, data and ICE checks), if reported. */
  private async transportBytes(): Promise<number | undefined> {
    try {
      let total: number | undefined;
      (await this.pc.getStats()).forEach((report: { type?: string; bytesReceived?: number }) => {
        if (report.type === 'transport' && typeof report.bytesReceived === 'number') {
          total = (total ?? 0) + report.bytesReceived;
        }
      });
      return total;
    } catch {
      return undefined;
    }
  }

  private recovered(reason: string): void {
    // The answer timer stays: a renegotiation can be pending while ICE (re)connects.
    this.clearRecoveryTimers();
    this.restartAttempt = 0;
    this.lostAt = null;
    this.transition('connected', reason);
  }

  private scheduleRestart(reason: string): void {
    if (this.isClosed() || this.restartTimer !== null) return;
    this.clearGrace();
    const delay = this.policy.nextDelay({
      attempt: this.restartAttempt,
      elapsedMs: Date.now() - (this.lostAt ?? Date.now()),
    });
    if (delay === null) {
      this.clearTimers();
      this.transition('failed', `${reason}; gave up after ${this.restartAttempt} ICE restarts`);
      return;
    }
    // A first connection that fails stays `connecting`: there is no media to recover yet.
    if (this.currentState !== 'new' && this.currentState !== 'connecting') {
      this.transition('reconnecting', reason);
    }
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restartAttempt += 1;
      this.restartIce(reason);
    }, delay);
  }

  // A restart can stall without ever reaching `failed` (e.g. its offer was lost with the
  // signaling connection), so one that has not connected in time counts as failed.
  private armWatchdog(): void {
    if (this.watchdogTimer !== null) clearTimeout(this.watchdogTimer);
    this.watchdogTimer = setTimeout(() => {
      this.watchdogTimer = null;
      if (this.pc.connectionState !== 'connected') this.scheduleRestart('ice restart timed out');
    }, this.options.restartTimeoutMs ?? 10_000);
  }

  private armAnswerTimeout(offerSdp: string): void {
    this.clearAnswerTimeout();
    this.answerTimer = setTimeout(() => {
      this.answerTimer = null;
      if (
        this.pc.signalingState !== 'have-local-offer' ||
        this.pc.localDescription?.sdp !== offerSdp
      ) {
        return;
      }
      // On live media this is a renegotiation and the peer is there: offer again right away.
      // Otherwise it counts as a failed attempt, so the policy can give up on a peer that is gone.
      if (this.pc.connectionState === 'connected') this.restartIce('offer unanswered');
      else {
        this.lostAt ??= Date.now();
        this.scheduleRestart('offer unanswered');
      }
    }, this.options.answerTimeoutMs ?? 5_000);
  }

  private clearAnswerTimeout(): void {
    if (this.answerTimer !== null) clearTimeout(this.answerTimer);
    this.answerTimer = null;
  }

  private clearGrace(): void {
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  private clearTimers(): void {
    this.clearRecoveryTimers();
    this.clearAnswerTimeout();
  }

  private clearRecoveryTimers(): void {
    this.clearGrace();
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    if (this.watchdogTimer !== null) clearTimeout(this.watchdogTimer);
    if (this.unreachableTimer !== null) clearTimeout(this.unreachableTimer);
    this.unreachableTimer = null;
    this.restartTimer = null;
    this.watchdogTimer = null;
  }
}
