import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../base/logger';
import { type LocalAudio, MediaSession } from './media-session';
import { Mesh } from './mesh';
import {
  FakeSignalingNetwork,
  fakePeerConnectionFactory,
  fakeStream,
  fakeTrack,
  settle,
} from './testing/fakes';

function setup(
  acquire: () => Promise<LocalAudio> = async () => ({
    stream: fakeStream('s'),
    track: fakeTrack('mic'),
  }),
) {
  const network = new FakeSignalingNetwork();
  const factory = fakePeerConnectionFactory();
  const media = { acquire: vi.fn(acquire), release: vi.fn() };
  const messages: string[] = [];
  const logger: Logger = { debug: () => {}, info: (m) => messages.push(m), warn: () => {} };
  const onPeers = vi.fn();
  const onPeerFailed = vi.fn();
  const session = new MediaSession({
    name: 'room',
    media,
    logger,
    onPeers,
    onPeerFailed,
    createMesh: (scope, local) =>
      new Mesh({
        localUserId: 'me',
        scope,
        signaling: network.channel('me'),
        createPeerConnection: factory.create,
        iceServers: [],
        localTrack: local?.track ?? null,
      }),
  });
  return { session, media, messages, onPeers, onPeerFailed, factory, network };
}

describe('MediaSession', () => {
  it('opens the microphone, connects the mesh, and logs every transition as from -> to', async () => {
    const s = setup();
    expect(await s.session.open()).toBeNull();
    const mesh = s.session.connect({ roomId: 'r1' });
    mesh.join(['me', 'peer']);
    expect(s.session.state).toBe('live');
    expect(s.onPeers).toHaveBeenCalled();
    s.session.end('left');
    s.session.end('left');
    expect(s.messages).toEqual([
      'room media: idle -> opening',
      'room media: opening -> ready',
      'room media: ready -> live',
      'room media: live -> idle',
    ]);
    expect(s.media.release).toHaveBeenCalledTimes(1);
    expect(s.factory.created[0]?.closed).toBe(true);
  });

  it('lets go of a microphone that opens after the session ended', async () => {
    let resolve: (audio: LocalAudio) => void = () => {};
    const s = setup(() => new Promise((r) => (resolve = r)));
    const opening = s.session.open();
    s.session.end('cancelled');
    resolve({ stream: fakeStream('s'), track: fakeTrack('mic') });
    expect(await opening).toBe('cancelled');
    expect(s.media.release).toHaveBeenCalledTimes(1);
    expect(s.session.state).toBe('idle');
  });

  it('listens only when the microphone fails, and says why', async () => {
    const s = setup(async () => {
      throw new Error('denied');
    });
    expect(await s.session.open()).toBeInstanceOf(Error);
    expect(s.session.hasMicrophone).toBe(false);
    s.session.end('left');
    expect(s.media.release).not.toHaveBeenCalled();
  });

  it('reconciles once after a resume, restarting every connection when signals were lost', async () => {
    const s = setup();
    const peer = new Mesh({
      localUserId: 'peer',
      scope: { roomId: 'r1' },
      signaling: s.network.channel('peer'),
      createPeerConnection: s.factory.create,
      iceServers: [],
      localTrack: fakeTrack('peer-mic'),
    });
    peer.participantJoined('me');
    await s.session.open();
    s.session.connect({ roomId: 'r1' }).join(['me', 'peer']);
    await s.network.deliverAll();
    const pc = s.factory.created[1];
    pc?.setConnectionState('connected');
    expect(pc?.signalingState).toBe('stable');

    s.session.resync(['me', 'peer']);
    s.session.markResume(false);
    s.session.resync(['me', 'peer']);
    await settle();
    // A healthy connection is left alone …
    expect(pc?.restartIceCalls).toBe(0);
    s.session.markResume(true);
    s.session.resync(['me', 'peer']);
    s.session.resync(['me', 'peer']);
    await settle();
    // … unless signals were lost; and only once per resume.
    expect(pc?.restartIceCalls).toBe(1);
    peer.close();
  });
});
