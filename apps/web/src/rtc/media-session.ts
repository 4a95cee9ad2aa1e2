import { toAppError } from '../base/errors';
import { type Logger, silentLogger } from '../base/logger';
import type { Mesh, PeerSnapshot } from './mesh';
import type { SignalScope } from './types';

export interface LocalAudio {
  readonly stream: MediaStream;
  readonly track: MediaStreamTrack;
}

/** The microphone as the call pieces need it; the app's Microphone implements it. */
export interface CallMedia {
  acquire(): Promise<LocalAudio>;
  release(): void;
}

export type MeshFactory = (scope: SignalScope, local: LocalAudio | null) => Mesh;

/**
 * `idle`: nothing held. `opening`: the microphone is being opened. `ready`: it is open (or we
 * listen only) and no connection exists yet. `live`: the mesh of the room or call is up.
 */
export type MediaSessionState = 'idle' | 'opening' | 'ready' | 'live';

export interface MediaSessionOptions {
  /** Names the owner in the log, e.g. `room` or `call`. */
  readonly name: string;
  readonly media: CallMedia;
  readonly createMesh: MeshFactory;
  /** The peers changed (state, streams): the owner copies them into its view. */
  readonly onPeers: (peers: readonly PeerSnapshot[]) => void;
  /** The reconnect policy gave up on this peer: the owner says so to the person. */
  readonly onPeerFailed: (userId: string) => void;
  readonly logger?: Logger;
}

/**
 * The media of one room or one direct call: the microphone, the mesh, and the way back after
 * the signaling connection returns. The room and the call controllers each own one and differ
 * only in membership and wording.
 */
export class MediaSession {
  private readonly options: MediaSessionOptions;
  private readonly log: Logger;
  private current: MediaSessionState = 'idle';
  private local: LocalAudio | null = null;
  private acquired = false;
  private meshValue: Mesh | null = null;
  private unsubscribes: Array<() => void> = [];
  /** Bumped by end(), so a microphone that opens after the session ended is let go at once. */
  private generation = 0;
  private resumePending = false;
  private restartOnResume = false;

  constructor(options: MediaSessionOptions) {
    this.options = options;
    this.log = options.logger ?? silentLogger;
  }

  get state(): MediaSessionState {
    return this.current;
  }

  get mesh(): Mesh | null {
    return this.meshValue;
  }

  /** False when we joined listen-only (the microphone could not be opened). */
  get hasMicrophone(): boolean {
    return this.local !== null;
  }

  /**
   * Opens the microphone before the first offer, so it already carries audio. Resolves with
   * the reason when it could not be opened (we then listen only), with `cancelled` when the
   * session ended meanwhile, and with null when it is open.
   */
  async open(): Promise<Error | 'cancelled' | null> {
    if (this.current !== 'idle') return null;
    const generation = this.generation;
    this.transition('opening', 'opening the microphone');
    let failure: Error | null = null;
    let local: LocalAudio | null = null;
    try {
      local = await this.options.media.acquire();
    } catch (error) {
      failure = toAppError(error);
    }
    if (generation !== this.generation) {
      if (local) this.options.media.release();
      return 'cancelled';
    }
    this.local = local;
    this.acquired = local !== null;
    this.transition('ready', local ? 'microphone open' : 'listen only');
    return failure;
  }

  /** Creates the mesh of `scope` with the microphone opened before (or none). */
  connect(scope: SignalScope): Mesh {
    if (this.meshValue) return this.meshValue;
    const mesh = this.options.createMesh(scope, this.local);
    this.meshValue = mesh;
    this.unsubscribes = [
      mesh.subscribe(() => this.options.onPeers(mesh.getSnapshot().peers)),
      mesh.on('peerState', ({ userId, to }) => {
        if (to === 'failed') this.options.onPeerFailed(userId);
      }),
    ];
    this.transition('live', 'connected the mesh');
    return mesh;
  }

  /**
   * The signaling connection came back. The next `resync` reconciles the mesh with the
   * membership the server re-sends; with `signalsLost`, every connection restarts ICE too.
   */
  markResume(signalsLost: boolean): void {
    if (this.current !== 'live') return;
    this.resumePending = true;
    this.restartOnResume ||= signalsLost;
  }

  /** Reconciles once after `markResume`: offers to whoever we lost, drops who left. */
  resync(participantIds: readonly string[]): void {
    if (!this.resumePending || !this.meshValue) return;
    this.resumePending = false;
    this.meshValue.join(participantIds);
    if (this.restartOnResume) this.meshValue.restartIce();
    this.restartOnResume = false;
  }

  /** Closes every connection and lets go of the microphone; safe to call more than once. */
  end(reason: string): void {
    this.generation += 1;
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes = [];
    this.meshValue?.close();
    this.meshValue = null;
    if (this.acquired) this.options.media.release();
    this.acquired = false;
    this.local = null;
    this.resumePending = false;
    this.restartOnResume = false;
    this.transition('idle', reason);
  }

  // The single place the state changes; logs `from -> to`.
  private transition(to: MediaSessionState, reason: string): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.log.info(`${this.options.name} media: ${from} -> ${to}`, { reason });
  }
}
