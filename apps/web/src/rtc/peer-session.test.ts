import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../base/logger';
import { HEARTBEAT_CHANNEL, isPolite, PeerSession, type PeerSessionOptions } from './peer-session';
import { createBackoffPolicy } from './reconnect-policy';
import {
  type FakePeerConnection,
  FakeSignalingNetwork,
  fakePeerConnectionFactory,
  fakeStream,
  fakeTrack,
  settle,
} from './testing/fakes';
import type { PeerState } from './types';

const scope = { roomId: 'room-1' } as const;

function setup() {
  const network = new FakeSignalingNetwork();
  const factory = fakePeerConnectionFactory();
  const sessions: PeerSession[] = [];

  function session(
    localUserId: string,
    remoteUserId: string,
    overrides: Partial<PeerSessionOptions> = {},
  ) {
    const channel = network.channel(localUserId);
    const s = new PeerSession({
      localUserId,
      remoteUserId,
      scope,
      initiator: true,
      createPeerConnection: factory.create,
      send: channel.send,
      iceServers: [{ urls: 'stun:stun.example.org' }],
      localTrack: fakeTrack(`mic-${localUserId}`),
      localStream: fakeStream(`stream-${localUserId}`),
      ...overrides,
    });
    channel.subscribe((signal) => {
      if (signal.kind === 'ice') void s.receive({ kind: 'ice', candidate: signal.candidate });
      else void s.receive({ kind: signal.kind, sdp: signal.sdp });
    });
    sessions.push(s);
    const pc = factory.created.at(-1) as FakePeerConnection;
    return { session: s, pc };
  }

  return { network, factory, session, sessions };
}

function recordStates(session: PeerSession): PeerState[] {
  const states: PeerState[] = [];
  session.on('state', ({ to }) => states.push(to));
  return states;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('isPolite', () => {
  it('makes exactly one side of a pair polite', () => {
    expect(isPolite('alice', 'bob')).toBe(true);
    expect(isPolite('bob', 'alice')).toBe(false);
  });
});

describe('PeerSession negotiation', () => {
  it('connects an initiator to a waiting peer with one offer and one answer', async () => {
    const { network, session } = setup();
    const a = session('alice', 'bob', { initiator: true });
    const b = session('bob', 'alice', { initiator: false });

    await network.deliverAll();

    expect(network.countSent('alice', 'offer')).toBe(1);
    expect(network.countSent('bob', 'offer')).toBe(0);
    expect(network.countSent('bob', 'answer')).toBe(1);
    expect(a.pc.signalingState).toBe('stable');
    expect(b.pc.signalingState).toBe('stable');
    // The waiting side attached its microphone inside the answer.
    expect(b.pc.senders).toHaveLength(1);
    expect(a.session.state).toBe('connecting');
    expect(network.sent[0]).toMatchObject({ kind: 'offer', to: 'bob', roomId: 'room-1' });
  });

  it('resolves glare: the polite peer rolls back, both end stable with one exchange', async () => {
    const { network, session } = setup();
    // Both sides offer at once.
    const alice = session('alice', 'bob', { initiator: true }); // polite ('alice' < 'bob')
    const bob = session('bob', 'alice', { initiator: true }); // impolite
    expect(alice.session.polite).toBe(true);
    expect(bob.session.polite).toBe(false);

    await settle();
    expect(network.countSent('alice', 'offer')).toBe(1);
    expect(network.countSent('bob', 'offer')).toBe(1);
    await network.deliverAll();

    expect(alice.pc.ops).toContain('rollback');
    expect(bob.pc.ops).not.toContain('rollback');
    expect(alice.pc.signalingState).toBe('stable');
    expect(bob.pc.signalingState).toBe('stable');
    // The impolite peer's offer won: alice answered it, bob answered nothing.
    expect(network.countSent('alice', 'answer')).toBe(1);
    expect(network.countSent('bob', 'answer')).toBe(0);
    expect(alice.pc.remoteDescription?.sdp).toBe(bob.pc.localDescription?.sdp);
    expect(bob.pc.remoteDescription?.sdp).toBe(alice.pc.localDescription?.sdp);
  });

  it('drops a stale answer instead of failing', async () => {
    const { network, session } = setup();
    const a = session('alice', 'bob');
    session('bob', 'alice', { initiator: false });
    await network.deliverAll();

    await a.session.receive({ kind: 'answer', sdp: 'fake answer pc=999 n=1' });
    expect(a.pc.signalingState).toBe('stable');
    expect(a.pc.ops.filter((op) => op === 'setRemote:answer')).toHaveLength(1);
  });

  it('queues remote ICE until a remote description exists, then flushes it', async () => {
    const { network, session } = setup();
    const bob = session('bob', 'alice', { initiator: false });
    const candidate = { candidate: 'candidate:1 1 udp 1 192.0.2.1 5000 typ host', sdpMid: '0' };

    // The candidate overtakes the offer.
    await bob.session.receive({ kind: 'ice', candidate });
    expect(bob.pc.addedCandidates).toHaveLength(0);

    const alice = session('alice', 'bob', { initiator: true });
    await network.deliverAll();

    expect(bob.pc.remoteDescription).not.toBeNull();
    expect(bob.pc.addedCandidates).toEqual([candidate]);
    // Later candidates go straight in.
    const later = { candidate: 'candidate:2 1 udp 1 192.0.2.1 5001 typ host', sdpMid: '0' };
    await bob.session.receive({ kind: 'ice', candidate: later });
    expect(bob.pc.addedCandidates).toEqual([candidate, later]);
    expect(alice.pc.signalingState).toBe('stable');
  });

  it('sends local ICE candidates scoped to the room', async () => {
    const { network, session } = setup();
    const a = session('alice', 'bob');
    a.pc.emitIceCandidate({ candidate: 'candidate:x', sdpMid: '0', sdpMLineIndex: 0 });
    expect(network.sent.find((s) => s.kind === 'ice')).toEqual({
      from: 'alice',
      kind: 'ice',
      to: 'bob',
      roomId: 'room-1',
      candidate: { candidate: 'candidate:x', sdpMid: '0', sdpMLineIndex: 0 },
    });
  });

  it('exposes the remote stream from the track event', () => {
    const { session } = setup();
    const a = session('alice', 'bob');
    const seen: Array<MediaStream | null> = [];
    a.session.on('remoteStream', ({ stream }) => seen.push(stream));
    const stream = fakeStream('remote');
    a.pc.emitTrack(fakeTrack('remote-mic'), [stream]);
    expect(seen).toEqual([stream]);
    expect(a.session.remoteStream).toBe(stream);
  });

  it('reports a remote reset when an offer from a fresh connection cannot be applied', async () => {
    const { network, session } = setup();
    const bob = session('bob', 'alice', { initiator: false });
    session('alice', 'bob', { initiator: true });
    await network.deliverAll();

    const resets: string[] = [];
    bob.session.on('remoteReset', ({ signal }) => resets.push(signal.kind));
    await bob.session.receive({ kind: 'offer', sdp: 'fake offer pc=4242 n=1' });
    expect(resets).toEqual(['offer']);
  });
});

describe('PeerSession connection state and ICE restart', () => {
  it('logs every transition as from -> to', async () => {
    const { network, session } = setup();
    const messages: string[] = [];
    const logger: Logger = {
      debug: () => {},
      info: (message) => messages.push(message),
      warn: () => {},
    };
    const a = session('alice', 'bob', { logger });
    session('bob', 'alice', { initiator: false });
    await network.deliverAll();
    a.pc.setConnectionState('connected');
    expect(messages).toContain('peer bob: new -> connecting');
    expect(messages).toContain('peer bob: connecting -> connected');
  });

  it('restarts ICE right away when the connection fails, and renegotiates', async () => {
    const { network, session } = setup();
    const a = session('alice', 'bob');
    const b = session('bob', 'alice', { initiator: false });
    await network.deliverAll();
    a.pc.setConnectionState('connected');
    const states = recordStates(a.session);

    a.pc.setConnectionState('failed');
    expect(a.session.state).toBe('reconnecting');
    await settle();
    expect(a.pc.restartIceCalls).toBe(1);
    await network.deliverAll();
    expect(a.pc.ops).toContain('setLocal:offer:restart');
    expect(b.pc.remoteDescription?.sdp).toContain('restart');
    expect(b.pc.signalingState).toBe('stable');

    a.pc.setConnectionState('connected');
    expect(states).toEqual(['reconnecting', 'connected']);
  });

  it('waits a grace period on disconnected before restarting ICE', async () => {
    vi.useFakeTimers();
    const { session } = setup();
    // Nobody answers this offer; only the grace is under test here.
    const a = session('alice', 'bob', { disconnectGraceMs: 2_000, answerTimeoutMs: 60_000 });
    a.pc.setConnectionState('connected');

    a.pc.setConnectionState('disconnected');
    expect(a.session.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1_900);
    expect(a.pc.restartIceCalls).toBe(0);

    // Recovering inside the grace needs no restart.
    a.pc.setConnectionState('connected');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(a.pc.restartIceCalls).toBe(0);

    a.pc.setConnectionState('disconnected');
    await vi.advanceTimersByTimeAsync(2_100);
    expect(a.pc.restartIceCalls).toBe(1);
  });

  it('gives up as failed when the reconnect policy says so', async () => {
    vi.useFakeTimers();
    const { session } = setup();
    const a = session('alice', 'bob', {
      reconnectPolicy: createBackoffPolicy({ maxAttempts: 2, random: () => 0 }),
      restartTimeoutMs: 1_000,
    });
    a.pc.setConnectionState('connected');
    a.pc.setConnectionState('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(a.pc.restartIceCalls).toBe(1);
    // The restart stalls; its watchdog schedules the second attempt after 300 ms.
    await vi.advanceTimersByTimeAsync(1_000 + 300);
    expect(a.pc.restartIceCalls).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(a.session.state).toBe('failed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(a.pc.restartIceCalls).toBe(2);
  });
});

describe('PeerSession heartbeat', () => {
  function heartbeatOf(pc: FakePeerConnection) {
    const channel = pc.dataChannels.find((c) => c.label === HEARTBEAT_CHANNEL.label);
    if (!channel) throw new Error('no heartbeat channel');
    return channel;
  }

  it('answers pings and restarts ICE at once when its own pings go unanswered', async () => {
    const { network, session } = setup();
    const a = session('alice', 'bob', { heartbeatIntervalMs: 250, heartbeatTimeoutMs: 1_000 });
    const b = session('bob', 'alice', { initiator: false });
    await network.deliverAll();
    // Only the heartbeat's clock is faked; the signaling relay settles on real timers.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    a.pc.setConnectionState('connected');
    const beat = heartbeatOf(a.pc);
    expect(beat.init).toMatchObject({ negotiated: true, id: HEARTBEAT_CHANNEL.id });
    expect(heartbeatOf(b.pc).init).toEqual(beat.init);
    beat.open();
    const states = recordStates(a.session);

    beat.receive('ping');
    expect(beat.sent).toEqual(['pong']);
    // The peer answers every ping for 3 s: nothing happens.
    for (let i = 0; i < 12; i += 1) {
      await vi.advanceTimersByTimeAsync(250);
      beat.receive('pong');
    }
    await settle();
    expect(a.pc.restartIceCalls).toBe(0);
    expect(beat.sent.filter((m) => m === 'ping')).toHaveLength(12);

    // Then silence, while the browser still says connected (its own checks take ~5 s): the
    // path counts as lost at the first beat a whole second after the peer was last heard.
    await vi.advanceTimersByTimeAsync(750);
    await settle();
    expect(a.pc.restartIceCalls).toBe(0);
    await vi.advanceTimersByTimeAsync(250);
    await settle();
    expect(a.pc.restartIceCalls).toBe(1);
    expect(a.session.state).toBe('reconnecting');
    await network.deliverAll();
    expect(b.pc.remoteDescription?.sdp).toContain('restart');

    // The restarted path answers: connected again without any connectionstatechange.
    beat.receive('pong');
    expect(states).toEqual(['reconnecting', 'connected']);
    expect(a.session.state).toBe('connected');
  });

  /**
   * Alice connected to Bob with her heartbeat channel open, on a fake interval clock (the
   * signaling relay settled on real timers first); `stats` stands for her getStats().
   */
  async function beating(stats?: () => RTCStatsReport) {
    const { network, session } = setup();
    const a = session('alice', 'bob', { heartbeatIntervalMs: 250, heartbeatTimeoutMs: 1_000 });
    session('bob', 'alice', { initiator: false });
    await network.deliverAll();
    if (stats) a.pc.getStats = async () => stats();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    a.pc.setConnectionState('connected');
    const beat = heartbeatOf(a.pc);
    beat.open();
    return { a, beat };
  }

  it('does not ask a peer whose own pings keep arriving: it only answers them', async () => {
    const { a, beat } = await beating();
    for (let i = 0; i < 12; i += 1) {
      await vi.advanceTimersByTimeAsync(100);
      beat.receive('ping');
      await vi.advanceTimersByTimeAsync(150);
    }
    await settle();
    // Twelve answers and no ping of its own: one send per interval for the pair's two.
    expect(beat.sent).toEqual(Array.from({ length: 12 }, () => 'pong'));
    expect(a.pc.restartIceCalls).toBe(0);
    // The peer falls silent: asking resumes at the next beat.
    await vi.advanceTimersByTimeAsync(500);
    expect(beat.sent.filter((m) => m === 'ping').length).toBeGreaterThan(0);
  });

  it('never restarts a connection whose peer has never answered a heartbeat', async () => {
    const { a, beat } = await beating();
    // A peer without the heartbeat (an older version of the app): pings go out, none return.
    await vi.advanceTimersByTimeAsync(5_000);
    await settle();
    expect(beat.sent.filter((m) => m === 'ping').length).toBeGreaterThan(10);
    expect(a.pc.restartIceCalls).toBe(0);
    expect(a.session.state).toBe('connected');
  });

  it('does not count a stall of its own page as the peer going silent', async () => {
    const { a, beat } = await beating();
    beat.receive('ping');
    await vi.advanceTimersByTimeAsync(250);
    // The main thread is blocked for 3 s (say, rendering a big room while five offers arrive):
    // no beat runs, and the pong that came meanwhile waits in the queue behind the stall.
    vi.setSystemTime(Date.now() + 3_000);
    await vi.advanceTimersByTimeAsync(250);
    await settle();
    expect(a.pc.restartIceCalls).toBe(0);
    beat.receive('pong');
    for (let i = 0; i < 8; i += 1) {
      await vi.advanceTimersByTimeAsync(250);
      beat.receive('pong');
    }
    await settle();
    expect(a.pc.restartIceCalls).toBe(0);
    expect(a.session.state).toBe('connected');
    // Real silence on a page that runs on time is still a lost path.
    await vi.advanceTimersByTimeAsync(1_500);
    await settle();
    expect(a.pc.restartIceCalls).toBe(1);
  });

  it('keeps a silent heartbeat while the transport still receives bytes (a busy peer page)', async () => {
    let bytes = 1_000;
    let statsCalls = 0;
    const { a, beat } = await beating(() => {
      statsCalls += 1;
      return new Map([
        ['T01', { type: 'transport', bytesReceived: bytes }],
      ]) as unknown as RTCStatsReport;
    });
    beat.receive('ping');
    // Answered at once, beat after beat: no statistics are read at all.
    for (let i = 0; i < 8; i += 1) {
      await vi.advanceTimersByTimeAsync(250);
      beat.receive('pong');
    }
    await settle();
    expect(statsCalls).toBe(0);
    // No pong for 3 s, but its audio keeps arriving: the peer's page is busy, the path is fine.
    for (let i = 0; i < 12; i += 1) {
      bytes += 500;
      await vi.advanceTimersByTimeAsync(250);
      await settle();
    }
    expect(a.pc.restartIceCalls).toBe(0);
    expect(a.session.state).toBe('connected');
    // Then nothing arrives at all: lost.
    for (let i = 0; i < 12; i += 1) {
      await vi.advanceTimersByTimeAsync(250);
      await settle();
    }
    expect(a.pc.restartIceCalls).toBe(1);
    expect(a.session.state).toBe('reconnecting');
  });

  it('stays quiet until the channel opens and stops with close()', async () => {
    vi.useFakeTimers();
    const { session } = setup();
    const a = session('alice', 'bob', {
      heartbeatIntervalMs: 250,
      heartbeatTimeoutMs: 500,
      answerTimeoutMs: 60_000,
    });
    a.pc.setConnectionState('connected');
    await vi.advanceTimersByTimeAsync(5_000);
    const beat = heartbeatOf(a.pc);
    expect(beat.sent).toEqual([]);
    beat.open();
    a.session.close();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(beat.sent).toEqual([]);
    expect(a.pc.restartIceCalls).toBe(0);
  });
});

describe('PeerSession tracks and lifetime', () => {
  it('replaces the outgoing track without renegotiating', async () => {
    const { network, session } = setup();
    const a = session('alice', 'bob');
    session('bob', 'alice', { initiator: false });
    await network.deliverAll();
    const offers = network.countSent('alice', 'offer');

    const headset = fakeTrack('headset');
    await a.session.setOutgoingTrack(headset);
    await a.session.setOutgoingTrack(null);
    await network.deliverAll();
    expect(a.pc.senders[0]?.replaced).toEqual([headset, null]);
    expect(network.countSent('alice', 'offer')).toBe(offers);
  });

  it('closes idempotently, detaches listeners and ignores later signals', async () => {
    const { network, session } = setup();
    const a = session('alice', 'bob');
    const states = recordStates(a.session);
    a.session.close();
    a.session.close();
    expect(a.pc.closed).toBe(true);
    expect(a.pc.listenerCount()).toBe(0);
    expect(a.session.state).toBe('closed');
    expect(states).toEqual(['closed']);
    await a.session.receive({ kind: 'offer', sdp: 'fake offer pc=77 n=1' });
    await network.deliverAll();
    expect(a.pc.ops).toEqual([]);
    expect(network.countSent('alice', 'offer')).toBe(0);
  });

  it('every subscription returns its unsubscribe', async () => {
    const { session } = setup();
    const a = session('alice', 'bob');
    const seen: PeerState[] = [];
    const off = a.session.on('state', ({ to }) => seen.push(to));
    off();
    a.pc.setConnectionState('connected');
    expect(seen).toEqual([]);
  });
});

describe('PeerSession first connection', () => {
  it('stays connecting while ICE restarts retry a first connection that failed', async () => {
    const { network, session } = setup();
    const a = session('alice', 'bob');
    session('bob', 'alice', { initiator: false });
    await network.deliverAll();
    a.pc.setConnectionState('failed');
    await settle();
    expect(a.pc.restartIceCalls).toBe(1);
    expect(a.session.state).toBe('connecting');
    a.session.close();
  });
});

describe('PeerSession with lost signals', () => {
  it('rolls back an offer whose answer was lost before restarting ICE', async () => {
    const { network, session } = setup();
    const a = session('alice', 'bob');
    const b = session('bob', 'alice', { initiator: false });
    network.dropWhen = (signal) => signal.kind === 'answer';
    await network.deliverAll();
    expect(a.pc.signalingState).toBe('have-local-offer');

    network.dropWhen = null;
    a.session.restartIce('answer lost');
    await network.deliverAll();
    expect(a.pc.ops).toContain('rollback');
    expect(a.pc.ops).toContain('setLocal:offer:restart');
    expect(a.pc.signalingState).toBe('stable');
    expect(b.pc.signalingState).toBe('stable');
    expect(b.pc.remoteDescription?.sdp).toContain('restart');
  });

  it('the impolite side whose offer was lost re-sends it instead of ignoring restarts forever', async () => {
    const { network, session } = setup();
    const a = session('alice', 'bob'); // polite
    const b = session('bob', 'alice', { initiator: false, staleOfferMs: 0 }); // impolite
    await network.deliverAll();
    a.pc.setConnectionState('connected');
    b.pc.setConnectionState('connected');

    network.dropWhen = (signal) => signal.from === 'bob' && signal.kind === 'offer';
    b.session.restartIce('lost offer');
    await network.deliverAll();
    expect(b.pc.signalingState).toBe('have-local-offer');

    network.dropWhen = null;
    a.session.restartIce('peer silent');
    await network.deliverAll();
    expect(b.pc.signalingState).toBe('stable');
    expect(a.pc.signalingState).toBe('stable');
    expect(a.pc.remoteDescription?.sdp).toContain('restart');
  });
});

describe('PeerSession recovery timers and ICE generations', () => {
  it('a requested restart on live media stays connected (no state event would bring it back)', async () => {
    const { network, session } = setup();
    const a = session('alice', 'bob');
    const b = session('bob', 'alice', { initiator: false });
    await network.deliverAll();
    a.pc.setConnectionState('connected');
    a.session.restartIce('rejoined');
    await network.deliverAll();
    expect(a.session.state).toBe('connected');
    expect(b.pc.remoteDescription?.sdp).toContain('restart');
  });

  it('re-offers when a renegotiation offer on live media goes unanswered', async () => {
    const { network, session } = setup();
    const a = session('alice', 'bob', { answerTimeoutMs: 300 });
    const b = session('bob', 'alice', { initiator: false });
    await network.deliverAll();
    a.pc.setConnectionState('connected');
    network.dropWhen = (signal) => signal.kind === 'offer';
    a.session.restartIce('renegotiate');
    await settle();
    expect(a.pc.signalingState).toBe('have-local-offer');
    network.dropWhen = null;
    await new Promise((resolve) => setTimeout(resolve, 400));
    await network.deliverAll();
    expect(a.pc.ops).toContain('rollback');
    expect(a.pc.signalingState).toBe('stable');
    expect(b.pc.signalingState).toBe('stable');
    expect(a.session.state).toBe('connected');
  });

  it('keeps a candidate that overtook its ICE restart offer and adds it after the offer', async () => {
    const { network, session } = setup();
    session('alice', 'bob');
    const b = session('bob', 'alice', { initiator: false });
    await network.deliverAll();
    const early = { candidate: 'candidate:9', sdpMid: '0', usernameFragment: 'next-generation' };
    await b.session.receive({ kind: 'ice', candidate: early });
    expect(b.pc.addedCandidates).toEqual([]);
    await b.session.receive({
      kind: 'offer',
      sdp: `fake offer pc=${b.pc.remoteDescription?.sdp?.match(/pc=(\d+)/)?.[1]} n=9 restart a=ice-ufrag:next-generation`,
    });
    expect(b.pc.addedCandidates).toEqual([early]);
  });
});
