import type { ServerPayload } from '@openwcall/shared';
import {
  MediaStreamTrack,
  type RTCIceCandidate,
  RTCPeerConnection,
  RtpHeader,
  RtpPacket,
  useOPUS,
} from 'werift';
import type { TestClient } from './clients';

/*
 * A Node WebRTC endpoint (werift, pure TypeScript) that negotiates with another one through
 * our signaling server: offers, answers and trickled ICE candidates travel as `webrtc:*`
 * events over a TestClient's socket. It sends synthetic Opus RTP (one packet per 20 ms) and
 * counts what arrives on the remote track.
 */

export type SignalScope = { roomId: string } | { callId: string };

type ConnectionState = RTCPeerConnection['connectionState'];

/** Opus, 48 kHz: a 20 ms frame advances the RTP timestamp by 960. */
const OPUS_SAMPLES_PER_FRAME = 960;
const FRAME_MS = 20;

export class SignaledPeer {
  readonly pc: RTCPeerConnection;
  readonly track = new MediaStreamTrack({ kind: 'audio' });
  readonly received = { packets: 0, bytes: 0, firstAt: 0 };
  /** Acks of the signals this peer sent: every one must be ok. */
  readonly signalFailures: unknown[] = [];
  readonly signalsSent = { offer: 0, answer: 0, ice: 0 };
  private readonly pendingIce: Array<ReturnType<RTCIceCandidate['toJSON']>> = [];
  private readonly cleanups: Array<() => void> = [];
  private sender: ReturnType<typeof setInterval> | undefined;
  private sequenceNumber = Math.floor(Math.random() * 0xffff);
  private timestamp = Math.floor(Math.random() * 0xffffffff);

  constructor(
    readonly client: TestClient,
    readonly remoteUserId: string,
    readonly scope: SignalScope,
  ) {
    // No STUN or TURN here (closed network): host candidates only. Opus only, explicitly.
    this.pc = new RTCPeerConnection({ iceServers: [], codecs: { audio: [useOPUS()], video: [] } });

    const { unSubscribe: offIce } = this.pc.onIceCandidate.subscribe((candidate) => {
      this.signal('webrtc:ice', { candidate: candidate ? candidate.toJSON() : null });
    });
    const { unSubscribe: offTrack } = this.pc.onTrack.subscribe((remote) => {
      remote.onReceiveRtp.subscribe((rtp) => {
        if (this.received.packets === 0) this.received.firstAt = performance.now();
        this.received.packets += 1;
        this.received.bytes += rtp.payload.length;
      });
    });
    this.cleanups.push(offIce, offTrack);

    const mine = (p: { from: string; roomId?: string | undefined; callId?: string | undefined }) =>
      p.from === remoteUserId &&
      ('roomId' in scope ? p.roomId === scope.roomId : p.callId === scope.callId);
    const onOffer = (p: ServerPayload<'webrtc:offer'>) => {
      if (mine(p)) void this.answer(p.sdp);
    };
    const onAnswer = (p: ServerPayload<'webrtc:answer'>) => {
      if (mine(p)) void this.acceptAnswer(p.sdp);
    };
    const onIce = (p: ServerPayload<'webrtc:ice'>) => {
      if (mine(p) && p.candidate) void this.addCandidate(p.candidate);
    };
    client.socket.on('webrtc:offer', onOffer);
    client.socket.on('webrtc:answer', onAnswer);
    client.socket.on('webrtc:ice', onIce);
    this.cleanups.push(() => {
      client.socket.off('webrtc:offer', onOffer);
      client.socket.off('webrtc:answer', onAnswer);
      client.socket.off('webrtc:ice', onIce);
    });
  }

  /** The side that starts negotiation (the newcomer in a room, the caller in a call). */
  async offer(): Promise<void> {
    this.pc.addTransceiver(this.track, { direction: 'sendrecv' });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    this.signal('webrtc:offer', { sdp: this.localSdp() });
  }

  private async answer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp });
    // Send on the transceiver the offer created rather than adding a second m-line.
    const transceiver = this.pc.getTransceivers().find((t) => t.kind === 'audio');
    if (!transceiver) throw new Error('the offer has no audio section');
    transceiver.setDirection('sendrecv');
    await transceiver.sender.replaceTrack(this.track);
    await this.flushIce();
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    this.signal('webrtc:answer', { sdp: this.localSdp() });
  }

  private async acceptAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
    await this.flushIce();
  }

  private async addCandidate(relayed: NonNullable<ServerPayload<'webrtc:ice'>['candidate']>) {
    const candidate = {
      candidate: relayed.candidate,
      sdpMid: relayed.sdpMid ?? undefined,
      sdpMLineIndex: relayed.sdpMLineIndex ?? undefined,
      usernameFragment: relayed.usernameFragment ?? undefined,
    };
    // Candidates can overtake the description they belong to: hold them until it is set.
    if (!this.pc.remoteDescription) {
      this.pendingIce.push(candidate);
      return;
    }
    await this.pc.addIceCandidate(candidate);
  }

  private async flushIce() {
    for (const candidate of this.pendingIce.splice(0)) await this.pc.addIceCandidate(candidate);
  }

  private localSdp(): string {
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new Error('no local description');
    return sdp;
  }

  private signal(event: 'webrtc:offer' | 'webrtc:answer' | 'webrtc:ice', body: object) {
    this.signalsSent[event.slice('webrtc:'.length) as 'offer' | 'answer' | 'ice'] += 1;
    this.client
      .request(event, { to: this.remoteUserId, ...this.scope, ...body })
      .then((ack: { ok: boolean }) => {
        if (!ack.ok) this.signalFailures.push(ack);
      })
      .catch((err: unknown) => this.signalFailures.push(String(err)));
  }

  /** Resolves when the peer connection is `connected`; rejects on failure or timeout. */
  connected(timeoutMs = 20_000): Promise<void> {
    return this.reach('connected', timeoutMs);
  }

  private reach(target: ConnectionState, timeoutMs: number): Promise<void> {
    if (this.pc.connectionState === target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unSubscribe();
        reject(
          new Error(`peer of ${this.client.user.displayName}: still ${this.pc.connectionState}`),
        );
      }, timeoutMs);
      const { unSubscribe } = this.pc.connectionStateChange.subscribe((state) => {
        if (state === target || state === 'failed' || state === 'closed') {
          clearTimeout(timer);
          unSubscribe();
          if (state === target) resolve();
          else reject(new Error(`peer of ${this.client.user.displayName}: ${state}`));
        }
      });
    });
  }

  /** Sends one synthetic Opus frame every 20 ms (the sender rewrites SSRC and payload type). */
  startAudio(payloadBytes = 80): void {
    this.sender = setInterval(() => {
      this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
      this.timestamp = (this.timestamp + OPUS_SAMPLES_PER_FRAME) >>> 0;
      const payload = Buffer.alloc(payloadBytes, this.sequenceNumber & 0xff);
      payload[0] = 0x78; // TOC byte: CELT-only fullband, 20 ms frame, mono, one frame
      this.track.writeRtp(
        new RtpPacket(
          new RtpHeader({
            payloadType: 111,
            sequenceNumber: this.sequenceNumber,
            timestamp: this.timestamp,
            marker: false,
          }),
          payload,
        ),
      );
    }, FRAME_MS);
  }

  /** Waits until at least `packets` RTP packets arrived from the other side. */
  async receivedAtLeast(packets: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.packets < packets) {
      if (Date.now() > deadline) {
        throw new Error(
          `${this.client.user.displayName} received ${this.received.packets}/${packets} RTP packets`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    if (this.sender) clearInterval(this.sender);
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.track.stop();
    await this.pc.close();
  }
}
