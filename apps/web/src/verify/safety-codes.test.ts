import { describe, expect, it } from 'vitest';
import type { MeshEvents, PeerLink } from '../rtc';
import { Emitter } from '../rtc';
import type { DtlsFingerprints } from './handshake';
import { type LinkSource, SafetyCodes, type SafetyState, VERIFY_CHANNEL } from './safety-codes';
import { channelPair, type MemoryChannel } from './testing/channel-pair';

class FakeMesh implements LinkSource {
  private readonly events = new Emitter<MeshEvents>();
  readonly current: PeerLink[] = [];
  on<K extends 'peerLinked' | 'peerRemoved'>(event: K, listener: (p: MeshEvents[K]) => void) {
    return this.events.on(event, listener);
  }
  links() {
    return this.current;
  }
  link(link: PeerLink) {
    this.current.push(link);
    this.events.emit('peerLinked', { userId: link.remoteUserId, link });
  }
  remove(userId: string) {
    this.events.emit('peerRemoved', { userId });
  }
}

const fingerprintsOf = new WeakMap<PeerLink, DtlsFingerprints>();

function linkTo(remoteUserId: string, channel: MemoryChannel | undefined, fps: DtlsFingerprints) {
  const link: PeerLink = {
    remoteUserId,
    channel: (label) => (label === VERIFY_CHANNEL.label ? channel : undefined),
    getStats: async () => new Map() as unknown as RTCStatsReport,
  };
  fingerprintsOf.set(link, fps);
  return link;
}

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> {
  const values = new Map<string, string>();
  return { getItem: (k) => values.get(k) ?? null, setItem: (k, v) => void values.set(k, v) };
}

/** Alice's and Bob's browsers: each its own store and storage. */
function people() {
  const make = (localUserId: string) => {
    const storage = memoryStorage();
    const mesh = new FakeMesh();
    const codes = new SafetyCodes({
      localUserId,
      storage,
      fingerprints: async (link) => fingerprintsOf.get(link) ?? Promise.reject(new Error('no fps')),
    });
    codes.attach(mesh);
    return { codes, mesh, storage };
  };
  return { alice: make('alice'), bob: make('bob') };
}

type Person = ReturnType<typeof people>['alice'];

async function settled(person: Person, userId: string): Promise<SafetyState> {
  for (let i = 0; i < 200; i++) {
    const state = person.codes.getSnapshot().get(userId);
    if (state && state.status !== 'checking') return state;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('the handshake did not finish');
}

/** One connection between the two, Alice with `fpA`, Bob with `fpB`. */
async function call({ alice, bob }: ReturnType<typeof people>, fpA: string, fpB: string) {
  const pair = channelPair();
  alice.mesh.link(linkTo('bob', pair.a, { local: fpA, remote: fpB }));
  bob.mesh.link(linkTo('alice', pair.b, { local: fpB, remote: fpA }));
  expect(alice.codes.getSnapshot().get('bob')).toEqual({ status: 'checking' });
  pair.open();
  return { alice: await settled(alice, 'bob'), bob: await settled(bob, 'alice') };
}

describe('safety codes per person', () => {
  it('shows both the same code, keeps it for the next call and says nothing of a new device', async () => {
    const pair = people();
    const first = await call(pair, 'sha-256 AA', 'sha-256 BB');
    expect(first.alice).toMatchObject({ status: 'verified', newDevice: false });
    expect(first.bob).toEqual(first.alice);

    const second = await call(pair, 'sha-256 AA', 'sha-256 BB');
    expect(second.alice).toEqual(first.alice);
    expect(second.bob).toEqual(first.alice);
  });

  it('says "new device" to the other side when someone comes back with another certificate', async () => {
    const pair = people();
    await call(pair, 'sha-256 AA', 'sha-256 BB');
    const after = await call(pair, 'sha-256 AA', 'sha-256 B2');
    expect(after.alice).toMatchObject({ status: 'verified', newDevice: true });
    expect(after.bob).toMatchObject({ status: 'verified', newDevice: false });
    if (after.alice.status === 'verified' && after.bob.status === 'verified') {
      expect(after.bob.code).toBe(after.alice.code);
    }
    // Remembered from then on: the next call is quiet again.
    const next = await call(pair, 'sha-256 AA', 'sha-256 B2');
    expect(next.alice).toMatchObject({ status: 'verified', newDevice: false });
  });

  it('shows a failure, and remembers nothing, when the certificates disagree', async () => {
    const { alice, bob } = people();
    const pair = channelPair();
    alice.mesh.link(linkTo('bob', pair.a, { local: 'sha-256 AA', remote: 'sha-256 M1' }));
    bob.mesh.link(linkTo('alice', pair.b, { local: 'sha-256 BB', remote: 'sha-256 M2' }));
    pair.open();
    expect(await settled(alice, 'bob')).toMatchObject({ status: 'failed' });
    expect(await settled(bob, 'alice')).toMatchObject({ status: 'failed' });
    expect(alice.storage.getItem('openwcall:verify:alice')).toBeNull();
  });

  it('forgets a person who left, and verifies the connection that replaced a stale one', async () => {
    const pair = people();
    const stale = channelPair();
    pair.alice.mesh.link(linkTo('bob', stale.a, { local: 'sha-256 AA', remote: 'sha-256 BB' }));
    // Bob reloaded before the first handshake finished: a new connection replaces it.
    const { alice } = await call(pair, 'sha-256 AA', 'sha-256 BB');
    expect(alice.status).toBe('verified');
    stale.open();
    // The replaced handshake let go of its channel, so whatever still arrives there cannot
    // reach the store, now or later.
    expect(stale.a.listening).toBe(false);
    stale.a.deliver('garbage');
    expect(pair.alice.codes.getSnapshot().get('bob')).toEqual(alice);

    pair.alice.mesh.remove('bob');
    expect(pair.alice.codes.getSnapshot().has('bob')).toBe(false);
  });

  it('follows links a mesh had before it was attached', async () => {
    const mesh = new FakeMesh();
    const pair = channelPair();
    mesh.current.push(linkTo('bob', pair.a, { local: 'sha-256 AA', remote: 'sha-256 BB' }));
    const codes = new SafetyCodes({ localUserId: 'alice', storage: memoryStorage() });
    codes.attach(mesh);
    expect(codes.getSnapshot().get('bob')).toEqual({ status: 'checking' });
    codes.close();
    expect(codes.getSnapshot().size).toBe(0);
  });
});
