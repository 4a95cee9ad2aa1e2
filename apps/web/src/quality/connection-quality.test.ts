import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Emitter } from '../rtc/emitter';
import type { MeshEvents } from '../rtc/mesh';
import type { PeerLink } from '../rtc/types';
import { ConnectionQuality, type QualitySource } from './connection-quality';
import { chromeReport } from './stats-fixture';

class FakeLink implements PeerLink {
  calls = 0;
  report: RTCStatsReport = chromeReport({});
  constructor(readonly remoteUserId: string) {}
  channel() {
    return undefined;
  }
  async getStats() {
    this.calls += 1;
    return this.report;
  }
}

class FakeMesh implements QualitySource {
  readonly events = new Emitter<MeshEvents>();
  readonly current = new Map<string, FakeLink>();
  isClosed = false;
  links() {
    return [...this.current.values()];
  }
  on<K extends keyof MeshEvents>(event: K, listener: (payload: MeshEvents[K]) => void) {
    return this.events.on(event, listener);
  }
  add(userId: string): FakeLink {
    const link = new FakeLink(userId);
    this.current.set(userId, link);
    this.events.emit('peerLinked', { userId, link });
    return link;
  }
  remove(userId: string) {
    this.current.delete(userId);
    this.events.emit('peerRemoved', { userId });
  }
  close() {
    for (const id of [...this.current.keys()]) this.remove(id);
    this.isClosed = true;
    this.events.emit('closed', undefined);
    this.events.clear();
  }
}

describe('ConnectionQuality', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('samples every 2 s only while a peer is linked, and stops when the mesh closes', async () => {
    const quality = new ConnectionQuality();
    const mesh = new FakeMesh();
    quality.attach(mesh);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(vi.getTimerCount()).toBe(0); // alone in the room: no polling

    const ben = mesh.add('ben');
    await vi.advanceTimersByTimeAsync(6_000);
    expect(ben.calls).toBe(3);

    mesh.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(quality.getSnapshot().peers.size).toBe(0);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(ben.calls).toBe(3);
  });

  it('joins a mesh already running, and follows a replaced link', async () => {
    const quality = new ConnectionQuality();
    const mesh = new FakeMesh();
    const old = mesh.add('ben');
    quality.attach(mesh);
    old.report = chromeReport({ rttS: 0.6 });
    await quality.sample();
    expect(quality.getSnapshot().peers.get('ben')?.level).toBe('poor');

    const fresh = mesh.add('ben');
    fresh.report = chromeReport({ rttS: 0.01 });
    await quality.sample();
    expect(quality.getSnapshot().peers.get('ben')).toMatchObject({ level: 'good', rttMs: 10 });
    expect(old.calls).toBe(1);
    quality.close();
  });

  it('measures loss between samples and publishes only what changed', async () => {
    const quality = new ConnectionQuality();
    const mesh = new FakeMesh();
    quality.attach(mesh);
    const ben = mesh.add('ben');
    const cat = mesh.add('cat');
    const listener = vi.fn();
    quality.subscribe(listener);

    ben.report = chromeReport({ rttS: 0.01, lost: 0, received: 1000, jitterS: 0.002 });
    cat.report = chromeReport({ rttS: 0.02, lost: 0, received: 1000, jitterS: 0.002 });
    await quality.sample();
    expect(listener).toHaveBeenCalledTimes(1);
    const first = quality.getSnapshot();
    expect(first.peers.get('ben')).toEqual({
      level: 'good',
      rttMs: 10,
      lossPercent: 0,
      jitterMs: 2,
    });

    // Same figures: no new snapshot at all.
    await quality.sample();
    expect(listener).toHaveBeenCalledTimes(1);

    // Ben loses 10 of the next 100 packets; Cat's figures stay, and so does her object.
    ben.report = chromeReport({ rttS: 0.01, lost: 10, received: 1090, jitterS: 0.002 });
    await quality.sample();
    expect(listener).toHaveBeenCalledTimes(2);
    const second = quality.getSnapshot();
    expect(second.peers.get('ben')).toMatchObject({ level: 'poor', lossPercent: 10 });
    expect(second.peers.get('cat')).toBe(first.peers.get('cat'));

    // The next window is clean again: loss is not averaged over the whole call.
    ben.report = chromeReport({ rttS: 0.01, lost: 10, received: 1190, jitterS: 0.002 });
    await quality.sample();
    expect(quality.getSnapshot().peers.get('ben')).toMatchObject({ level: 'good', lossPercent: 0 });
    quality.close();
  });

  it('our own quality is the worst uplink any peer reports', async () => {
    const quality = new ConnectionQuality();
    const mesh = new FakeMesh();
    quality.attach(mesh);
    mesh.add('ben').report = chromeReport({
      remote: { rttS: 0.02, fractionLost: 0, jitterS: 0.001 },
    });
    mesh.add('cat').report = chromeReport({
      remote: { rttS: 0.03, fractionLost: 0.04, jitterS: 0.002 },
    });
    await quality.sample();
    expect(quality.getSnapshot().self).toEqual({
      level: 'fair',
      rttMs: 30,
      lossPercent: 4,
      jitterMs: 2,
    });
    mesh.remove('cat');
    expect(quality.getSnapshot().self).toMatchObject({ level: 'good', rttMs: 20 });
    mesh.remove('ben');
    expect(quality.getSnapshot().self).toBeNull();
    quality.close();
  });

  it('drops a sample of a connection that closed while it was taken', async () => {
    const quality = new ConnectionQuality();
    const mesh = new FakeMesh();
    quality.attach(mesh);
    const ben = mesh.add('ben');
    ben.getStats = () => Promise.reject(new Error('closed'));
    await quality.sample();
    expect(quality.getSnapshot().peers.size).toBe(0);
    quality.close();
  });
});
