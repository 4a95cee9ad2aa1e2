import { ClientEvent, type IceCandidate, ServerEvent } from '@openwcall/shared';
import type { IncomingSignal, OutgoingSignal, SignalingChannel } from '../rtc';
import type { SignalingClient } from './client';

type Client = Pick<SignalingClient, 'signal' | 'on'>;

function scopeOf(signal: {
  roomId?: string | undefined;
  callId?: string | undefined;
}): { roomId: string } | { callId: string } {
  return signal.roomId !== undefined ? { roomId: signal.roomId } : { callId: signal.callId ?? '' };
}

// The wire schema is strict, so only the standard RTCIceCandidateInit fields are sent.
function toWireCandidate(candidate: RTCIceCandidateInit | null): IceCandidate | null {
  if (candidate === null) return null;
  const wire: IceCandidate = { candidate: candidate.candidate ?? '' };
  if (candidate.sdpMid !== undefined) wire.sdpMid = candidate.sdpMid;
  if (candidate.sdpMLineIndex !== undefined) wire.sdpMLineIndex = candidate.sdpMLineIndex;
  if (candidate.usernameFragment !== undefined) wire.usernameFragment = candidate.usernameFragment;
  return wire;
}

/** The engine's SignalingChannel over the Socket.IO client: `webrtc:*` out and in. */
export function createWebrtcChannel(client: Client): SignalingChannel {
  return {
    send(signal: OutgoingSignal) {
      const base = { to: signal.to, ...scopeOf(signal) };
      switch (signal.kind) {
        case 'offer':
          client.signal(ClientEvent.WebrtcOffer, { ...base, sdp: signal.sdp });
          break;
        case 'answer':
          client.signal(ClientEvent.WebrtcAnswer, {
            ...base,
            sdp: signal.sdp,
            ...(signal.answers !== undefined ? { answers: signal.answers } : {}),
          });
          break;
        case 'ice':
          client.signal(ClientEvent.WebrtcIce, {
            ...base,
            candidate: toWireCandidate(signal.candidate),
          });
          break;
      }
    },
    subscribe(listener: (signal: IncomingSignal) => void) {
      const unsubscribes = [
        client.on(ServerEvent.WebrtcOffer, (p) => listener({ ...p, kind: 'offer' })),
        client.on(ServerEvent.WebrtcAnswer, (p) => listener({ ...p, kind: 'answer' })),
        client.on(ServerEvent.WebrtcIce, (p) =>
          listener({
            from: p.from,
            roomId: p.roomId,
            callId: p.callId,
            kind: 'ice',
            candidate: p.candidate,
          }),
        ),
      ];
      return () => {
        for (const unsubscribe of unsubscribes) unsubscribe();
      };
    },
    subscribeUnreachable(listener: (userId: string) => void) {
      return client.on(ServerEvent.SignalError, (p) => {
        if (p.code === 'PEER_UNREACHABLE') listener(p.to);
      });
    },
  };
}
