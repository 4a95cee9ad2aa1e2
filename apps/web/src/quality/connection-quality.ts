import { ExternalStore } from '../base/external-store';
import type { Mesh, PeerLink } from '../rtc';
import {
  combined,
  type LossWindow,
  type Metrics,
  NO_WINDOW,
  nextWindow,
  read,
  sameVerdict,
  type Verdict,
  verdict,
  worstOf,
} from './measure';

/** The part of a Mesh the sampler follows (rtc/mesh.ts). */
export type QualitySource = Pick<Mesh, 'links' | 'on' | 'isClosed'>;

export interface QualitySnapshot {
  /** Per peer: both directions of the connection to them. */
  readonly peers: ReadonlyMap<string, Verdict>;
  /** Our uplink, the worst over every peer (what the others hear of us); null with nobody. */
  readonly self: Verdict | null;
}

interface Entry {
  readonly link: PeerLink;
  loss: LossWindow;
  uplink: Metrics | null;
}

const EMPTY: QualitySnapshot = { peers: new Map(), self: null };

/**
 * Samples getStats() of every connection of the attached meshes every `intervalMs` (one call
 * per peer per 2 s: the steady CPU budget of issue 9 allows that, and quality is read by eye),
 * only while some mesh has a peer. It publishes only when a shown figure changed, and keeps
 * the Verdict object of a peer whose figures did not, so only badges that change re-render.
 */
export class ConnectionQuality extends ExternalStore<QualitySnapshot> {
  private readonly entries = new Map<string, Entry>();
  private readonly sources = new Map<QualitySource, Array<() => void>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private sampling = false;

  constructor(private readonly intervalMs = 2_000) {
    super(EMPTY);
  }

  attach(source: QualitySource): void {
    if (this.sources.has(source) || source.isClosed) return;
    this.sources.set(source, [
      source.on('peerLinked', ({ userId, link }) => this.link(userId, link)),
      source.on('peerRemoved', ({ userId }) => this.unlink(userId)),
      source.on('closed', () => this.sources.delete(source)),
    ]);
    for (const link of source.links()) this.link(link.remoteUserId, link);
  }

  /** Takes one sample of every connection now (the timer's work; tests call it directly). */
  async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const taken = await Promise.all(
        [...this.entries].map(async ([userId, entry]) => {
          try {
            return { userId, entry, reading: read(await entry.link.getStats()) };
          } catch {
            return null; // The connection closed under us; peerRemoved follows.
          }
        }),
      );
      const verdicts = new Map<string, Verdict>();
      for (const result of taken) {
        if (!result || this.entries.get(result.userId) !== result.entry) continue;
        const { entry, reading } = result;
        entry.loss = nextWindow(entry.loss, reading.inbound);
        const metrics = combined(reading, entry.loss.lossPercent);
        entry.uplink = reading.uplink;
        verdicts.set(result.userId, verdict(metrics));
      }
      this.publish(verdicts);
    } finally {
      this.sampling = false;
    }
  }

  close(): void {
    for (const unsubscribes of this.sources.values()) for (const off of unsubscribes) off();
    this.sources.clear();
    this.entries.clear();
    this.schedule();
    this.setState(EMPTY);
  }

  private link(userId: string, link: PeerLink): void {
    if (this.entries.get(userId)?.link === link) return;
    // A replacement starts its counters from zero: the old connection's say nothing of it.
    this.entries.set(userId, { link, loss: NO_WINDOW, uplink: null });
    this.schedule();
  }

  private unlink(userId: string): void {
    if (!this.entries.delete(userId)) return;
    this.schedule();
    this.publish(new Map());
  }

  private schedule(): void {
    if (this.entries.size > 0 && this.timer === null) {
      this.timer = setInterval(() => void this.sample(), this.intervalMs);
    } else if (this.entries.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** `fresh` holds new verdicts; peers without one keep theirs (if still linked). */
  private publish(fresh: ReadonlyMap<string, Verdict>): void {
    const before = this.getSnapshot();
    const peers = new Map<string, Verdict>();
    let changed = false;
    for (const userId of this.entries.keys()) {
      const old = before.peers.get(userId);
      const next = fresh.get(userId);
      if (next && !sameVerdict(old, next)) {
        peers.set(userId, next);
        changed = true;
      } else if (old) peers.set(userId, old);
    }
    if ([...before.peers.keys()].some((id) => !peers.has(id))) changed = true;
    const uplinks = [...this.entries.values()].flatMap((e) => (e.uplink ? [e.uplink] : []));
    const selfNext = uplinks.length === 0 ? null : verdict(worstOf(uplinks));
    const self =
      selfNext === null
        ? null
        : sameVerdict(before.self ?? undefined, selfNext)
          ? before.self
          : selfNext;
    if (self !== before.self) changed = true;
    if (changed) this.setState({ peers, self });
  }
}
