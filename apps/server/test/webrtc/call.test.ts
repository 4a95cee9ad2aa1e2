import { describe, expect, it } from 'vitest';
import { signedInClient, type TestClient } from '../support/clients';
import { backends, metricsText, useTestServer } from '../support/server';
import { SignaledPeer, type SignalScope } from '../support/webrtc-peer';

/*
 * A real WebRTC call in Node: two werift peers negotiate through our server (offer, answer
 * and trickled ICE as `webrtc:*` events), connect over host candidates (no STUN here) and
 * exchange Opus RTP. What the server relays must be enough for media to flow.
 */

function relayedCount(metrics: string, event: string): number {
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith(`openwcall_socket_events_total{event="${event}",outcome="ok"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe.each(backends)('WebRTC through the signaling server on %s', (backend) => {
  const server = useTestServer(backend);

  /** Negotiates, connects, sends audio both ways and checks it arrives. */
  async function talk(offerer: TestClient, answerer: TestClient, scope: SignalScope) {
    const caller = new SignaledPeer(offerer, answerer.user.id, scope);
    const callee = new SignaledPeer(answerer, offerer.user.id, scope);
    try {
      const started = performance.now();
      await caller.offer();
      await Promise.all([caller.connected(), callee.connected()]);
      const connectedMs = performance.now() - started;
      caller.startAudio();
      callee.startAudio();
      // 25 frames of 20 ms: half a second of audio in each direction.
      await Promise.all([caller.receivedAtLeast(25), callee.receivedAtLeast(25)]);
      expect(callee.received.bytes).toBeGreaterThanOrEqual(25 * 80);
      expect(caller.received.bytes).toBeGreaterThanOrEqual(25 * 80);
      // Every signal went through the server and was accepted.
      expect(caller.signalFailures).toEqual([]);
      expect(callee.signalFailures).toEqual([]);
      expect(caller.signalsSent.offer).toBe(1);
      expect(callee.signalsSent.answer).toBe(1);
      expect(caller.signalsSent.ice + callee.signalsSent.ice).toBeGreaterThan(0);
      return { connectedMs };
    } finally {
      await Promise.all([caller.close(), callee.close()]);
    }
  }

  it('connects two peers in a room (the newcomer offers) and carries Opus RTP', async () => {
    const host = await signedInClient(server.url, 'Host');
    const guest = await signedInClient(server.url, 'Guest');
    const { room } = await host.request('room:create', { name: 'Voice' });
    expect((await guest.request('room:join', { roomId: room.id })).ok).toBe(true);
    await host.next('room:participant:joined', (p) => p.participant.userId === guest.user.id);

    const { connectedMs } = await talk(guest, host, { roomId: room.id });
    expect(connectedMs).toBeLessThan(20_000);

    const metrics = await metricsText(server.url);
    expect(relayedCount(metrics, 'webrtc:offer')).toBeGreaterThanOrEqual(1);
    expect(relayedCount(metrics, 'webrtc:answer')).toBeGreaterThanOrEqual(1);
    expect(relayedCount(metrics, 'webrtc:ice')).toBeGreaterThanOrEqual(1);
    host.close();
    guest.close();
  }, 30_000);

  it('connects a direct call (the caller offers once accepted) and carries Opus RTP', async () => {
    const alice = await signedInClient(server.url, 'Alice');
    const bob = await signedInClient(server.url, 'Bob');
    const { callId } = await alice.request('call:direct:invite', { toUserId: bob.user.id });
    await bob.next('call:direct:incoming', (p) => p.callId === callId);
    expect((await bob.request('call:direct:accept', { callId })).ok).toBe(true);
    await alice.next('call:direct:state', (p) => p.callId === callId && p.state === 'accepted');

    await talk(alice, bob, { callId });
    expect((await alice.request('call:direct:end', { callId })).ok).toBe(true);
    alice.close();
    bob.close();
  }, 30_000);
});
