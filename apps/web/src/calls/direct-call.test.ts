import { ClientEvent, ServerEvent } from '@openwcall/shared';
import { describe, expect, it, vi } from 'vitest';
import { Mesh } from '../rtc';
import {
  FakeSignalingNetwork,
  fakePeerConnectionFactory,
  fakeStream,
  fakeTrack,
  settle,
} from '../rtc/testing/fakes';
import { FakeClient } from '../signaling/testing/fakes';
import { DirectCallController, formatDuration } from './direct-call';

const ann = { id: 'u-ann', displayName: 'Ann' };
const ben = { id: 'u-ben', displayName: 'Ben' };

function setup(self = ann) {
  const client = new FakeClient();
  const network = new FakeSignalingNetwork();
  const factory = fakePeerConnectionFactory();
  const media = {
    acquire: vi.fn(async () => ({ stream: fakeStream('s'), track: fakeTrack('mic') })),
    release: vi.fn(),
  };
  const tones = { play: vi.fn(), stop: vi.fn() };
  const notices = { info: vi.fn(), error: vi.fn() };
  const notify = vi.fn();
  const onFinished = vi.fn();
  const controller = new DirectCallController({
    client,
    media,
    tones,
    notices,
    notify,
    onFinished,
    createMesh: (scope, local) =>
      new Mesh({
        localUserId: self.id,
        scope,
        signaling: network.channel(self.id),
        createPeerConnection: factory.create,
        iceServers: [],
        localTrack: local?.track ?? null,
        localStream: local?.stream ?? null,
      }),
  });
  return { client, network, factory, media, tones, notices, notify, onFinished, controller };
}

describe('DirectCallController', () => {
  it('caller: rings back, then offers once the call is accepted', async () => {
    const s = setup();
    s.client.answer(ClientEvent.CallInvite, () => ({ callId: 'c1' }));
    await s.controller.invite(ben);
    expect(s.controller.getSnapshot()).toMatchObject({
      phase: 'outgoing',
      callId: 'c1',
      peer: ben,
    });
    expect(s.tones.play).toHaveBeenCalledWith('ringback');
    expect(s.client.requested(ClientEvent.CallInvite)).toEqual([{ toUserId: ben.id }]);

    s.client.emit(ServerEvent.CallState, { callId: 'c1', state: 'accepted', peer: ben });
    await settle();
    expect(s.controller.getSnapshot()).toMatchObject({ phase: 'active', callId: 'c1' });
    expect(s.tones.stop).toHaveBeenCalled();
    expect(s.network.countSent(ann.id, 'offer', ben.id)).toBe(1);
    expect(s.network.sent[0]).toMatchObject({ callId: 'c1' });

    await s.controller.hangUp();
    expect(s.client.requested(ClientEvent.CallEnd)).toEqual([{ callId: 'c1' }]);
    expect(s.controller.getSnapshot().phase).toBe('idle');
    expect(s.factory.created[0]?.closed).toBe(true);
    expect(s.media.release).toHaveBeenCalled();
    expect(s.notices.info).toHaveBeenCalledWith(
      expect.stringMatching(/^Call with Ben ended after/),
    );
    expect(s.onFinished).toHaveBeenCalled();
  });

  it('caller: an invite that fails (e.g. USER_BUSY) ends the outgoing call', async () => {
    const s = setup();
    s.client.fail(ClientEvent.CallInvite, 'USER_BUSY');
    await expect(s.controller.invite(ben)).rejects.toMatchObject({ code: 'USER_BUSY' });
    expect(s.controller.getSnapshot().phase).toBe('idle');
    expect(s.tones.stop).toHaveBeenCalled();
  });

  it.each([
    ['declined', 'Ben declined the call.'],
    ['missed', 'Ben did not answer.'],
  ] as const)('caller: %s is shown clearly', async (state, text) => {
    const s = setup();
    s.client.answer(ClientEvent.CallInvite, () => ({ callId: 'c1' }));
    await s.controller.invite(ben);
    s.client.emit(ServerEvent.CallState, { callId: 'c1', state, peer: ben });
    expect(s.controller.getSnapshot().phase).toBe('idle');
    expect(s.notices.info).toHaveBeenCalledWith(text);
  });

  it('caller: cancel ends the ringing call', async () => {
    const s = setup();
    s.client.answer(ClientEvent.CallInvite, () => ({ callId: 'c1' }));
    await s.controller.invite(ben);
    await s.controller.cancel();
    expect(s.client.requested(ClientEvent.CallEnd)).toEqual([{ callId: 'c1' }]);
    expect(s.notices.info).toHaveBeenCalledWith('Call cancelled.');
  });

  it('callee: rings with a notification, accepts, and waits for the offer', async () => {
    const s = setup(ben);
    s.client.emit(ServerEvent.CallIncoming, { callId: 'c1', from: ann });
    expect(s.controller.getSnapshot()).toMatchObject({ phase: 'incoming', peer: ann });
    expect(s.tones.play).toHaveBeenCalledWith('ringtone');
    expect(s.notify).toHaveBeenCalledWith('Incoming call', 'Ann is calling you');

    await s.controller.accept();
    expect(s.client.requested(ClientEvent.CallAccept)).toEqual([{ callId: 'c1' }]);
    s.client.emit(ServerEvent.CallState, { callId: 'c1', state: 'accepted', peer: ann });
    await settle();
    expect(s.controller.getSnapshot().phase).toBe('active');
    expect(s.network.countSent(ben.id, 'offer')).toBe(0);
  });

  it('callee: a call the caller cancels says cancelled, as history does, not missed', () => {
    const s = setup(ben);
    s.client.emit(ServerEvent.CallIncoming, { callId: 'c1', from: ann });
    s.client.emit(ServerEvent.CallState, { callId: 'c1', state: 'cancelled', peer: ann });
    expect(s.controller.getSnapshot().phase).toBe('idle');
    expect(s.notices.info).toHaveBeenCalledWith('Ann cancelled the call.');
    expect(s.notices.info).not.toHaveBeenCalledWith(expect.stringMatching(/missed/i));
  });

  it('callee: another tab answering stops this one ringing', () => {
    const s = setup(ben);
    s.client.emit(ServerEvent.CallIncoming, { callId: 'c1', from: ann });
    s.client.emit(ServerEvent.CallState, { callId: 'c1', state: 'accepted', peer: ann });
    expect(s.controller.getSnapshot().phase).toBe('idle');
    expect(s.tones.stop).toHaveBeenCalled();
    expect(s.notices.info).toHaveBeenCalledWith('Answered in another tab or device.');
  });

  it('callee: a cancelled call stops ringing and says so; decline tells the server', async () => {
    const s = setup(ben);
    s.client.emit(ServerEvent.CallIncoming, { callId: 'c1', from: ann });
    s.client.emit(ServerEvent.CallState, { callId: 'c1', state: 'cancelled', peer: ann });
    expect(s.controller.getSnapshot().phase).toBe('idle');
    expect(s.notices.info).toHaveBeenCalledWith(expect.stringContaining('Ann cancelled'));

    s.client.emit(ServerEvent.CallIncoming, { callId: 'c2', from: ann });
    await s.controller.decline();
    expect(s.client.requested(ClientEvent.CallDecline)).toEqual([{ callId: 'c2' }]);
    expect(s.controller.getSnapshot().phase).toBe('idle');
  });

  it('a connection that cannot be restored ends the call with a message, not silence', async () => {
    const s = setup();
    s.client.answer(ClientEvent.CallInvite, () => ({ callId: 'c1' }));
    await s.controller.invite(ben);
    s.client.emit(ServerEvent.CallState, { callId: 'c1', state: 'accepted', peer: ben });
    await settle();
    vi.useFakeTimers();
    const pc = s.factory.created[0];
    pc?.setConnectionState('connected');
    pc?.setConnectionState('failed');
    await vi.advanceTimersByTimeAsync(120_000);
    vi.useRealTimers();
    expect(s.controller.getSnapshot().phase).toBe('idle');
    expect(s.notices.error).toHaveBeenCalledWith(
      'The call with Ben was lost: the connection could not be restored.',
    );
    expect(s.client.requested(ClientEvent.CallEnd)).toEqual([{ callId: 'c1' }]);
    expect(pc?.closed).toBe(true);
  });

  it('after a reload, adopts the accepted call the server re-sends to this socket and offers', async () => {
    const s = setup();
    s.client.emit(ServerEvent.CallState, {
      callId: 'c1',
      state: 'accepted',
      peer: ben,
      resumed: true,
    });
    await settle();
    expect(s.controller.getSnapshot()).toMatchObject({ phase: 'active', callId: 'c1', peer: ben });
    expect(s.media.acquire).toHaveBeenCalledTimes(1);
    expect(s.network.countSent(ann.id, 'offer', ben.id)).toBe(1);
    await s.controller.hangUp();
    expect(s.client.requested(ClientEvent.CallEnd)).toEqual([{ callId: 'c1' }]);
  });

  it('ignores states of calls it does not know', () => {
    const s = setup(ben);
    s.client.emit(ServerEvent.CallState, { callId: 'cX', state: 'accepted', peer: ann });
    expect(s.controller.getSnapshot().phase).toBe('idle');
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65_000)).toBe('1:05');
    expect(formatDuration(3_726_000)).toBe('1:02:06');
  });
});
