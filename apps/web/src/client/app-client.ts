import type { CallHistoryEntry } from '@openwcall/shared';
import { AccountApi, LinkApi } from '../account/api';
import { Profile } from '../account/profile';
import { AdminApi } from '../admin/api';
import { AuthApi } from '../auth/api';
import { browserSessionDeps, Session } from '../auth/session';
import { toAppError } from '../base/errors';
import { ExternalStore } from '../base/external-store';
import { type Logger, PageLog } from '../base/logger';
import { Notices } from '../base/notices';
import { CallMute } from '../calls/call-mute';
import { DirectCallController } from '../calls/direct-call';
import { ChatStore } from '../chat/chat-store';
import { CHAT_CHANNEL } from '../chat/chat-wire';
import type { RuntimeConfig } from '../config/runtime';
import { LobbyStore } from '../lobby/lobby-store';
import { AudioLevels } from '../media/audio-levels';
import { playCue, RoomCues } from '../media/cues';
import { syncDeafenToRoom } from '../media/deafen-sync';
import { Microphone } from '../media/microphone';
import { NoiseFilter, rnnoiseSuppressor } from '../media/noise-filter';
import { Playout } from '../media/playout';
import { WebAudioTones } from '../media/tones';
import { TransmitGate } from '../media/transmit';
import { ConnectionQuality } from '../quality/connection-quality';
import { JoinCheck } from '../room/join-check';
import { RoomController } from '../room/room-controller';
import {
  buildIceServers,
  Mesh,
  type PeerSnapshot,
  privacyAwareFactory,
  type SignalScope,
  withCertificate,
} from '../rtc';
import { HideIpSetting } from '../settings/hide-ip';
import { PeerVolumes } from '../settings/peer-volumes';
import { VoiceSettings } from '../settings/voice-settings';
import { SignalingClient } from '../signaling/client';
import { createSocketIoSocket } from '../signaling/socket';
import { createWebrtcChannel } from '../signaling/webrtc-channel';
import { type Activity, OtherTabs } from '../tabs/other-tabs';
import { DeviceCertificate } from '../verify/device-certificate';
import { SafetyCodes, VERIFY_CHANNEL } from '../verify/safety-codes';

/** The page's log; `localStorage['openwcall:debug'] = '1'` puts every line on the console. */
export const pageLog = new PageLog(console, verboseLogging());
const browserLogger: Logger = pageLog;

function verboseLogging(): boolean {
  try {
    return typeof localStorage !== 'undefined' && localStorage.getItem('openwcall:debug') === '1';
  } catch {
    return false;
  }
}

// Long enough for the taking tab to reconnect and be handed the call first.
const TAB_HANDOVER_MS = 4_000;

/** Key of the local microphone in AudioLevels (remote peers use their user id). */
export const SELF_LEVEL_ID = 'self';

function sharedAudioContext(): () => AudioContext {
  let context: AudioContext | null = null;
  return () => {
    if (!context || context.state === 'closed') context = new AudioContext();
    return context;
  };
}

/** Everything that lives while one user is signed in and connected. */
export class Connection {
  readonly signaling: SignalingClient;
  readonly lobby: LobbyStore;
  readonly room: RoomController;
  /** The device check between a Join and the join itself. */
  readonly joinCheck: JoinCheck;
  readonly call: DirectCallController;
  readonly levels: AudioLevels;
  readonly playout: Playout;
  readonly cues: RoomCues;
  readonly callMute: CallMute;
  readonly tabs: OtherTabs;
  /** The text chat of the room we are in, and of the direct call (each lives with its mesh). */
  readonly roomChat = new ChatStore({ logger: browserLogger });
  readonly callChat = new ChatStore({ logger: browserLogger });
  readonly safety: SafetyCodes;
  /** Round trip, loss and jitter of every peer connection of the room or call. */
  readonly quality = new ConnectionQuality();
  private readonly cleanups: Array<() => void> = [];

  constructor(private readonly app: AppClient) {
    const { config, session, notices, microphone, audioContext } = app;
    this.signaling = new SignalingClient({
      createSocket: () => createSocketIoSocket(config.serverUrl),
      getToken: () => session.getAccessToken(),
      refreshToken: () => session.refresh(),
      onAuthFailed: (error) => session.endedByServer(error.code),
      subscribeToken: (listener) => session.onToken(listener),
      logger: browserLogger,
    });
    const channel = createWebrtcChannel(this.signaling);
    this.safety = new SafetyCodes({ localUserId: session.user?.id ?? '' });
    const createMesh = (
      scope: SignalScope,
      local: { stream: MediaStream; track: MediaStreamTrack } | null,
    ) => {
      const iceServers = () =>
        buildIceServers(this.signaling.getSnapshot().iceServers as RTCIceServer[], config.turn);
      const mesh = new Mesh({
        localUserId: session.user?.id ?? '',
        scope,
        signaling: channel,
        createPeerConnection: privacyAwareFactory(
          () => app.hideIp.getSnapshot(),
          withCertificate(() => app.certificate.current),
        ),
        iceServers: iceServers(),
        localTrack: local?.track ?? null,
        localStream: local?.stream ?? null,
        dataChannels: [CHAT_CHANNEL, VERIFY_CHANNEL],
        logger: browserLogger,
      });
      app.transmit.attach(mesh);
      this.safety.attach(mesh);
      const selfId = session.user?.id ?? '';
      if (scope.roomId !== undefined) {
        this.roomChat.attach(mesh, {
          selfId,
          nameOf: (userId) =>
            this.room.getSnapshot().room?.participants.find((p) => p.userId === userId)
              ?.displayName,
        });
      } else {
        this.callChat.attach(mesh, {
          selfId,
          nameOf: (userId) => {
            const call = this.call.getSnapshot();
            return call.phase !== 'idle' && call.peer.id === userId
              ? call.peer.displayName
              : undefined;
          },
        });
      }
      // Every auth:hello answer (token refresh, reconnect, liveness check) brings TURN
      // credentials with a new expiry; the next ICE restart must not gather with stale ones.
      let servers = this.signaling.getSnapshot().iceServers;
      const stopIce = this.signaling.subscribe(() => {
        const next = this.signaling.getSnapshot().iceServers;
        if (next === servers) return;
        servers = next;
        mesh.setIceServers(iceServers());
      });
      mesh.on('peerState', ({ to }) => {
        // Media to a peer stopped: if our own network changed, the socket is dead too and
        // the ICE restart's offer would wait in it; check it now rather than at its timeout.
        if (to === 'reconnecting') void this.signaling.checkAlive();
      });
      mesh.on('closed', stopIce);
      this.quality.attach(mesh);
      return mesh;
    };
    // What the connections send: the microphone, through the strong suppressor when it is on.
    const media = {
      acquire: async () => app.noiseFilter.process(await microphone.acquire()),
      release: () => {
        app.noiseFilter.release();
        microphone.release();
      },
    };

    this.lobby = new LobbyStore(
      this.signaling,
      async () => app.api.callHistory(await session.getAccessToken()),
      async () => app.api.users(await session.getAccessToken()),
    );
    this.room = new RoomController({
      client: this.signaling,
      media,
      createMesh,
      notices,
      self: () => session.user,
      logger: browserLogger,
    });
    this.joinCheck = new JoinCheck({
      join: (roomId, options) => this.room.join(roomId, options),
      settings: () => app.voiceSettings.getSnapshot(),
      rememberJoinMuted: (joinMuted) => app.voiceSettings.update({ joinMuted }),
      openMicrophone: () => microphone.acquire(),
      releaseMicrophone: () => {
        // A call answered while the check was open holds this same microphone.
        if (!this.room.inRoom && this.call.getSnapshot().phase === 'idle') microphone.release();
      },
    });
    this.call = new DirectCallController({
      client: this.signaling,
      media,
      createMesh,
      tones: new WebAudioTones(audioContext),
      notices,
      notify: (title, body) => {
        if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
        if (typeof document !== 'undefined' && !document.hidden) return;
        const notification = new Notification(title, { body, tag: 'openwcall-call' });
        notification.onclick = () => window.focus();
      },
      onFinished: () => {
        void this.lobby.refreshHistory();
      },
      logger: browserLogger,
    });
    this.levels = new AudioLevels({ createContext: audioContext });
    this.callMute = new CallMute({
      call: this.call,
      client: this.signaling,
      onError: (error) => browserLogger.warn('call:self:mute failed', { error }),
    });
    let blockedNotice = false;
    this.playout = new Playout({
      createContext: audioContext,
      onAutoplayBlocked: () => {
        if (blockedNotice || typeof document === 'undefined') return;
        blockedNotice = true;
        notices.info('Click anywhere to hear the call.');
        const retry = () => {
          blockedNotice = false;
          document.removeEventListener('pointerdown', retry);
          document.removeEventListener('keydown', retry);
          this.playout.retryBlocked();
        };
        document.addEventListener('pointerdown', retry);
        document.addEventListener('keydown', retry);
      },
    });
    this.cues = new RoomCues({
      room: this.room,
      selfId: () => session.user?.id,
      play: (kind) => {
        // Deafened people hear nothing, cues included.
        if (app.transmit.getSnapshot().deafened) return;
        try {
          playCue(audioContext(), kind);
        } catch {
          // No Web Audio: the announcement still reaches screen readers.
        }
      },
    });
    const applyVolumes = () => {
      for (const id of this.previousLevelIds) this.playout.setVolume(id, app.volumes.gain(id));
    };
    this.tabs = new OtherTabs({
      channel:
        typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('openwcall-tabs'),
      userId: session.user?.id ?? '',
      release: (activity) => this.releaseToOtherTab(activity),
      adopt: (activity) => this.adoptFromOtherTab(activity),
    });
    const syncActivity = () => {
      const room = this.room.getSnapshot();
      const call = this.call.getSnapshot();
      this.tabs.setActivity(
        call.phase === 'active'
          ? { kind: 'call', callId: call.callId }
          : room.phase === 'in-room' && room.room
            ? { kind: 'room', roomId: room.room.id }
            : null,
      );
    };

    // Speaking indicators follow the local microphone and every remote stream.
    const syncLevels = () => {
      this.levels.track(SELF_LEVEL_ID, microphone.getSnapshot().stream);
      const roomPeers = this.room.getSnapshot().peers;
      const callView = this.call.getSnapshot();
      const peers: readonly PeerSnapshot[] =
        callView.phase === 'active' ? callView.peers : roomPeers;
      const seen = new Set<string>([SELF_LEVEL_ID]);
      for (const peer of peers) {
        this.levels.track(peer.userId, peer.remoteStream);
        this.playout.setVolume(peer.userId, app.volumes.gain(peer.userId));
        this.playout.play(peer.userId, peer.remoteStream);
        seen.add(peer.userId);
      }
      for (const id of this.previousLevelIds) {
        if (seen.has(id)) continue;
        this.levels.untrack(id);
        this.playout.stop(id);
      }
      this.previousLevelIds = seen;
    };
    const applyOutput = () => {
      this.playout.setSinkId(microphone.getSnapshot().outputId);
      this.playout.setDeafened(app.transmit.getSnapshot().deafened);
    };
    applyOutput();
    let lostNotice: number | null = null;
    this.cleanups.push(
      syncDeafenToRoom({
        room: this.room,
        transmit: app.transmit,
        client: this.signaling,
        selfId: () => session.user?.id,
        onError: (error) => browserLogger.warn('room:self:deafen failed', { error }),
      }),
      microphone.subscribe(syncLevels),
      microphone.subscribe(applyOutput),
      app.transmit.subscribe(applyOutput),
      app.volumes.subscribe(applyVolumes),
      this.room.subscribe(syncLevels),
      this.call.subscribe(syncLevels),
      this.room.subscribe(syncActivity),
      this.call.subscribe(syncActivity),
      // A call answered (or placed) while the device check is open goes ahead of the join; a
      // ring only hides the check until it is declined.
      this.call.subscribe(() => {
        const { phase } = this.call.getSnapshot();
        if (phase === 'active' || phase === 'outgoing') this.joinCheck.cancel();
      }),
      this.signaling.onReady(({ resumed }) => {
        if (resumed) return;
        void this.lobby.refreshHistory();
        void this.lobby.refreshDirectory();
      }),
      this.signaling.subscribe(() => {
        const { status, attempt } = this.signaling.getSnapshot();
        if (status === 'reconnecting' && attempt === 1 && lostNotice === null) {
          lostNotice = notices.info('Connection to the server lost. Reconnecting…');
        } else if (status === 'ready' && lostNotice !== null) {
          // Gone as soon as the header says Connected, not after the notice's lifetime.
          notices.dismiss(lostNotice);
          lostNotice = null;
        }
      }),
    );
    // A tab that closes tells the others it no longer carries the call (no "another tab" left).
    if (typeof window !== 'undefined') {
      const onPageHide = () => this.tabs.setActivity(null);
      window.addEventListener('pagehide', onPageHide);
      // Back from the back/forward cache, still in the call.
      window.addEventListener('pageshow', syncActivity);
      this.cleanups.push(() => {
        window.removeEventListener('pagehide', onPageHide);
        window.removeEventListener('pageshow', syncActivity);
      });
    }
    this.signaling.start();
  }

  private previousLevelIds = new Set<string>();

  /**
   * Switches the microphone. An open one (in a room or call, or in the device check) is
   * reopened on the new device at once; mid-call the new track replaces the old one on every
   * connection.
   */
  async selectMicrophone(deviceId: string): Promise<void> {
    const microphone = this.app.microphone;
    if (!microphone.getSnapshot().track) {
      microphone.selectInput(deviceId);
      return;
    }
    try {
      const opened = await microphone.open(deviceId);
      await this.replaceOutgoing((await this.app.noiseFilter.process(opened)).track);
      microphone.commitSwitch(deviceId, opened);
    } catch (error) {
      this.app.notices.error(toAppError(error).message);
    }
  }

  /** Sends `track` on the room's or the call's connections (whichever is live). */
  async replaceOutgoing(track: MediaStreamTrack): Promise<void> {
    if (this.room.inRoom) await this.room.replaceTrack(track);
    if (this.call.getSnapshot().phase === 'active') await this.call.replaceTrack(track);
  }

  // Another tab takes over. A room moves by that tab's room:join (the server then tells this
  // one it left); a call moves only to a socket that connects while ours is gone.
  private releaseToOtherTab(activity: Activity): void {
    if (activity.kind !== 'call') return;
    this.call.release();
    this.signaling.reconnectLater(TAB_HANDOVER_MS);
  }

  private adoptFromOtherTab(activity: Activity): void {
    if (activity.kind === 'room') {
      this.room.join(activity.roomId).catch((error: unknown) => {
        this.app.notices.error(toAppError(error).message);
      });
      return;
    }
    // A fresh auth:hello from a new socket is what makes the server move the call here; the
    // other tab's close may reach the server after our hello, so try a few times.
    let tries = 0;
    const attempt = () => {
      if (this.call.getSnapshot().phase !== 'idle' || tries >= 3) return;
      tries += 1;
      this.signaling.dropConnection();
      setTimeout(attempt, 2_000);
    };
    attempt();
  }

  close(): void {
    for (const cleanup of this.cleanups) cleanup();
    this.tabs.close();
    this.room.close();
    this.call.close();
    this.lobby.close();
    this.levels.close();
    this.playout.close();
    this.cues.close();
    this.callMute.close();
    this.safety.close();
    this.quality.close();
    this.signaling.close();
  }
}

/**
 * The composition root: configuration, session, notices and microphone for the page's whole
 * life, and a Connection while someone is signed in.
 */
export class AppClient {
  readonly api: AuthApi;
  readonly session: Session;
  readonly account: AccountApi;
  readonly admin: AdminApi;
  readonly links: LinkApi;
  readonly profile: Profile;
  readonly notices = new Notices();
  readonly hideIp = new HideIpSetting();
  readonly voiceSettings = new VoiceSettings();
  /** Presented by every connection, so safety codes stay the same between calls. */
  readonly certificate = new DeviceCertificate((error) =>
    browserLogger.warn('no device certificate; calls use a fresh one', { error }),
  );
  readonly volumes = new PeerVolumes();
  readonly transmit = new TransmitGate(this.voiceSettings.getSnapshot().pushToTalk);
  /** One AudioContext for the page: tones, speaking meters and playout share it. */
  readonly audioContext = sharedAudioContext();
  readonly microphone: Microphone;
  readonly noiseFilter = new NoiseFilter(
    rnnoiseSuppressor(),
    this.voiceSettings.getSnapshot().strongNoiseSuppression,
  );
  readonly connection = new (class extends ExternalStore<Connection | null> {
    set(value: Connection | null) {
      this.setState(value);
    }
  })(null);
  private userId: string | null = null;

  constructor(readonly config: RuntimeConfig) {
    this.api = new AuthApi(config.serverUrl);
    this.session = new Session({
      api: this.api,
      endAllLogins: (token) => this.api.request('DELETE', '/me/sessions', null, { token }),
      ...browserSessionDeps(),
    });
    const token = () => this.session.getAccessToken();
    this.account = new AccountApi(this.api, token);
    this.admin = new AdminApi(this.api, token);
    this.links = new LinkApi(this.api);
    this.profile = new Profile(this.account, (error) =>
      browserLogger.warn('could not load the profile', { code: toAppError(error).code }),
    );
    this.microphone = new Microphone(
      typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined,
      typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype,
    );
    const { noiseSuppression, echoCancellation, autoGainControl, inputId, outputId } =
      this.voiceSettings.getSnapshot();
    void this.microphone.setProcessing({ noiseSuppression, echoCancellation, autoGainControl });
    // The devices last chosen in this browser, and each new choice remembered.
    this.microphone.selectInput(inputId);
    this.microphone.selectOutput(outputId);
    this.microphone.subscribe(() => {
      const chosen = this.microphone.getSnapshot();
      const saved = this.voiceSettings.getSnapshot();
      if (chosen.inputId !== saved.inputId || chosen.outputId !== saved.outputId) {
        this.voiceSettings.update({ inputId: chosen.inputId, outputId: chosen.outputId });
      }
    });
    this.session.subscribe(() => this.onSession());
    void this.session.restore();
  }

  /** The strong noise suppressor on or off, for the next microphone and the open one. */
  async setStrongNoiseSuppression(on: boolean): Promise<void> {
    this.voiceSettings.update({ strongNoiseSuppression: on });
    const sent = await this.noiseFilter.setEnabled(on);
    if (sent) await this.connection.getSnapshot()?.replaceOutgoing(sent.track);
  }

  private onSession(): void {
    const user = this.session.user;
    if (user?.id === this.userId) return;
    const previous = this.connection.getSnapshot();
    if (previous) {
      // Signing out: say goodbye now rather than leaving the others waiting out the grace.
      if (previous.room.inRoom) void previous.room.leave();
      const phase = previous.call.getSnapshot().phase;
      if (phase === 'incoming') void previous.call.decline();
      else if (phase !== 'idle') void previous.call.hangUp();
      previous.close();
    }
    this.userId = user?.id ?? null;
    this.profile.clear();
    if (user) void this.profile.load();
    this.connection.set(user ? new Connection(this) : null);
  }
}

export type { CallHistoryEntry };
