import { describe, expect, it, vi } from 'vitest';
import { type Activity, OtherTabs, type TabChannel } from './other-tabs';

/** BroadcastChannel semantics: a post reaches every other channel of the bus, asynchronously. */
function bus() {
  const channels = new Set<FakeChannel>();
  class FakeChannel implements TabChannel {
    private readonly listeners = new Set<(event: { data: unknown }) => void>();
    constructor() {
      channels.add(this);
    }
    postMessage(message: unknown): void {
      const data = structuredClone(message);
      for (const channel of channels) {
        if (channel !== this) queueMicrotask(() => channel.deliver(data));
      }
    }
    addEventListener(_type: 'message', listener: (event: { data: unknown }) => void): void {
      this.listeners.add(listener);
    }
    removeEventListener(_type: 'message', listener: (event: { data: unknown }) => void): void {
      this.listeners.delete(listener);
    }
    close(): void {
      channels.delete(this);
    }
    deliver(data: unknown): void {
      for (const listener of this.listeners) listener({ data });
    }
  }
  return () => new FakeChannel();
}

async function flush() {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function tab(channel: TabChannel, userId: string, tabId: string) {
  const release = vi.fn();
  const adopt = vi.fn();
  const tabs = new OtherTabs({ channel, userId, tabId, release, adopt });
  return { tabs, release, adopt };
}

describe('OtherTabs', () => {
  const call: Activity = { kind: 'call', callId: 'c1' };

  it('a tab opened during a call learns it goes on elsewhere, and can take it over', async () => {
    const channel = bus();
    const first = tab(channel(), 'u1', 'first');
    first.tabs.setActivity(call);
    const second = tab(channel(), 'u1', 'second');
    await flush();
    expect(second.tabs.getSnapshot().elsewhere).toEqual(call);
    expect(first.tabs.getSnapshot().elsewhere).toBeNull();

    second.tabs.takeOver();
    await flush();
    expect(first.release).toHaveBeenCalledWith(call);
    expect(second.adopt).toHaveBeenCalledWith(call);
    expect(second.tabs.getSnapshot().elsewhere).toBeNull();

    // The first tab went idle, the second carries the call: roles swap.
    first.tabs.setActivity(null);
    second.tabs.setActivity(call);
    await flush();
    expect(first.tabs.getSnapshot().elsewhere).toEqual(call);
  });

  it('ignores tabs of another user and clears when the busy tab closes', async () => {
    const channel = bus();
    const busy = tab(channel(), 'u1', 'a');
    busy.tabs.setActivity({ kind: 'room', roomId: 'r1' });
    const stranger = tab(channel(), 'u2', 'b');
    const mine = tab(channel(), 'u1', 'c');
    await flush();
    expect(stranger.tabs.getSnapshot().elsewhere).toBeNull();
    expect(mine.tabs.getSnapshot().elsewhere).toEqual({ kind: 'room', roomId: 'r1' });
    busy.tabs.close();
    await flush();
    expect(mine.tabs.getSnapshot().elsewhere).toBeNull();
  });
});
