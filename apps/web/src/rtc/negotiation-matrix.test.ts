// Two real PeerSessions over a faulty relay: every signal kind, lost, late, doubled or
// overtaken, from either side, in every role of politeness, in the first exchange and in each
// kind of renegotiation. Whatever happens to one signal, both ends must come back connected,
// stable, on the same descriptions, each hearing the other: a connection that ends "connected"
// on mismatched descriptions (the silent call) fails the case.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { PeerSession } from './peer-session';
import { createBackoffPolicy } from './reconnect-policy';
import {
  type FakePeerConnection,
  fakePeerConnectionFactory,
  fakeStream,
  fakeTrack,
  sdpUfrag,
} from './testing/fakes';
import type { OutgoingSignal, PeerSignal } from './types';

type Side = 'alice' | 'bob'; // 'alice' < 'bob': alice is the polite one
type Kind = OutgoingSignal['kind'];
type Fault = 'drop' | 'delay' | 'duplicate' | 'reorder';
type Phase =
  | 'first exchange'
  | 'network break (both restart: glare)'
  | 'restart by initiator'
  | 'restart by responder'
  | 'restart by both (glare on renegotiation)'
  | 'late microphone (renegotiation)';

const LATENCY_MS = 20;
const DELAY_MS = 4_000;
const SETTLE_BY_MS = 60_000;

interface Case {
  readonly initiator: Side;
  readonly phase: Phase;
  readonly kind: Kind;
  readonly from: 'initiator' | 'responder';
  readonly fault: Fault;
}

/**
 * The media path as ICE sees it: the pair of current ufrags works unless the network broke it,
 * and needs at least one side to hold a candidate of the other's current generation (the other
 * learns the first as peer-reflexive).
 */
class Link {
  readonly dead = new Set<string>();
  private readonly downSince = new Map<FakePeerConnection, number>();

  constructor(
    private readonly a: FakePeerConnection,
    private readonly b: FakePeerConnection,
  ) {}

  pathUp(): boolean {
    const { a, b } = this;
    const aLocal = sdpUfrag(a.currentLocal?.sdp);
    const bLocal = sdpUfrag(b.currentLocal?.sdp);
    if (!aLocal || !bLocal) return false;
    if (sdpUfrag(a.currentRemote?.sdp) !== bLocal || sdpUfrag(b.currentRemote?.sdp) !== aLocal) {
      return false;
    }
    if (this.dead.has(`${aLocal}|${bLocal}`)) return false;
    const has = (pc: FakePeerConnection, ufrag: string) =>
      pc.addedCandidates.some((c) => c.usernameFragment === ufrag);
    return has(a, bLocal) || has(b, aLocal);
  }

  breakPath(): void {
    this.dead.add(`${sdpUfrag(this.a.currentLocal?.sdp)}|${sdpUfrag(this.b.currentLocal?.sdp)}`);
  }

  /** Called every 50 ms of fake time: moves both connections as ICE would. */
  tick(now: number): void {
    const up = this.pathUp();
    for (const pc of [this.a, this.b]) {
      if (pc.closed) continue;
      if (up) {
        this.downSince.delete(pc);
        if (pc.connectionState !== 'connected') pc.setConnectionState('connected');
        continue;
      }
      const since = this.downSince.get(pc) ?? now;
      this.downSince.set(pc, since);
      // Consent freshness: a path down for a few hundred ms is disconnected, then failed.
      if (pc.connectionState === 'connected' && now - since >= 500) {
        pc.setConnectionState('disconnected');
      } else if (pc.connectionState === 'disconnected' && now - since >= 5_000) {
        pc.setConnectionState('failed');
      } else if (pc.connectionState === 'new' && pc.currentRemote) {
        pc.setConnectionState('connecting');
      }
    }
  }
}

function run(c: Case, options: { goneForGood?: boolean } = {}) {
  const factory = fakePeerConnectionFactory({ autoCandidates: true });
  const responder: Side = c.initiator === 'alice' ? 'bob' : 'alice';
  const faultFrom: Side = c.from === 'initiator' ? c.initiator : responder;
  const sessions = new Map<Side, PeerSession>();
  const pcs = new Map<Side, FakePeerConnection>();
  let armed = false;
  let applied = false;
  const held: Array<{ to: Side; body: PeerSignal }> = [];
  let heldFrom: Side | null = null;

  const deliver = (to: Side, body: PeerSignal, after: number) => {
    setTimeout(() => void sessions.get(to)?.receive(body), after);
  };

  const send = (from: Side) => (signal: OutgoingSignal) => {
    const to: Side = from === 'alice' ? 'bob' : 'alice';
    const body: PeerSignal =
      signal.kind === 'ice'
        ? { kind: 'ice', candidate: signal.candidate }
        : { kind: signal.kind, sdp: signal.sdp, answers: signal.answers };
    // A held (reordered) signal goes right behind the next one from the same sender.
    if (heldFrom === from) {
      deliver(to, body, LATENCY_MS);
      for (const h of held.splice(0)) deliver(h.to, h.body, LATENCY_MS);
      heldFrom = null;
      return;
    }
    if (armed && options.goneForGood) return;
    if (armed && !applied && from === faultFrom && signal.kind === c.kind) {
      applied = true;
      switch (c.fault) {
        case 'drop':
          return;
        case 'delay':
          deliver(to, body, LATENCY_MS + DELAY_MS);
          return;
        case 'duplicate':
          deliver(to, body, LATENCY_MS);
          deliver(to, body, LATENCY_MS + 30);
          return;
        case 'reorder':
          held.push({ to, body });
          heldFrom = from;
          // Nothing followed within a second: it arrives late on its own.
          setTimeout(() => {
            if (heldFrom !== from) return;
            heldFrom = null;
            for (const h of held.splice(0)) deliver(h.to, h.body, 0);
          }, 1_000);
          return;
      }
    }
    deliver(to, body, LATENCY_MS);
  };

  const listenOnly = c.phase === 'late microphone (renegotiation)';
  for (const side of [c.initiator, responder]) {
    const other: Side = side === 'alice' ? 'bob' : 'alice';
    const session = new PeerSession({
      localUserId: side,
      remoteUserId: other,
      scope: { roomId: 'room-1' },
      initiator: side === c.initiator,
      createPeerConnection: factory.create,
      send: send(side),
      iceServers: [],
      localTrack: listenOnly && side === responder ? null : fakeTrack(`mic-${side}`),
      localStream: fakeStream(`stream-${side}`),
      reconnectPolicy: createBackoffPolicy({ random: () => 0.5 }),
    });
    sessions.set(side, session);
    pcs.set(side, factory.created.at(-1) as FakePeerConnection);
  }
  const alice = sessions.get('alice') as PeerSession;
  const bob = sessions.get('bob') as PeerSession;
  const alicePc = pcs.get('alice') as FakePeerConnection;
  const bobPc = pcs.get('bob') as FakePeerConnection;
  const link = new Link(alicePc, bobPc);
  const ticker = setInterval(() => link.tick(Date.now()), 50);

  // What a description says, without its counters: `n=` and the o= line's version count
  // descriptions, so the same answer made twice differs in them alone.
  const content = (sdp: string | undefined) =>
    sdp?.replace(/ n=\d+( restart)?/, '').replace(/^(o=\S+ \d+) \d+/m, '$1');
  const healthy = () =>
    alice.state === 'connected' &&
    bob.state === 'connected' &&
    alicePc.signalingState === 'stable' &&
    bobPc.signalingState === 'stable' &&
    content(alicePc.currentRemote?.sdp) === content(bobPc.currentLocal?.sdp) &&
    content(bobPc.currentRemote?.sdp) === content(alicePc.currentLocal?.sdp) &&
    // Each side's current description carries its microphone: both hear each other.
    (alicePc.currentLocal?.sdp ?? '').includes('tracks=1') &&
    (bobPc.currentLocal?.sdp ?? '').includes('tracks=1') &&
    link.pathUp();

  return {
    states: () => [alice.state, bob.state],
    breakForGood: () => {
      armed = true;
      link.breakPath();
    },
    detail(): string {
      const show = (name: Side, session: PeerSession, pc: FakePeerConnection) =>
        `${name}: ${session.state}/${pc.connectionState}/${pc.signalingState} local=[${pc.currentLocal?.sdp}] remote=[${pc.currentRemote?.sdp}] ops=${pc.ops.join(',')}`;
      return `${show('alice', alice, alicePc)}\n${show('bob', bob, bobPc)}\npath up: ${link.pathUp()}`;
    },
    async execute(): Promise<{ applied: boolean; recoveredInMs: number | null }> {
      if (c.phase === 'first exchange') armed = true;
      else {
        await vi.advanceTimersByTimeAsync(2_000);
        expect(healthy() || (listenOnly && alice.state === 'connected')).toBe(true);
        armed = true;
      }
      const start = Date.now();
      switch (c.phase) {
        case 'network break (both restart: glare)':
          link.breakPath();
          break;
        case 'restart by initiator':
          sessions.get(c.initiator)?.restartIce('test');
          break;
        case 'restart by responder':
          sessions.get(responder)?.restartIce('test');
          break;
        case 'restart by both (glare on renegotiation)':
          alice.restartIce('test');
          bob.restartIce('test');
          break;
        case 'late microphone (renegotiation)':
          await sessions.get(responder)?.setOutgoingTrack(fakeTrack(`mic-${responder}`));
          break;
        case 'first exchange':
          break;
      }
      let recoveredInMs: number | null = null;
      // Healthy must also hold a while later: a stale signal still in flight could break it.
      for (let t = 0; t < SETTLE_BY_MS; t += 100) {
        await vi.advanceTimersByTimeAsync(100);
        if (healthy() && !held.length) {
          recoveredInMs ??= Date.now() - start;
        } else recoveredInMs = null;
        if (recoveredInMs !== null && Date.now() - start > recoveredInMs + DELAY_MS + 2_000) break;
      }
      clearInterval(ticker);
      return { applied, recoveredInMs };
    },
  };
}

const phases: Phase[] = [
  'first exchange',
  'network break (both restart: glare)',
  'restart by initiator',
  'restart by responder',
  'restart by both (glare on renegotiation)',
  'late microphone (renegotiation)',
];
const cases: Case[] = [];
for (const initiator of ['alice', 'bob'] as const)
  for (const phase of phases)
    for (const kind of ['offer', 'answer', 'ice'] as const)
      for (const from of ['initiator', 'responder'] as const)
        for (const fault of ['drop', 'delay', 'duplicate', 'reorder'] as const)
          cases.push({ initiator, phase, kind, from, fault });

const results: Array<Case & { applied: boolean; recoveredInMs: number | null }> = [];

afterEach(() => {
  vi.useRealTimers();
});

afterAll(() => {
  const byFault = new Map<string, number[]>();
  for (const r of results) {
    if (!r.applied || r.recoveredInMs === null) continue;
    const key = `${r.fault} ${r.kind}`;
    byFault.set(key, [...(byFault.get(key) ?? []), r.recoveredInMs]);
  }
  const lines = [...byFault.entries()].map(([key, times]) => {
    const sorted = times.sort((x, y) => x - y);
    const median = sorted[Math.floor(sorted.length / 2)];
    return `${key.padEnd(18)} cases=${sorted.length} median=${median}ms slowest=${sorted.at(-1)}ms`;
  });
  const applied = results.filter((r) => r.applied).length;
  console.info(
    `negotiation matrix: ${results.length} cases, fault applied in ${applied}\n${lines.join('\n')}`,
  );
});

describe('a peer that is gone for good', () => {
  it.each(['alice', 'bob'] as const)(
    'ends failed on both sides, not connected in silence (initiator %s)',
    async (initiator) => {
      vi.useFakeTimers();
      const harness = run(
        { initiator, phase: 'first exchange', kind: 'offer', from: 'initiator', fault: 'drop' },
        { goneForGood: true },
      );
      await vi.advanceTimersByTimeAsync(2_000);
      expect(harness.states()).toEqual(['connected', 'connected']);
      harness.breakForGood();
      const start = Date.now();
      while (harness.states().some((state) => state !== 'failed') && Date.now() - start < 300_000) {
        await vi.advanceTimersByTimeAsync(1_000);
      }
      expect(harness.states()).toEqual(['failed', 'failed']);
      // The default policy gives up once the loss has lasted a minute (plus the attempt in flight).
      expect(Date.now() - start).toBeLessThan(90_000);
    },
  );
});

describe('negotiation under faulty signaling', () => {
  it.each(cases)(
    '$phase, initiator $initiator: $fault the first $kind from the $from',
    async (c) => {
      vi.useFakeTimers();
      const harness = run(c);
      const result = await harness.execute();
      results.push({ ...c, ...result });
      expect(result.recoveredInMs, harness.detail()).not.toBeNull();
    },
  );
});
