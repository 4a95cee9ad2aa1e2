import { ExternalStore } from '../base/external-store';
import type { MeshEvents, PeerLink } from '../rtc';
import { readDtlsFingerprints } from './dtls-fingerprints';
import { type DtlsFingerprints, type HandshakeOptions, runHandshake } from './handshake';

/** The pre-negotiated data channel the handshake runs on ('chat' has id 1). */
export const VERIFY_CHANNEL = { label: 'verify', id: 2 } as const;

export type SafetyState =
  | { readonly status: 'checking' }
  | {
      readonly status: 'verified';
      readonly code: string;
      /** Their certificate differs from the one of the last call: compare the code again. */
      readonly newDevice: boolean;
    }
  | { readonly status: 'failed'; readonly reason: string };

/** The part of a Mesh the safety codes follow (rtc/mesh.ts). */
export interface LinkSource {
  on<K extends 'peerLinked' | 'peerRemoved'>(
    event: K,
    listener: (payload: MeshEvents[K]) => void,
  ): () => void;
  links(): readonly PeerLink[];
}

interface KnownPeer {
  /** Their certificate in the last verified call. */
  readonly fingerprint: string;
  /** Ours in that call: the kept code belongs to this pair. */
  readonly local: string;
  readonly code: string;
}

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

/** What this browser last saw of each person, per signed-in user (localStorage). */
class KnownPeers {
  private readonly key: string;

  constructor(
    private readonly storage: StorageLike | undefined,
    localUserId: string,
  ) {
    this.key = `openwcall:verify:${localUserId}`;
  }

  get(userId: string): KnownPeer | undefined {
    const { fingerprint, local, code } = this.read()[userId] ?? {};
    return typeof fingerprint === 'string' && typeof local === 'string' && typeof code === 'string'
      ? { fingerprint, local, code }
      : undefined;
  }

  set(userId: string, peer: KnownPeer): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify({ ...this.read(), [userId]: peer }));
    } catch {
      // Storage full or disabled: the code still shows, only "new device" is not remembered.
    }
  }

  private read(): Record<string, Partial<KnownPeer> | undefined> {
    try {
      const value: unknown = JSON.parse(this.storage?.getItem(this.key) ?? '{}');
      return typeof value === 'object' && value !== null ? (value as Record<string, never>) : {};
    } catch {
      return {};
    }
  }
}

function browserStorage(): StorageLike | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

export interface SafetyCodesOptions {
  readonly localUserId: string;
  readonly storage?: StorageLike | undefined;
  readonly handshake?: Pick<HandshakeOptions, 'timeoutMs' | 'nonce'>;
  readonly fingerprints?: (link: PeerLink) => Promise<DtlsFingerprints>;
}

interface Entry {
  readonly source: LinkSource;
  readonly link: PeerLink;
  readonly cancel: () => void;
}

/**
 * The safety code of each connected person (by user id), for rooms and direct calls alike:
 * every mesh is attached, and each new connection to a peer runs the handshake again.
 */
export class SafetyCodes extends ExternalStore<ReadonlyMap<string, SafetyState>> {
  private readonly known: KnownPeers;
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: SafetyCodesOptions) {
    super(new Map());
    this.known = new KnownPeers(
      'storage' in options ? options.storage : browserStorage(),
      options.localUserId,
    );
  }

  /** Follows `source`'s connections (a closed mesh drops its listeners); returns the detach. */
  attach(source: LinkSource): () => void {
    const unsubscribes = [
      source.on('peerLinked', ({ link }) => this.start(source, link)),
      source.on('peerRemoved', ({ userId }) => {
        if (this.entries.get(userId)?.source === source) this.forget(userId);
      }),
    ];
    for (const link of source.links()) this.start(source, link);
    return () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  }

  /** Stops every handshake still running (sign-out). */
  close(): void {
    for (const userId of [...this.entries.keys()]) this.forget(userId);
  }

  private start(source: LinkSource, link: PeerLink): void {
    const userId = link.remoteUserId;
    const channel = link.channel(VERIFY_CHANNEL.label);
    this.entries.get(userId)?.cancel();
    if (!channel) {
      this.entries.delete(userId);
      this.put(userId, { status: 'failed', reason: 'no verify channel' });
      return;
    }
    const known = this.known.get(userId);
    const handshake = runHandshake({
      ...this.options.handshake,
      channel,
      fingerprints: () => (this.options.fingerprints ?? readDtlsFingerprints)(link),
      recall: ({ local, remote }) =>
        known && known.fingerprint === remote && known.local === local ? known.code : null,
    });
    this.entries.set(userId, { source, link, cancel: handshake.cancel });
    this.put(userId, { status: 'checking' });
    void handshake.result.then((result) => {
      if (this.entries.get(userId)?.link !== link) return;
      if (!result.ok) {
        this.put(userId, { status: 'failed', reason: result.reason });
        return;
      }
      const { code, fingerprints } = result;
      this.known.set(userId, { fingerprint: fingerprints.remote, local: fingerprints.local, code });
      this.put(userId, {
        status: 'verified',
        code,
        newDevice: known !== undefined && known.fingerprint !== fingerprints.remote,
      });
    });
  }

  private forget(userId: string): void {
    this.entries.get(userId)?.cancel();
    this.entries.delete(userId);
    this.setState((previous) => {
      if (!previous.has(userId)) return previous;
      const next = new Map(previous);
      next.delete(userId);
      return next;
    });
  }

  private put(userId: string, state: SafetyState): void {
    this.setState((previous) => new Map(previous).set(userId, state));
  }
}
