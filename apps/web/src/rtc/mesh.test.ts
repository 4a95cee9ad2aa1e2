import { describe, expect, it } from 'vitest';
import { Mesh, type MeshOptions } from './mesh';
import {
  FakePeerConnection,
  type FakePeerConnectionOptions,
  FakeSignalingNetwork,
  type FakeTrack,
  fakePeerConnectionFactory,
  fakeStream,
  fakeTrack,
  sdpUfrag,
  settle,
} from './testing/fakes';
import type { SignalScope } from './types';

const room: SignalScope = { roomId: 'room-1' };

function setup(
  scope: SignalScope = room,
  session: MeshOptions['session'] = {},
  dataChannels: MeshOptions['dataChannels'] = [],
) {
  const network = new FakeSignalingNetwork();
  const factory = fakePeerConnectionFactory();
  const pcsOf = new Map<string, FakePeerConnection[]>();

  function mesh(userId: string, fakeOptions?: FakePeerConnectionOptions) {
    const pcs: FakePeerConnection[] = [];
    pcsOf.set(userId, pcs);
    const track = fakeTrack(`mic-${userId}`);
    const m = new Mesh({
      localUserId: userId,
      scope,
      signaling: network.channel(userId),
      createPeerConnection: (config) => {
        const pc = fakeOptions
          ? new FakePeerConnection(config, fakeOptions)
          : factory.create(config);
        pcs.push(pc);
        return pc;
      },
      iceServers: [],
      session,
      localTrack: track,
      localStream: fakeStream(`stream-${userId}`),
      dataChannels,
    });
    return { mesh: m, pcs, track };
  }

  /** b alone in the room, then c joins: c offers to b, b answers, everything delivered. */
  async function bThenC() {
    const b = mesh('b');
    const c = mesh('c');
    b.mesh.join(['b']);
    c.mesh.join(['b', 'c']);
    b.mesh.participantJoined('c');
    await network.deliverAll();
    return { b, c };
  }

  return { network, mesh, bThenC };
}

/** a in the room, b joins: one connection each, negotiated and connected. */
async function connectedPair() {
  const { network, mesh } = setup();
  const a = mesh('a');
  const b = mesh('b');
  a.mesh.participantJoined('b');
  b.mesh.join(['a', 'b']);
  await network.deliverAll();
  for (const pc of [...a.pcs, ...b.pcs]) pc.setConnectionState('connected');
  return { network, a, b };
}

describe('Mesh', () => {
  it('gives every connection, on both ends, the same pre-negotiated data channels and announces it', async () => {
    const specs = [
      { label: 'chat', id: 1 },
      { label: 'verify', id: 2 },
    ];
    const { network, mesh } = setup(room, {}, specs);
    const b = mesh('b');
    const c = mesh('c');
    const linked: string[] = [];
    b.mesh.on('peerLinked', ({ userId, link }) => linked.push(`${userId}:${link.remoteUserId}`));
    b.mesh.join(['b']);
    c.mesh.join(['b', 'c']);
    b.mesh.participantJoined('c');
    await network.deliverAll();

    expect(linked).toEqual(['c:c']);
    for (const pc of [...b.pcs, ...c.pcs]) {
      expect(pc.dataChannels.map((ch) => [ch.label, ch.init])).toEqual([
        ['chat', { negotiated: true, id: 1 }],
        ['verify', { negotiated: true, id: 2 }],
        ['heartbeat', { negotiated: true, id: 1000, ordered: false, maxRetransmits: 0 }],
      ]);
    }
    expect(b.mesh.links().map((link) => link.channel('verify')?.label)).toEqual(['verify']);
    expect(b.mesh.links()[0]?.channel('nope')).toBeUndefined();
  });

  it('says closed once, as its last event', () => {
    const { mesh } = setup();
    const a = mesh('a');
    const seen: string[] = [];
    a.mesh.subscribe(() => seen.push('change'));
    a.mesh.on('closed', () => seen.push('closed'));
    a.mesh.close();
    a.mesh.close();
    expect(seen).toEqual(['change', 'closed']);
  });

  it('hands fresh ICE servers to live connections before their next restart, and to new ones', async () => {
    const { network, bThenC } = setup();
    const { c } = await bThenC();
    const fresh = [{ urls: 'turn:turn.example.org', username: '2000:c', credential: 'fresh' }];
    const live = c.pcs[0] as FakePeerConnection;
    live.config = { ...live.config, iceTransportPolicy: 'relay' };

    c.mesh.setIceServers(fresh);
    expect(live.config).toEqual({ iceServers: fresh, iceTransportPolicy: 'relay' });
    c.mesh.restartIce();
    await network.deliverAll();
    // The restart's offer came after the new configuration.
    expect(live.ops.slice(live.ops.indexOf('setConfiguration'))).toContain(
      'setLocal:offer:restart',
    );

    c.mesh.participantJoined('d');
    expect(c.pcs.at(-1)?.config.iceServers).toEqual(fresh);
  });

  it('has the newcomer offer to existing members, who only answer', async () => {
    const { network, mesh, bThenC } = setup();
    const { b, c } = await bThenC();
    expect(network.countSent('c', 'offer', 'b')).toBe(1);
    expect(network.countSent('b', 'offer')).toBe(0);

    const d = mesh('d');
    d.mesh.join(['b', 'c', 'd']);
    b.mesh.participantJoined('d');
    c.mesh.participantJoined('d');
    await network.deliverAll();

    expect(network.countSent('d', 'offer', 'b')).toBe(1);
    expect(network.countSent('d', 'offer', 'c')).toBe(1);
    expect(network.countSent('b', 'offer', 'd')).toBe(0);
    expect(network.countSent('c', 'offer', 'd')).toBe(0);
    expect(network.countSent('b', 'answer', 'd')).toBe(1);
    expect(network.countSent('c', 'answer', 'd')).toBe(1);
    for (const x of [b, c, d]) {
      for (const pc of x.pcs) expect(pc.signalingState).toBe('stable');
    }
    expect(d.mesh.getSnapshot().peers.map((p) => [p.userId, p.initiator])).toEqual([
      ['b', true],
      ['c', true],
    ]);
    expect(b.mesh.getSnapshot().peers.map((p) => [p.userId, p.initiator])).toEqual([
      ['c', false],
      ['d', false],
    ]);
  });

  it('enters by offering to the listed members only, leaving a waiting session alone', async () => {
    const { network, mesh, bThenC } = setup();
    const { b, c } = await bThenC();
    const d = mesh('d');
    // c entered listing b; before its offers went out, d joined after it and offers to c.
    d.mesh.join(['b', 'c', 'd']);
    c.mesh.participantJoined('d');
    c.mesh.enter(['b', 'c']);
    expect(c.mesh.getSnapshot().peers.map((p) => [p.userId, p.initiator])).toEqual([
      ['b', true],
      ['d', false],
    ]);
    b.mesh.participantJoined('d');
    await network.deliverAll();
    expect(network.countSent('c', 'offer')).toBe(1);
    expect(c.pcs.map((pc) => pc.restartIceCalls)).toEqual([0, 0]);
    expect(c.mesh.getSnapshot().peers.every((p) => p.state !== 'failed')).toBe(true);
  });

  it('removes and closes the session of a participant who left', async () => {
    const { network, mesh } = setup();
    const a = mesh('a');
    a.mesh.join(['a', 'b', 'c']);
    await network.deliverAll();
    const removed: string[] = [];
    a.mesh.on('peerRemoved', ({ userId }) => removed.push(userId));

    a.mesh.participantLeft('b');
    expect(removed).toEqual(['b']);
    expect(a.pcs[0]?.closed).toBe(true);
    expect(a.pcs[1]?.closed).toBe(false);
    expect(a.mesh.getSnapshot().peers.map((p) => p.userId)).toEqual(['c']);
  });

  it('routes signals by scope and sender; an early offer creates a waiting session', async () => {
    const { network, mesh } = setup();
    const a = mesh('a');
    const send = (signal: Parameters<FakeSignalingNetwork['sendFrom']>[1]) =>
      network.sendFrom('b', signal);

    send({ kind: 'ice', to: 'a', roomId: 'room-1', candidate: { candidate: 'c1' } });
    send({ kind: 'offer', to: 'a', roomId: 'other-room', sdp: 'fake offer pc=900 n=1' });
    await network.deliverAll();
    expect(a.mesh.getSnapshot().peers).toEqual([]);

    send({ kind: 'offer', to: 'a', roomId: 'room-1', sdp: 'fake offer pc=900 n=1' });
    await network.deliverAll();
    expect(a.mesh.getSnapshot().peers.map((p) => p.userId)).toEqual(['b']);
    expect(a.pcs[0]?.remoteDescription?.sdp).toBe('fake offer pc=900 n=1');
    expect(network.countSent('a', 'answer', 'b')).toBe(1);
  });

  it('scopes a direct call by callId', async () => {
    const { network, mesh } = setup({ callId: 'call-9' });
    const caller = mesh('caller');
    const callee = mesh('callee');
    callee.mesh.participantJoined('caller');
    caller.mesh.join(['callee']);
    await network.deliverAll();
    expect(network.sent[0]).toMatchObject({ kind: 'offer', to: 'callee', callId: 'call-9' });
    expect(network.sent[0]).not.toHaveProperty('roomId');
    expect(callee.pcs[0]?.signalingState).toBe('stable');
    expect(network.countSent('callee', 'answer')).toBe(1);
  });

  it('switches the microphone on every connection without renegotiating', async () => {
    const { network, mesh } = setup();
    const a = mesh('a');
    a.mesh.join(['a', 'b', 'c']);
    mesh('b').mesh.participantJoined('a');
    mesh('c').mesh.participantJoined('a');
    await network.deliverAll();
    const offers = network.countSent('a', 'offer');

    a.mesh.setMuted(true);
    const headset = fakeTrack('headset');
    await a.mesh.replaceTrack(headset);
    await network.deliverAll();

    for (const pc of a.pcs) expect(pc.senders[0]?.track).toBe(headset);
    expect(network.countSent('a', 'offer')).toBe(offers);
    // The new track inherits the mute state.
    expect((headset as unknown as FakeTrack).enabled).toBe(false);
  });

  it('mutes by disabling the track and host-mutes by not sending at all', async () => {
    const { network, mesh } = setup();
    const a = mesh('a');
    a.mesh.join(['a', 'b']);
    mesh('b').mesh.participantJoined('a');
    await network.deliverAll();
    const sender = a.pcs[0]?.senders[0];
    const track = a.track as unknown as FakeTrack;

    a.mesh.setMuted(true);
    expect(track.enabled).toBe(false);
    expect(sender?.track).toBe(a.track);

    await a.mesh.setSending(false);
    expect(sender?.track).toBeNull();
    expect(a.mesh.getSnapshot()).toMatchObject({ muted: true, sending: false });

    a.mesh.setMuted(false);
    await a.mesh.setSending(true);
    expect(track.enabled).toBe(true);
    expect(sender?.track).toBe(a.track);
  });

  it('replaces a session when the remote peer starts over with a new connection', async () => {
    const { network, mesh } = setup();
    const a = mesh('a');
    a.mesh.participantJoined('b');
    const b1 = mesh('b');
    b1.mesh.join(['a', 'b']);
    await network.deliverAll();
    expect(a.pcs).toHaveLength(1);

    // b reloads and rejoins within the server's grace: a sees no leave/join, only a new offer.
    b1.mesh.close();
    const b2 = mesh('b');
    b2.mesh.join(['a', 'b']);
    await network.deliverAll();

    expect(a.pcs).toHaveLength(2);
    expect(a.pcs[0]?.closed).toBe(true);
    expect(a.pcs[1]?.signalingState).toBe('stable');
    expect(b2.pcs[0]?.signalingState).toBe('stable');
    expect(b2.pcs[0]?.remoteDescription).not.toBeNull();
  });

  it('replaces the session after a reload even when the peer keeps its certificate', async () => {
    const { network, mesh } = setup();
    const a = mesh('a', { fingerprint: 'cert-a' });
    a.mesh.participantJoined('b');
    const b1 = mesh('b', { fingerprint: 'cert-b' });
    b1.mesh.join(['a', 'b']);
    await network.deliverAll();

    // Same fingerprint, new connection: the browser would take the offer as an ICE restart.
    b1.mesh.close();
    const b2 = mesh('b', { fingerprint: 'cert-b' });
    b2.mesh.join(['a', 'b']);
    await network.deliverAll();

    expect(a.pcs).toHaveLength(2);
    expect(a.pcs[0]?.closed).toBe(true);
    expect(a.pcs[1]?.signalingState).toBe('stable');
    expect(b2.pcs[0]?.remoteDescription).not.toBeNull();
  });

  it('a rejoin re-offers on a connected session whose renegotiation answer was lost', async () => {
    const { network, a, b } = await connectedPair();

    // b renegotiates while a's socket is gone: the answer never comes back.
    network.dropWhen = (signal) => signal.kind === 'answer';
    b.mesh.restartIce();
    await network.deliverAll();
    expect(b.pcs[0]?.signalingState).toBe('have-local-offer');
    // The old ICE path still carries media, so the session reports connected.
    b.pcs[0]?.setConnectionState('disconnected');
    b.pcs[0]?.setConnectionState('connected');
    expect(b.mesh.getSnapshot().peers[0]?.state).toBe('connected');

    network.dropWhen = null;
    b.mesh.join(['a', 'b']);
    await network.deliverAll();
    expect(b.pcs[0]?.ops).toContain('rollback');
    expect(b.pcs[0]?.signalingState).toBe('stable');
    expect(a.pcs[0]?.signalingState).toBe('stable');
    expect(b.pcs).toHaveLength(1);
  });

  it('after a rejoin restarts with an offer still in flight, only the answer to the newer offer is applied', async () => {
    const { network, a, b } = await connectedPair();

    // b's network changes: its restart offer waits in the outbox, which re-sends it after the
    // reconnect; then the membership comes back and the rejoin restarts again. a answers both
    // offers, and the answer to the first, applied to the second, would leave each side
    // checking connectivity with ICE credentials the other does not use (seen in Chromium:
    // media one way only until the next restart, seconds later).
    b.pcs[0]?.setConnectionState('disconnected');
    b.mesh.restartIce();
    await settle();
    b.mesh.join(['a', 'b']);
    await network.deliverAll();

    const [pa, pb] = [a.pcs[0], b.pcs[0]];
    expect(pb?.signalingState).toBe('stable');
    expect(pa?.signalingState).toBe('stable');
    expect(sdpUfrag(pb?.remoteDescription?.sdp)).toBe(sdpUfrag(pa?.localDescription?.sdp));
    expect(sdpUfrag(pa?.remoteDescription?.sdp)).toBe(sdpUfrag(pb?.localDescription?.sdp));
  });

  it('re-offers to a peer the server reported unreachable once it can be reached', async () => {
    const { network, mesh } = setup(room, { unreachableRetryMs: 20 });
    const a = mesh('a');
    const b = mesh('b');
    a.mesh.participantJoined('b');
    network.dropWhen = (signal) => signal.from === 'b' && signal.kind === 'offer';
    b.mesh.join(['a', 'b']);
    await network.deliverAll();
    network.dropWhen = null;
    expect(b.pcs[0]?.signalingState).toBe('have-local-offer');

    network.reportUnreachable('b', 'a');
    network.reportUnreachable('b', 'a'); // one per lost signal; a single retry follows
    await new Promise((resolve) => setTimeout(resolve, 60));
    await network.deliverAll();
    expect(network.countSent('b', 'offer', 'a')).toBe(2);
    expect(b.pcs[0]?.ops).toContain('rollback');
    expect(b.pcs[0]?.signalingState).toBe('stable');
    expect(a.pcs[0]?.signalingState).toBe('stable');
  });

  it('publishes per-peer state and remote streams to subscribers', async () => {
    const { network, mesh } = setup();
    const a = mesh('a');
    let changes = 0;
    const unsubscribe = a.mesh.subscribe(() => {
      changes += 1;
    });
    const streams: string[] = [];
    a.mesh.on('remoteStream', ({ userId }) => streams.push(userId));
    a.mesh.join(['a', 'b']);
    await network.deliverAll();
    const pc = a.pcs[0] as FakePeerConnection;
    pc.emitTrack(fakeTrack('b-mic'), [fakeStream('b-stream')]);
    pc.setConnectionState('connected');

    const peer = a.mesh.getSnapshot().peers[0];
    expect(peer?.state).toBe('connected');
    expect(peer?.remoteStream).toEqual(fakeStream('b-stream'));
    expect(streams).toEqual(['b']);
    const seen = changes;
    expect(seen).toBeGreaterThan(0);
    // The snapshot is cached between changes (useSyncExternalStore needs that).
    expect(a.mesh.getSnapshot()).toBe(a.mesh.getSnapshot());

    unsubscribe();
    pc.setConnectionState('disconnected');
    expect(changes).toBe(seen);
  });

  it('closes idempotently and stops listening to signaling', async () => {
    const { network, mesh } = setup();
    const a = mesh('a');
    a.mesh.join(['a', 'b', 'c']);
    await settle();
    a.mesh.close();
    a.mesh.close();
    for (const pc of a.pcs) expect(pc.closed).toBe(true);
    expect(a.mesh.getSnapshot().peers).toEqual([]);

    network.sendFrom('d', { kind: 'offer', to: 'a', roomId: 'room-1', sdp: 'fake offer pc=5 n=1' });
    await network.deliverAll();
    expect(a.pcs).toHaveLength(2);
    a.mesh.join(['a', 'e']);
    expect(a.pcs).toHaveLength(2);
  });
});
