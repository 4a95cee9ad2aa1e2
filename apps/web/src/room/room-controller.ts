import {
  ClientEvent,
  type Participant,
  type PublicUser,
  type RoomState,
  ServerEvent,
} from '@openwcall/shared';
import { AppError, toAppError } from '../base/errors';
import { ExternalStore } from '../base/external-store';
import { type Logger, silentLogger } from '../base/logger';
import type { Notices } from '../base/notices';
import { type CallMedia, MediaSession, type MeshFactory, type PeerSnapshot } from '../rtc';
import type { SignalingClient } from '../signaling/client';

export type RoomPhase = 'idle' | 'joining' | 'in-room';

export interface RoomViewState {
  readonly phase: RoomPhase;
  readonly room: RoomState | null;
  readonly peers: readonly PeerSnapshot[];
  readonly selfMuted: boolean;
  readonly mutedByHost: boolean;
  /** Listen-only: the microphone could not be opened. */
  readonly noMicrophone: boolean;
  /** When we entered, for join → connected timings. */
  readonly enteredAt: number | null;
}

export interface RoomControllerDeps {
  readonly client: Pick<SignalingClient, 'on' | 'onReady' | 'request'>;
  readonly media: CallMedia;
  readonly createMesh: MeshFactory;
  readonly notices: Pick<Notices, 'info' | 'error'>;
  readonly self: () => PublicUser | null;
  readonly logger?: Logger;
}

const IDLE: RoomViewState = {
  phase: 'idle',
  room: null,
  peers: [],
  selfMuted: false,
  mutedByHost: false,
  noMicrophone: false,
  enteredAt: null,
};

function nameOf(room: RoomState | null, userId: string | undefined): string {
  return room?.participants.find((p) => p.userId === userId)?.displayName ?? 'Someone';
}

/**
 * The room the user is in: membership from the server, the full mesh of peer connections,
 * self mute, host moderation, and recovery after the signaling connection comes back.
 */
export class RoomController extends ExternalStore<RoomViewState> {
  private readonly deps: RoomControllerDeps;
  private readonly log: Logger;
  private readonly media: MediaSession;
  private readonly unsubscribes: Array<() => void>;
  /** Not in the view state: it outlives every join and leave (each resets that state). */
  private readonly removed = new Set<string>();
  /** The pending join asked to start muted; read once, when the mesh is created. */
  private joinMuted = false;

  constructor(deps: RoomControllerDeps) {
    super(IDLE);
    this.deps = deps;
    this.log = deps.logger ?? silentLogger;
    this.media = new MediaSession({
      name: 'room',
      media: deps.media,
      createMesh: deps.createMesh,
      logger: this.log,
      onPeers: (peers) => this.setState((s) => ({ ...s, peers })),
      onPeerFailed: (userId) => {
        const name = nameOf(this.getSnapshot().room, userId);
        this.deps.notices.error(
          `The connection to ${name} could not be restored. Leave and join the room again to retry.`,
        );
      },
    });
    const { client } = deps;
    this.unsubscribes = [
      client.on(ServerEvent.RoomJoined, ({ room }) => {
        if (this.getSnapshot().phase === 'idle') void this.adopt(room);
        else this.onRoomState(room);
      }),
      client.on(ServerEvent.ParticipantJoined, ({ roomId, participant }) => {
        if (!this.isCurrent(roomId)) return;
        this.updateParticipants((list) => [
          ...list.filter((p) => p.userId !== participant.userId),
          participant,
        ]);
        this.media.mesh?.participantJoined(participant.userId);
      }),
      client.on(ServerEvent.ParticipantLeft, ({ roomId, userId, reason }) => {
        if (!this.isCurrent(roomId)) return;
        if (userId === this.selfId()) {
          if (reason === 'kicked') this.removed.add(roomId);
          this.exit(
            reason === 'kicked'
              ? 'The host removed you from the room.'
              : 'You left the room from another tab or device.',
          );
          return;
        }
        this.updateParticipants((list) => list.filter((p) => p.userId !== userId));
        this.media.mesh?.participantLeft(userId);
      }),
      client.on(ServerEvent.ParticipantUpdated, ({ roomId, participant }) => {
        if (!this.isCurrent(roomId)) return;
        this.updateParticipants((list) =>
          list.map((p) => (p.userId === participant.userId ? participant : p)),
        );
      }),
      client.on(ServerEvent.HostAction, (action) => {
        if (!this.isCurrent(action.roomId)) return;
        this.onHostAction(action);
      }),
      client.onReady(({ resumed, droppedSignals }) => {
        if (resumed) void this.resume(droppedSignals > 0);
      }),
    ];
  }

  get inRoom(): boolean {
    return this.getSnapshot().phase !== 'idle';
  }

  /**
   * Joins a room: opens the microphone first so the first offer already carries audio. With
   * `muted` (the device check's "Join muted") the track is off before the first offer, so not
   * a word leaves before the server is told.
   */
  async join(roomId: string, options: { readonly muted?: boolean } = {}): Promise<void> {
    this.joinMuted = options.muted === true;
    await this.enterWith(() => this.deps.client.request(ClientEvent.RoomJoin, { roomId }), roomId);
  }

  async create(name: string): Promise<void> {
    this.joinMuted = false;
    await this.enterWith(() => this.deps.client.request(ClientEvent.RoomCreate, { name }));
  }

  async leave(): Promise<void> {
    const room = this.getSnapshot().room;
    this.exit(null);
    if (!room) return;
    try {
      await this.deps.client.request(ClientEvent.RoomLeave, { roomId: room.id });
    } catch (error) {
      // Leaving locally always works; a socket that is gone counts as leaving after the grace.
      this.log.warn('room:leave failed', { code: toAppError(error).code });
    }
  }

  /** Self mute/unmute. Unmuting after a host mute resumes sending (PROTOCOL: allowed). */
  async setMuted(muted: boolean): Promise<void> {
    const state = this.getSnapshot();
    const mesh = this.media.mesh;
    if (!state.room || !mesh) return;
    mesh.setMuted(muted);
    if (!muted && state.mutedByHost) await mesh.setSending(true);
    this.setState((s) => ({ ...s, selfMuted: muted, mutedByHost: muted ? s.mutedByHost : false }));
    await this.deps.client.request(ClientEvent.RoomSelfMute, { roomId: state.room.id, muted });
  }

  async muteParticipant(userId: string): Promise<void> {
    const room = this.requireRoom();
    await this.deps.client.request(ClientEvent.HostMute, { roomId: room.id, userId });
  }

  async removeParticipant(userId: string): Promise<void> {
    const room = this.requireRoom();
    await this.deps.client.request(ClientEvent.HostKick, { roomId: room.id, userId });
  }

  async setLocked(locked: boolean): Promise<void> {
    const room = this.requireRoom();
    await this.deps.client.request(ClientEvent.HostLock, { roomId: room.id, locked });
  }

  /** Sends another microphone on every connection without renegotiating. */
  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    await this.media.mesh?.replaceTrack(track);
    if (this.getSnapshot().noMicrophone) this.setState((s) => ({ ...s, noMicrophone: false }));
  }

  /** Restarts ICE on every connection (diagnostics: a stuck path; the browser tests). */
  restartIce(): void {
    this.media.mesh?.restartIce();
  }

  close(): void {
    this.exit(null);
    for (const unsubscribe of this.unsubscribes) unsubscribe();
  }

  private selfId(): string | undefined {
    return this.deps.self()?.id;
  }

  private isCurrent(roomId: string): boolean {
    return this.getSnapshot().room?.id === roomId;
  }

  private requireRoom(): RoomState {
    const room = this.getSnapshot().room;
    if (!room) throw new AppError('NOT_IN_ROOM', 'You are not in a room.');
    return room;
  }

  private async enterWith(
    request: () => Promise<{ room: RoomState }>,
    joiningId?: string,
  ): Promise<void> {
    if (this.getSnapshot().phase !== 'idle') throw new AppError('BUSY');
    this.setState({ ...IDLE, phase: 'joining' });
    if ((await this.openMicrophone()) === 'cancelled') return;
    try {
      const { room } = await request();
      this.onRoomState(room);
    } catch (error) {
      const failure = toAppError(error);
      if (failure.code === 'ROOM_BANNED' && joiningId) this.removed.add(joiningId);
      if (!this.media.mesh) {
        this.media.end('join refused');
        this.setState(IDLE);
      }
      throw failure;
    }
  }

  /** Rooms the host removed us from (this page's memory): the lobby offers them no Join. */
  wasRemovedFrom(roomId: string): boolean {
    return this.removed.has(roomId);
  }

  private async openMicrophone(): Promise<Error | 'cancelled' | null> {
    const failure = await this.media.open();
    if (failure instanceof Error) {
      this.deps.notices.error(`${failure.message} You can listen but not speak.`);
    }
    return failure;
  }

  /**
   * room:joined while we are in no room: the server moved our seat to this socket, because this
   * page was reloaded (or opened) within the reconnect grace. Take the seat back with fresh
   * connections; the others' stale connections are replaced when our offers reach them, so
   * nobody sees us leave.
   */
  private async adopt(room: RoomState): Promise<void> {
    this.log.info('taking back our seat', { roomId: room.id });
    this.setState({ ...IDLE, phase: 'joining' });
    if ((await this.openMicrophone()) === 'cancelled') return;
    this.onRoomState(room);
  }

  // room:joined and the join/create ack both carry the room; whichever comes first enters.
  private onRoomState(room: RoomState): void {
    const state = this.getSnapshot();
    if (state.phase === 'idle') return;
    if (state.room && state.room.id !== room.id) return;
    const participantIds = room.participants.map((p) => p.userId);
    const me = room.participants.find((p) => p.userId === this.selfId());
    const existing = this.media.mesh;
    if (!existing) {
      const mesh = this.media.connect({ roomId: room.id });
      this.setState((s) => ({
        ...s,
        phase: 'in-room',
        room,
        noMicrophone: !this.media.hasMicrophone,
        enteredAt: Date.now(),
      }));
      // Back after a reload the server still has us muted; a muted join tells it now.
      const tellServer = this.joinMuted && !me?.muted;
      if (me?.muted || this.joinMuted) {
        mesh.setMuted(true);
        this.setState((s) => ({ ...s, selfMuted: true }));
      }
      this.joinMuted = false;
      // The connections come one task later, so the room renders (and can paint) first:
      // creating five RTCPeerConnections with their channels is a long synchronous stretch
      // on a busy page, and the person saw the lobby until it ended.
      setTimeout(() => {
        if (this.media.mesh === mesh) mesh.enter(participantIds);
      }, 0);
      if (tellServer) {
        this.deps.client
          .request(ClientEvent.RoomSelfMute, { roomId: room.id, muted: true })
          .catch((error: unknown) =>
            this.log.warn('room:self:mute after a muted join failed', {
              code: toAppError(error).code,
            }),
          );
      }
      return;
    }
    this.setState((s) => ({ ...s, room, phase: 'in-room' }));
    this.media.resync(participantIds);
    if (me?.muted && !state.selfMuted) existing.setMuted(true);
  }

  // The signaling connection came back. The server kept our seat for RECONNECT_GRACE_MS and
  // re-sends room:joined; joining the room one is in "succeeds and changes nothing", and also
  // brings us back when the grace had passed. Either way the mesh reconciles once.
  private async resume(signalsLost: boolean): Promise<void> {
    const room = this.getSnapshot().room;
    if (!room || !this.media.mesh) return;
    this.media.markResume(signalsLost);
    try {
      const result = await this.deps.client.request(ClientEvent.RoomJoin, { roomId: room.id });
      this.onRoomState(result.room);
    } catch (error) {
      const appError = toAppError(error);
      if (appError.code === 'OFFLINE' || appError.code === 'TIMEOUT') return;
      this.exit(`You lost your place in the room: ${appError.message}`);
    }
  }

  private onHostAction(action: {
    action: 'mute' | 'kick' | 'lock' | 'unlock' | 'host-transferred';
    targetUserId?: string | undefined;
    byUserId?: string | undefined;
  }): void {
    const state = this.getSnapshot();
    const me = this.selfId();
    const room = state.room;
    switch (action.action) {
      case 'mute':
        if (action.targetUserId === me) {
          // Host mute stops RTP altogether, not just the track's samples.
          this.media.mesh?.setMuted(true);
          void this.media.mesh?.setSending(false);
          this.setState((s) => ({ ...s, selfMuted: true, mutedByHost: true }));
          this.deps.notices.info('Muted by the host.');
        }
        break;
      case 'kick':
        if (action.targetUserId === me) {
          if (room) this.removed.add(room.id);
          this.exit(`The host removed you from “${room?.name ?? 'the room'}”.`);
        } else {
          this.deps.notices.info(`${nameOf(room, action.targetUserId)} was removed by the host.`);
        }
        break;
      case 'lock':
      case 'unlock': {
        const locked = action.action === 'lock';
        this.setState((s) => (s.room ? { ...s, room: { ...s.room, locked } } : s));
        this.deps.notices.info(locked ? 'The room is now locked.' : 'The room is now unlocked.');
        break;
      }
      case 'host-transferred': {
        const hostId = action.targetUserId;
        if (!hostId) break;
        this.setState((s) =>
          s.room
            ? {
                ...s,
                room: {
                  ...s.room,
                  hostId,
                  participants: s.room.participants.map((p) => ({
                    ...p,
                    isHost: p.userId === hostId,
                  })),
                },
              }
            : s,
        );
        this.deps.notices.info(
          hostId === me ? 'You are now the host.' : `${nameOf(room, hostId)} is now the host.`,
        );
        break;
      }
    }
  }

  private updateParticipants(update: (list: readonly Participant[]) => Participant[]): void {
    this.setState((s) => {
      if (!s.room) return s;
      const participants = update(s.room.participants);
      const me = participants.find((p) => p.userId === this.selfId());
      return {
        ...s,
        room: { ...s.room, participants },
        // A host unmute cannot happen (PROTOCOL); our own unmute clears the host flag.
        mutedByHost: me && !me.muted ? false : s.mutedByHost,
      };
    });
  }

  private exit(notice: string | null): void {
    this.media.end(notice ?? 'left');
    this.setState(IDLE);
    if (notice) this.deps.notices.info(notice);
  }
}
