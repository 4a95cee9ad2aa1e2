// Test doubles for the call engine: an RTCPeerConnection that follows the JSEP signaling state
// machine closely enough for negotiation logic (including implicit rollback), fake media
// tracks, and an in-memory signaling network with explicit delivery.
import type {
  DataChannelLike,
  IceCandidateEventLike,
  IncomingSignal,
  OutgoingSignal,
  PeerConnectionLike,
  RtpSenderLike,
  SignalingChannel,
  TrackEventLike,
} from '../types';

type Handler = (event: never) => void;

export class FakeTrack {
  enabled = true;
  stopped = false;
  constructor(
    readonly id: string,
    readonly kind = 'audio',
  ) {}
  stop(): void {
    this.stopped = true;
  }
}

/** A fake track typed as the DOM one; the engine only reads id/kind/enabled. */
export function fakeTrack(id: string): MediaStreamTrack {
  return new FakeTrack(id) as unknown as MediaStreamTrack;
}

export function fakeStream(id: string): MediaStream {
  return { id } as unknown as MediaStream;
}

export class FakeSender implements RtpSenderLike {
  readonly replaced: Array<MediaStreamTrack | null> = [];
  constructor(public track: MediaStreamTrack | null) {}
  async replaceTrack(track: MediaStreamTrack | null): Promise<void> {
    this.replaced.push(track);
    this.track = track;
  }
}

/** Listeners by event type, as the DOM objects the fakes stand for keep them. */
class FakeEventTarget {
  protected readonly handlers = new Map<string, Set<Handler>>();

  addEventListener(type: string, listener: Handler): void {
    let set = this.handlers.get(type);
    if (!set) {
      set = new Set();
      this.handlers.set(type, set);
    }
    set.add(listener);
  }

  removeEventListener(type: string, listener: Handler): void {
    this.handlers.get(type)?.delete(listener);
  }

  protected dispatch(type: string, event: unknown): void {
    for (const handler of [...(this.handlers.get(type) ?? [])]) {
      (handler as (event: unknown) => void)(event);
    }
  }
}

/**
 * A negotiated data channel that stays `connecting` until a test opens it; features that use
 * channels end to end are tested in the browser, where two real connections carry them.
 */
export class FakeDataChannel extends FakeEventTarget implements DataChannelLike {
  readyState: RTCDataChannelState = 'connecting';
  readonly sent: string[] = [];
  constructor(
    readonly label: string,
    readonly init: RTCDataChannelInit | undefined,
  ) {
    super();
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 'closed';
  }

  // ---- test controls ----

  open(): void {
    this.readyState = 'open';
    this.dispatch('open', undefined);
  }

  receive(data: unknown): void {
    this.dispatch('message', { data });
  }
}

let nextPcId = 1;

/**
 * SDP stand-in: `fake <type> pc=<id> fp=<fingerprint> n=<n>[ restart] a=ice-ufrag:<id>.<gen>`
 * and an `o=` line with the connection's session id; `fp=` plays the DTLS fingerprint (`pc=` in
 * hand-written descriptions without one), the ufrag and `o=` lines are written as in real SDP so
 * the engine parses both alike.
 */
function sdpFingerprint(sdp: string | undefined): string | undefined {
  return /fp=(\S+)/.exec(sdp ?? '')?.[1] ?? /pc=(\d+)/.exec(sdp ?? '')?.[1];
}

export function sdpUfrag(sdp: string | undefined): string | undefined {
  return /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];
}

export interface FakePeerConnectionOptions {
  /**
   * Gathers one host candidate per ICE generation, as a browser does after setLocalDescription
   * of its first description and of each ICE restart.
   */
  readonly autoCandidates?: boolean;
  /**
   * The DTLS certificate's fingerprint, when the page keeps one certificate for all its
   * connections (as the app does for safety codes); by default each connection has its own, and
   * a browser refuses a remote description whose fingerprint changed.
   */
  readonly fingerprint?: string;
}

export class FakePeerConnection extends FakeEventTarget implements PeerConnectionLike {
  readonly id = String(nextPcId++);
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  readonly senders: FakeSender[] = [];
  readonly transceivers: Array<{ kind: string; init?: RTCRtpTransceiverInit }> = [];
  readonly addedCandidates: RTCIceCandidateInit[] = [];
  /** Every signaling operation in order, e.g. `setLocal:offer`, `rollback`, `setRemote:answer`. */
  readonly ops: string[] = [];
  restartIceCalls = 0;
  closed = false;

  private chain: Promise<void> = Promise.resolve();
  private negotiationNeeded = false;
  private iceRestartPending = false;
  private sdpCounter = 0;
  private stableLocal: RTCSessionDescriptionInit | null = null;
  /** The descriptions of the last completed exchange: what ICE actually runs on. */
  currentLocal: RTCSessionDescriptionInit | null = null;
  currentRemote: RTCSessionDescriptionInit | null = null;
  private iceGeneration = 0;
  private stableGeneration = 0;
  private generations = 0;
  private gatheredGeneration = 0;

  constructor(
    public config: RTCConfiguration,
    private readonly fakeOptions: FakePeerConnectionOptions = {},
  ) {
    super();
  }

  getConfiguration(): RTCConfiguration {
    return this.config;
  }

  setConfiguration(configuration: RTCConfiguration): void {
    this.ops.push('setConfiguration');
    this.config = configuration;
  }

  /** The ICE username fragment of this side's current generation. */
  get localUfrag(): string {
    return `${this.id}.${this.iceGeneration}`;
  }

  listenerCount(): number {
    let count = 0;
    for (const set of this.handlers.values()) count += set.size;
    return count;
  }

  addTrack(track: MediaStreamTrack, ..._streams: MediaStream[]): RtpSenderLike {
    const sender = new FakeSender(track);
    this.senders.push(sender);
    // As in browsers: a track added while answering rides on that answer.
    if (this.signalingState === 'stable') this.updateNegotiationNeeded();
    return sender;
  }

  readonly dataChannels: FakeDataChannel[] = [];

  createDataChannel(label: string, init?: RTCDataChannelInit): DataChannelLike {
    const channel = new FakeDataChannel(label, init);
    this.dataChannels.push(channel);
    return channel;
  }

  async getStats(): Promise<RTCStatsReport> {
    return new Map() as unknown as RTCStatsReport;
  }

  addTransceiver(kind: 'audio', init?: RTCRtpTransceiverInit): unknown {
    const transceiver = init ? { kind, init } : { kind };
    this.transceivers.push(transceiver);
    this.updateNegotiationNeeded();
    return transceiver;
  }

  restartIce(): void {
    this.restartIceCalls += 1;
    this.iceRestartPending = true;
    this.updateNegotiationNeeded();
  }

  setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
    return this.enqueue(() => {
      if (description?.type === 'rollback') {
        this.rollback();
        return;
      }
      if (this.signalingState === 'have-remote-offer') {
        // A remote ICE restart (new remote ufrag) makes the answerer restart too (JSEP 5.3.1).
        const remoteUfrag = sdpUfrag(this.remoteDescription?.sdp);
        if (
          this.iceGeneration === 0 ||
          this.iceRestartPending ||
          remoteUfrag !== sdpUfrag(this.currentRemote?.sdp)
        ) {
          this.iceGeneration = ++this.generations;
        }
        this.localDescription = { type: 'answer', sdp: this.makeSdp('answer') };
        this.becomeStable();
        this.ops.push('setLocal:answer');
        this.gather();
        return;
      }
      if (this.signalingState !== 'stable' && this.signalingState !== 'have-local-offer') {
        throw new Error(`InvalidStateError: setLocalDescription in ${this.signalingState}`);
      }
      if (this.iceGeneration === 0 || this.iceRestartPending)
        this.iceGeneration = ++this.generations;
      this.localDescription = { type: 'offer', sdp: this.makeSdp('offer') };
      this.signalingState = 'have-local-offer';
      this.ops.push(`setLocal:offer${this.iceRestartPending ? ':restart' : ''}`);
      this.gather();
    });
  }

  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    return this.enqueue(() => {
      const owner = sdpFingerprint(description.sdp);
      const knownOwner = sdpFingerprint(this.remoteDescription?.sdp);
      if (knownOwner !== undefined && owner !== knownOwner) {
        throw new Error('InvalidAccessError: DTLS fingerprint changed');
      }
      if (description.type === 'offer') {
        if (this.signalingState === 'have-local-offer') this.rollback();
        if (this.signalingState !== 'stable') {
          throw new Error(`InvalidStateError: remote offer in ${this.signalingState}`);
        }
        this.remoteDescription = description;
        this.signalingState = 'have-remote-offer';
        this.ops.push('setRemote:offer');
        return;
      }
      if (this.signalingState !== 'have-local-offer') {
        throw new Error(`InvalidStateError: remote answer in ${this.signalingState}`);
      }
      this.remoteDescription = description;
      this.becomeStable();
      this.ops.push('setRemote:answer');
    });
  }

  addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
    return this.enqueue(() => {
      if (this.remoteDescription === null) {
        throw new Error('InvalidStateError: no remote description');
      }
      // As Chrome: a candidate of an ICE generation the remote description does not carry fails.
      const remoteUfrag = sdpUfrag(this.remoteDescription.sdp);
      if (
        candidate?.usernameFragment &&
        remoteUfrag &&
        candidate.usernameFragment !== remoteUfrag
      ) {
        throw new Error('OperationError: unknown ufrag');
      }
      if (candidate) this.addedCandidates.push(candidate);
    });
  }

  close(): void {
    this.closed = true;
    this.signalingState = 'closed';
    this.connectionState = 'closed';
  }

  // ---- test controls ----

  setConnectionState(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.dispatch('connectionstatechange', undefined);
  }

  emitIceCandidate(candidate: RTCIceCandidateInit): void {
    const event: IceCandidateEventLike = { candidate: { toJSON: () => candidate } };
    this.dispatch('icecandidate', event);
  }

  emitTrack(track: MediaStreamTrack, streams: MediaStream[]): void {
    const event: TrackEventLike = { track, streams };
    this.dispatch('track', event);
  }

  // ---- internals ----

  private enqueue(operation: () => void): Promise<void> {
    const result = this.chain.then(async () => {
      await Promise.resolve();
      if (this.closed) throw new Error('InvalidStateError: closed');
      operation();
    });
    this.chain = result.catch(() => {});
    return result;
  }

  private makeSdp(type: string): string {
    this.sdpCounter += 1;
    // The o= line carries the session id, fixed for a connection's life, and a version that
    // every new description takes the next of, as in real SDP.
    return `fake ${type} pc=${this.id} fp=${this.fakeOptions.fingerprint ?? this.id} n=${this.sdpCounter}${this.iceRestartPending ? ' restart' : ''} tracks=${this.senders.length} a=ice-ufrag:${this.localUfrag}\no=- ${this.id} ${this.sdpCounter} IN IP4 127.0.0.1`;
  }

  private gather(): void {
    if (!this.fakeOptions.autoCandidates || this.gatheredGeneration === this.iceGeneration) return;
    this.gatheredGeneration = this.iceGeneration;
    const ufrag = this.localUfrag;
    setTimeout(() => {
      if (this.closed) return;
      this.emitIceCandidate({
        candidate: `candidate:${ufrag} 1 udp 1 192.0.2.1 5000 typ host`,
        sdpMid: '0',
        sdpMLineIndex: 0,
        usernameFragment: ufrag,
      });
    }, 0);
  }

  private rollback(): void {
    if (this.signalingState !== 'have-local-offer') {
      throw new Error(`InvalidStateError: rollback in ${this.signalingState}`);
    }
    this.localDescription = this.stableLocal;
    this.iceGeneration = this.stableGeneration;
    this.signalingState = 'stable';
    this.ops.push('rollback');
  }

  private becomeStable(): void {
    this.signalingState = 'stable';
    this.stableLocal = this.localDescription;
    this.currentLocal = this.localDescription;
    this.currentRemote = this.remoteDescription;
    this.stableGeneration = this.iceGeneration;
    this.negotiationNeeded = false;
    this.iceRestartPending = false;
  }

  private updateNegotiationNeeded(): void {
    this.negotiationNeeded = true;
    // Browsers fire the event from a queued task once the operations chain is idle.
    setTimeout(() => {
      if (this.negotiationNeeded && this.signalingState === 'stable' && !this.closed) {
        this.dispatch('negotiationneeded', undefined);
      }
    }, 0);
  }
}

/** Creates fake peer connections and remembers them in creation order. */
export function fakePeerConnectionFactory(options: FakePeerConnectionOptions = {}) {
  const created: FakePeerConnection[] = [];
  const create = (config: RTCConfiguration): FakePeerConnection => {
    const pc = new FakePeerConnection(config, options);
    created.push(pc);
    return pc;
  };
  return { create, created };
}

/** Lets pending promises and zero-delay timers run (the fake uses both). */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * An in-memory relay: what one user sends is held until `deliverAll()`, then handed to the
 * addressee as the server would relay it (`to` becomes `from`).
 */
export class FakeSignalingNetwork {
  readonly sent: Array<OutgoingSignal & { readonly from: string }> = [];
  private readonly queue: Array<{ to: string; signal: IncomingSignal }> = [];
  private readonly listeners = new Map<string, Set<(signal: IncomingSignal) => void>>();
  private readonly unreachableListeners = new Map<string, Set<(userId: string) => void>>();

  channel(userId: string): SignalingChannel {
    return {
      send: (signal) => this.sendFrom(userId, signal),
      subscribe: (listener) => {
        let set = this.listeners.get(userId);
        if (!set) {
          set = new Set();
          this.listeners.set(userId, set);
        }
        set.add(listener);
        return () => set.delete(listener);
      },
      subscribeUnreachable: (listener) => {
        let set = this.unreachableListeners.get(userId);
        if (!set) {
          set = new Set();
          this.unreachableListeners.set(userId, set);
        }
        set.add(listener);
        return () => set.delete(listener);
      },
    };
  }

  /** What the server does for a signal whose target socket is gone: tells the sender. */
  reportUnreachable(sender: string, target: string): void {
    for (const listener of [...(this.unreachableListeners.get(sender) ?? [])]) listener(target);
  }

  /** Signals matching this are recorded as sent but never delivered (a lost message). */
  dropWhen: ((signal: OutgoingSignal & { readonly from: string }) => boolean) | null = null;

  sendFrom(from: string, signal: OutgoingSignal): void {
    this.sent.push({ ...signal, from });
    if (this.dropWhen?.({ ...signal, from })) return;
    const { to, ...rest } = signal;
    this.queue.push({ to, signal: { ...rest, from } as IncomingSignal });
  }

  pending(): number {
    return this.queue.length;
  }

  /** Delivers queued signals (and the ones they cause) until the network is quiet. */
  async deliverAll(maxRounds = 50): Promise<void> {
    await settle();
    for (let round = 0; round < maxRounds && this.queue.length > 0; round++) {
      for (const { to, signal } of this.queue.splice(0)) {
        for (const listener of [...(this.listeners.get(to) ?? [])]) listener(signal);
      }
      await settle();
    }
  }

  countSent(from: string, kind: OutgoingSignal['kind'], to?: string): number {
    return this.sent.filter((s) => s.from === from && s.kind === kind && (!to || s.to === to))
      .length;
  }
}
