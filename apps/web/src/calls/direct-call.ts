import { type CallState, ClientEvent, type PublicUser, ServerEvent } from '@openwcall/shared';
import { AppError, toAppError } from '../base/errors';
import { ExternalStore } from '../base/external-store';
import { type Logger, silentLogger } from '../base/logger';
import type { Notices } from '../base/notices';
import type { TonePlayer } from '../media/tones';
import { type CallMedia, MediaSession, type MeshFactory, type PeerSnapshot } from '../rtc';
import type { SignalingClient } from '../signaling/client';

export type DirectCallView =
  | { readonly phase: 'idle' }
  | {
      readonly phase: 'outgoing';
      readonly callId: string | null;
      readonly peer: PublicUser;
      readonly startedAt: number;
    }
  | { readonly phase: 'incoming'; readonly callId: string; readonly peer: PublicUser }
  | {
      readonly phase: 'active';
      readonly callId: string;
      readonly peer: PublicUser;
      readonly answeredAt: number;
      readonly peers: readonly PeerSnapshot[];
      readonly selfMuted: boolean;
      readonly noMicrophone: boolean;
    };

export interface DirectCallDeps {
  readonly client: Pick<SignalingClient, 'on' | 'onReady' | 'request'>;
  readonly media: CallMedia;
  readonly createMesh: MeshFactory;
  readonly tones: TonePlayer;
  readonly notices: Pick<Notices, 'info' | 'error'>;
  /** Shows a system notification for an incoming call when the tab is hidden. */
  readonly notify?: (title: string, body: string) => void;
  /** A call reached a final state (for the call history). */
  readonly onFinished?: () => void;
  readonly logger?: Logger;
}

const IDLE: DirectCallView = { phase: 'idle' };

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}`
    : `${minutes}:${seconds}`;
}

/**
 * One-to-one calls: ringing both ways with tones, accept/decline/cancel/hang up, and the
 * media of the accepted call (a two-person Mesh scoped to the callId; the caller offers).
 */
export class DirectCallController extends ExternalStore<DirectCallView> {
  private readonly deps: DirectCallDeps;
  private readonly log: Logger;
  private readonly unsubscribes: Array<() => void>;
  private readonly media: MediaSession;
  /** Set when this tab accepted, so other tabs of the callee know they only stop ringing. */
  private acceptedHere: string | null = null;
  private cancelRequested = false;

  constructor(deps: DirectCallDeps) {
    super(IDLE);
    this.deps = deps;
    this.log = deps.logger ?? silentLogger;
    this.media = new MediaSession({
      name: 'call',
      media: deps.media,
      createMesh: deps.createMesh,
      logger: this.log,
      onPeers: (peers) => {
        const current = this.getSnapshot();
        if (current.phase === 'active') this.setState({ ...current, peers });
      },
      // The reconnect policy gave up: say so and end the call rather than sit "connected" in
      // silence.
      onPeerFailed: () => {
        const current = this.getSnapshot();
        if (current.phase !== 'active') return;
        this.finish(null);
        this.deps.notices.error(
          `The call with ${current.peer.displayName} was lost: the connection could not be restored.`,
        );
        void this.end(current.callId);
      },
    });
    this.unsubscribes = [
      deps.client.on(ServerEvent.CallIncoming, ({ callId, from }) => this.onIncoming(callId, from)),
      deps.client.on(ServerEvent.CallState, ({ callId, state, peer, resumed }) => {
        // Only a re-send to this socket (`resumed`) is ours to adopt; ordinary changes reach
        // every tab of the user, and an idle tab must not take a call another tab carries.
        if (resumed && this.getSnapshot().phase === 'idle') void this.adopt(callId, state, peer);
        else this.onState(callId, state, peer);
      }),
      deps.client.onReady(({ resumed, droppedSignals }) => {
        if (resumed) this.media.markResume(droppedSignals > 0);
      }),
    ];
  }

  get busy(): boolean {
    return this.getSnapshot().phase !== 'idle';
  }

  async invite(peer: PublicUser): Promise<void> {
    if (this.busy) throw new AppError('BUSY');
    this.cancelRequested = false;
    this.setState({ phase: 'outgoing', callId: null, peer, startedAt: Date.now() });
    this.deps.tones.play('ringback');
    // Opened before ringing, so the caller's first offer already carries audio.
    await this.openMicrophone();
    if (this.cancelRequested) return;
    try {
      const { callId } = await this.deps.client.request(ClientEvent.CallInvite, {
        toUserId: peer.id,
      });
      const state = this.getSnapshot();
      if (state.phase === 'outgoing' && state.callId === null) {
        this.setState({ ...state, callId });
      }
      if (this.cancelRequested) await this.end(callId);
    } catch (error) {
      this.finish(null);
      throw toAppError(error);
    }
  }

  /** Cancels our outgoing call (or hangs up an active one). */
  async cancel(): Promise<void> {
    const state = this.getSnapshot();
    if (state.phase === 'outgoing' && state.callId === null) {
      this.cancelRequested = true;
      this.finish('Call cancelled.');
      return;
    }
    if (state.phase === 'outgoing' || state.phase === 'active') {
      const callId = state.callId;
      this.finish(state.phase === 'outgoing' ? 'Call cancelled.' : this.endedNotice());
      if (callId) await this.end(callId);
    }
  }

  hangUp(): Promise<void> {
    return this.cancel();
  }

  async accept(): Promise<void> {
    const state = this.getSnapshot();
    if (state.phase !== 'incoming') return;
    this.deps.tones.stop();
    this.acceptedHere = state.callId;
    await this.openMicrophone();
    try {
      await this.deps.client.request(ClientEvent.CallAccept, { callId: state.callId });
    } catch (error) {
      this.acceptedHere = null;
      this.finish(null);
      throw toAppError(error);
    }
  }

  /**
   * Lets go of the active call without ending it, for another tab that takes it over: the
   * server keeps it through the reconnect grace and hands it to that tab's socket.
   */
  release(): void {
    if (this.getSnapshot().phase !== 'active') return;
    this.finish('Your call continues in another tab.');
  }

  async decline(): Promise<void> {
    const state = this.getSnapshot();
    if (state.phase !== 'incoming') return;
    this.finish(null);
    try {
      await this.deps.client.request(ClientEvent.CallDecline, { callId: state.callId });
    } catch (error) {
      this.log.warn('decline failed', { code: toAppError(error).code });
    }
  }

  setMuted(muted: boolean): void {
    const state = this.getSnapshot();
    if (state.phase !== 'active') return;
    this.media.mesh?.setMuted(muted);
    this.setState({ ...state, selfMuted: muted });
  }

  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    await this.media.mesh?.replaceTrack(track);
  }

  close(): void {
    this.finish(null);
    for (const unsubscribe of this.unsubscribes) unsubscribe();
  }

  private async openMicrophone(): Promise<Error | 'cancelled' | null> {
    const failure = await this.media.open();
    if (failure instanceof Error) {
      this.deps.notices.error(`${failure.message} The other person will not hear you.`);
    }
    return failure;
  }

  private async end(callId: string): Promise<void> {
    try {
      await this.deps.client.request(ClientEvent.CallEnd, { callId });
    } catch (error) {
      this.log.warn('call:direct:end failed', { code: toAppError(error).code });
    }
  }

  private onIncoming(callId: string, from: PublicUser): void {
    const state = this.getSnapshot();
    if (state.phase !== 'idle') {
      // One conversation at a time; the caller hears it ring until it is missed or cancelled.
      if (state.phase === 'incoming' && state.callId === callId) return;
      this.log.info('ignoring a second incoming call while busy', { callId });
      return;
    }
    this.setState({ phase: 'incoming', callId, peer: from });
    this.deps.tones.play('ringtone');
    this.deps.notify?.('Incoming call', `${from.displayName} is calling you`);
  }

  /**
   * A call of ours re-sent while this page has none: the server moved it to this socket because
   * the page was reloaded (or took the call over from another tab) within the reconnect grace.
   */
  private async adopt(callId: string, state: CallState, peer: PublicUser): Promise<void> {
    if (state !== 'accepted' && state !== 'ringing') return;
    this.log.info('taking back our call', { callId, state });
    this.setState({ phase: 'outgoing', callId, peer, startedAt: Date.now() });
    if (state === 'ringing') this.deps.tones.play('ringback');
    if ((await this.openMicrophone()) === 'cancelled') return;
    // A fresh connection offers; the peer replaces its stale one when the offer arrives.
    if (state === 'accepted') this.startMedia(callId, peer, true);
  }

  private onState(callId: string, state: CallState, peer: PublicUser): void {
    const view = this.getSnapshot();
    const mine =
      (view.phase === 'outgoing' && (view.callId === callId || view.callId === null)) ||
      ((view.phase === 'incoming' || view.phase === 'active') && view.callId === callId);
    if (!mine) return;
    const name = peer.displayName;
    switch (state) {
      case 'ringing':
        if (view.phase === 'outgoing' && view.callId === null) this.setState({ ...view, callId });
        break;
      case 'accepted':
        if (view.phase === 'outgoing') this.startMedia(callId, peer, true);
        else if (view.phase === 'incoming') {
          if (this.acceptedHere === callId) this.startMedia(callId, peer, false);
          else this.finish('Answered in another tab or device.');
        } else if (view.phase === 'active') {
          // Re-sent after our reconnect: restart ICE on a connection that is not up.
          this.media.resync([peer.id]);
        }
        break;
      case 'declined':
        this.finish(view.phase === 'outgoing' ? `${name} declined the call.` : null);
        break;
      case 'cancelled':
        // Same word as the call history, which records this as "Cancelled".
        this.finish(view.phase === 'incoming' ? `${name} cancelled the call.` : 'Call cancelled.');
        break;
      case 'missed':
        this.finish(
          view.phase === 'outgoing' ? `${name} did not answer.` : `You missed a call from ${name}.`,
        );
        break;
      case 'ended':
        this.finish(view.phase === 'active' ? this.endedNotice() : 'Call ended.');
        break;
    }
  }

  private startMedia(callId: string, peer: PublicUser, initiator: boolean): void {
    this.deps.tones.stop();
    const mesh = this.media.connect({ callId });
    this.setState({
      phase: 'active',
      callId,
      peer,
      answeredAt: Date.now(),
      peers: [],
      selfMuted: false,
      noMicrophone: !this.media.hasMicrophone,
    });
    // The caller offers; the callee waits for that offer.
    if (initiator) mesh.join([peer.id]);
    else mesh.participantJoined(peer.id);
  }

  private endedNotice(): string {
    const state = this.getSnapshot();
    if (state.phase !== 'active') return 'Call ended.';
    return `Call with ${state.peer.displayName} ended after ${formatDuration(Date.now() - state.answeredAt)}.`;
  }

  private finish(notice: string | null): void {
    const wasActive = this.getSnapshot().phase !== 'idle';
    this.deps.tones.stop();
    this.media.end(notice ?? 'call over');
    this.acceptedHere = null;
    this.setState(IDLE);
    if (notice) this.deps.notices.info(notice);
    if (wasActive) this.deps.onFinished?.();
  }
}
