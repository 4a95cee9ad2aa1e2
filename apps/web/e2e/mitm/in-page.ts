// Runs in the attacker's page (bundled by ./relay.ts with esbuild): two RTCPeerConnections, one
// pretending to be Ben towards Ada ('near') and one pretending to be Ada towards Ben ('far'),
// each with a certificate of its own. Audio received on one is sent on the other.
import { readDtlsFingerprints } from '../../src/verify/dtls-fingerprints';
import { type HandshakeResult, runHandshake } from '../../src/verify/handshake';

export type Leg = 'near' | 'far';
/**
 * What the attacker does on the 'verify' channels: `handshake` speaks the protocol itself on
 * each leg (the best it can do against the commitment), `relay` passes the messages through.
 */
export type VerifyMode = 'handshake' | 'relay';

const GATHER_TIMEOUT_MS = 5_000;

// Non-trickle on the attacker's side: its descriptions carry its candidates, so the test need
// not forge ICE messages of its own.
async function gathered(pc: RTCPeerConnection): Promise<string> {
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, GATHER_TIMEOUT_MS);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState !== 'complete') return;
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return pc.localDescription?.sdp ?? '';
}

// Chromium decodes a remote audio track only while something plays it out, and a track that
// is not decoded forwards silence: the attacker listens to what it relays.
function playOut(track: MediaStreamTrack) {
  const audio = new Audio();
  audio.srcObject = new MediaStream([track]);
  void audio.play();
}

function install(mode: VerifyMode) {
  const pcs: Record<Leg, RTCPeerConnection> = {
    near: new RTCPeerConnection({ iceServers: [] }),
    far: new RTCPeerConnection({ iceServers: [] }),
  };
  const results: Partial<Record<Leg, HandshakeResult>> = {};
  const channels = {
    near: pcs.near.createDataChannel('verify', { negotiated: true, id: 2 }),
    far: pcs.far.createDataChannel('verify', { negotiated: true, id: 2 }),
  };
  for (const leg of ['near', 'far'] as const) {
    const channel = channels[leg];
    if (mode === 'handshake') {
      void runHandshake({
        channel,
        fingerprints: () => readDtlsFingerprints(pcs[leg]),
      }).result.then((result) => {
        results[leg] = result;
      });
    } else {
      const other = channels[leg === 'near' ? 'far' : 'near'];
      const waiting: string[] = [];
      other.addEventListener('open', () => {
        for (const data of waiting.splice(0)) other.send(data);
      });
      channel.addEventListener('message', ({ data }) => {
        if (other.readyState === 'open') other.send(data);
        else waiting.push(data);
      });
    }
  }
  let nearAnswer: string | null = null;
  let farOut: RTCRtpTransceiver | null = null;

  return {
    pcs,
    results,
    /** Ada's first offer: answer it as Ben, and make the offer Ben gets "from Ada". */
    async nearOffer(sdp: string): Promise<string> {
      const { near, far } = pcs;
      if (nearAnswer !== null) throw new Error('renegotiation is not part of this attack');
      await near.setRemoteDescription({ type: 'offer', sdp });
      const inbound = near.getTransceivers()[0];
      if (!inbound) throw new Error('no audio in the offer');
      inbound.direction = 'sendrecv';
      inbound.sender.setStreams(new MediaStream());
      far.addEventListener('track', ({ track }) => {
        playOut(track);
        void inbound.sender.replaceTrack(track);
      });
      await near.setLocalDescription(await near.createAnswer());
      nearAnswer = await gathered(near);
      const fromAda = inbound.receiver.track;
      playOut(fromAda);
      farOut = far.addTransceiver(fromAda, {
        direction: 'sendrecv',
        streams: [new MediaStream([fromAda])],
      });
      await far.setLocalDescription(await far.createOffer());
      return gathered(far);
    },
    /** Ben's answer to the forged offer: applied to the far leg; Ada gets ours instead. */
    async farAnswer(sdp: string): Promise<string> {
      if (nearAnswer === null || !farOut) throw new Error('an answer before the offer');
      await pcs.far.setRemoteDescription({ type: 'answer', sdp });
      return nearAnswer;
    },
    /** Ben renegotiates (he attached his microphone): answered on the far leg, Ada sees none of it. */
    async farOffer(sdp: string): Promise<string> {
      await pcs.far.setRemoteDescription({ type: 'offer', sdp });
      await pcs.far.setLocalDescription(await pcs.far.createAnswer());
      return gathered(pcs.far);
    },
    async ice(leg: Leg, candidate: RTCIceCandidateInit | null): Promise<void> {
      if (!candidate?.candidate) return;
      await pcs[leg].addIceCandidate(candidate).catch(() => {});
    },
  };
}

export type Attacker = ReturnType<typeof install>;

Object.assign(window, { __installMitm: install });
