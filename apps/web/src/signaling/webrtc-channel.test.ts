import { ClientEvent, ServerEvent } from '@openwcall/shared';
import { describe, expect, it, vi } from 'vitest';
import type { IncomingSignal } from '../rtc';
import { FakeClient } from './testing/fakes';
import { createWebrtcChannel } from './webrtc-channel';

function setup() {
  const client = new FakeClient();
  const signal = vi.fn();
  const channel = createWebrtcChannel({ on: client.on.bind(client), signal });
  return { client, signal, channel };
}

describe('createWebrtcChannel', () => {
  it('maps outgoing offers, answers and candidates onto the wire events with one scope', () => {
    const { signal, channel } = setup();
    channel.send({ kind: 'offer', to: 'u2', roomId: 'r1', sdp: 'o' });
    channel.send({ kind: 'answer', to: 'u2', callId: 'c1', sdp: 'a' });
    channel.send({
      kind: 'ice',
      to: 'u2',
      roomId: 'r1',
      candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'x' },
    });
    channel.send({ kind: 'ice', to: 'u2', roomId: 'r1', candidate: null });
    expect(signal.mock.calls).toEqual([
      [ClientEvent.WebrtcOffer, { to: 'u2', roomId: 'r1', sdp: 'o' }],
      [ClientEvent.WebrtcAnswer, { to: 'u2', callId: 'c1', sdp: 'a' }],
      [
        ClientEvent.WebrtcIce,
        {
          to: 'u2',
          roomId: 'r1',
          candidate: {
            candidate: 'candidate:1',
            sdpMid: '0',
            sdpMLineIndex: 0,
            usernameFragment: 'x',
          },
        },
      ],
      [ClientEvent.WebrtcIce, { to: 'u2', roomId: 'r1', candidate: null }],
    ]);
  });

  it('delivers relayed signals with their kind until unsubscribed', () => {
    const { client, channel } = setup();
    const received: IncomingSignal[] = [];
    const unsubscribe = channel.subscribe((s) => received.push(s));
    client.emit(ServerEvent.WebrtcOffer, { from: 'u2', roomId: 'r1', sdp: 'o' });
    client.emit(ServerEvent.WebrtcAnswer, { from: 'u2', callId: 'c1', sdp: 'a' });
    client.emit(ServerEvent.WebrtcIce, { from: 'u2', roomId: 'r1', candidate: null });
    unsubscribe();
    client.emit(ServerEvent.WebrtcOffer, { from: 'u3', roomId: 'r1', sdp: 'o' });
    expect(received).toEqual([
      { from: 'u2', roomId: 'r1', sdp: 'o', kind: 'offer' },
      { from: 'u2', callId: 'c1', sdp: 'a', kind: 'answer' },
      { from: 'u2', roomId: 'r1', callId: undefined, kind: 'ice', candidate: null },
    ]);
  });
});
