// Connection quality from getStats(): what one report says, the packet loss between two
// reports, and a good / fair / poor verdict a person can act on.

export type QualityLevel = 'good' | 'fair' | 'poor';

/** One measurement; null where the report had nothing to say (not connected yet, no RTCP). */
export interface Metrics {
  readonly rttMs: number | null;
  /** Percent of packets lost, 0–100. */
  readonly lossPercent: number | null;
  readonly jitterMs: number | null;
}

export interface Verdict extends Metrics {
  /** null: nothing measured yet. */
  readonly level: QualityLevel | null;
}

/**
 * Thresholds of the verdict. Good is what a voice call does not notice: ITU-T G.114 puts the
 * start of noticeable mouth-to-ear delay near 150 ms one way (so ~250 ms round trip with
 * buffering), Opus hides loss of 1–2 % and a jitter buffer absorbs ~30 ms. Poor is where people
 * talk over each other (500 ms round trip) or words drop out (8 % loss, 60 ms jitter).
 */
export const THRESHOLDS = {
  good: { rttMs: 250, lossPercent: 2, jitterMs: 30 },
  poor: { rttMs: 500, lossPercent: 8, jitterMs: 60 },
} as const;

// Below this many packets in a window (Opus sends 50 a second; DTX far fewer while silent) a
// single lost packet would read as many percent: the window says nothing about loss.
const MIN_PACKETS = 20;

/** Cumulative inbound counters, kept between samples for the loss of the window in between. */
export interface Counters {
  readonly packetsLost: number;
  readonly packetsReceived: number;
}

/** What one getStats() report says about one connection. */
export interface Reading {
  /** Round trip of the selected candidate pair (STUN), else of RTCP. */
  readonly rttMs: number | null;
  /** Audio from the peer: cumulative counters and its jitter. */
  readonly inbound: (Counters & { readonly jitterMs: number | null }) | null;
  /** Our audio as the peer reports it back (remote-inbound-rtp, from RTCP receiver reports). */
  readonly uplink: Metrics;
}

type Stat = Record<string, unknown> & { readonly type: string; readonly id: string };

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function ms(seconds: unknown): number | null {
  const value = num(seconds);
  return value === null ? null : value * 1000;
}

function isAudio(stat: Stat): boolean {
  return (stat.kind ?? stat.mediaType) === 'audio';
}

/** Reads the figures of one report (an RTCStatsReport, or a Map of hand-written stats). */
export function read(report: Pick<RTCStatsReport, 'forEach'>): Reading {
  const stats: Stat[] = [];
  report.forEach((stat: Stat) => {
    stats.push(stat);
  });
  const byId = new Map(stats.map((stat) => [stat.id, stat]));
  const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
  const pair =
    (transport && byId.get(String(transport.selectedCandidatePairId))) ??
    // Firefox has no transport stats: it flags the pair itself.
    stats.find(
      (s) =>
        s.type === 'candidate-pair' &&
        (s.selected === true || (s.nominated === true && s.state === 'succeeded')),
    );
  const inbound = stats.find((s) => s.type === 'inbound-rtp' && isAudio(s));
  const remote = stats.find((s) => s.type === 'remote-inbound-rtp' && isAudio(s));
  const fraction = num(remote?.fractionLost);
  const remoteRtt = ms(remote?.roundTripTime);
  const lost = num(inbound?.packetsLost);
  const received = num(inbound?.packetsReceived);
  return {
    rttMs: ms(pair?.currentRoundTripTime) ?? remoteRtt,
    inbound:
      inbound && received !== null
        ? {
            packetsLost: Math.max(0, lost ?? 0),
            packetsReceived: received,
            jitterMs: ms(inbound.jitter),
          }
        : null,
    uplink: {
      rttMs: remoteRtt ?? ms(pair?.currentRoundTripTime),
      lossPercent: fraction === null ? null : fraction * 100,
      jitterMs: ms(remote?.jitter),
    },
  };
}

/**
 * Percent lost between two cumulative readings; from the start of the connection when there is
 * no previous one, or when the counters went back (a new connection replaced the old one).
 */
export function lossBetween(previous: Counters | null, current: Counters): number | null {
  const base =
    previous &&
    current.packetsLost >= previous.packetsLost &&
    current.packetsReceived >= previous.packetsReceived
      ? previous
      : { packetsLost: 0, packetsReceived: 0 };
  const lost = current.packetsLost - base.packetsLost;
  const total = lost + current.packetsReceived - base.packetsReceived;
  return total < MIN_PACKETS ? null : (lost / total) * 100;
}

function worst(...values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.max(...known);
}

/** The loss of the latest window long enough to judge, and where the next window starts. */
export interface LossWindow {
  /** null: from the start of the connection. */
  readonly base: Counters | null;
  readonly lossPercent: number | null;
}

export const NO_WINDOW: LossWindow = { base: null, lossPercent: null };

/**
 * Moves the window on to `current`. A window with too few packets to judge grows into the next
 * sample and the last judged loss stands meanwhile: a pause in speech (DTX) does not flip the
 * figure to unknown and back.
 */
export function nextWindow(window: LossWindow, current: Counters | null): LossWindow {
  if (!current) return window;
  const lossPercent = lossBetween(window.base, current);
  if (lossPercent !== null) return { base: current, lossPercent };
  const { base } = window;
  const wentBack =
    base !== null &&
    (current.packetsLost < base.packetsLost || current.packetsReceived < base.packetsReceived);
  return wentBack ? NO_WINDOW : window;
}

/** Both directions of one connection: the worse of what we receive and what they receive. */
export function combined(reading: Reading, downLoss: number | null): Metrics {
  return {
    rttMs: reading.rttMs,
    lossPercent: worst(downLoss, reading.uplink.lossPercent),
    jitterMs: worst(reading.inbound?.jitterMs ?? null, reading.uplink.jitterMs),
  };
}

/** The worst of several measurements, figure by figure (our uplink across every peer). */
export function worstOf(all: readonly Metrics[]): Metrics {
  return {
    rttMs: worst(...all.map((m) => m.rttMs)),
    lossPercent: worst(...all.map((m) => m.lossPercent)),
    jitterMs: worst(...all.map((m) => m.jitterMs)),
  };
}

export function classify(metrics: Metrics): QualityLevel | null {
  const { rttMs, lossPercent, jitterMs } = metrics;
  if (rttMs === null && lossPercent === null && jitterMs === null) return null;
  const over = (limits: typeof THRESHOLDS.good | typeof THRESHOLDS.poor, strict: boolean) =>
    (['rttMs', 'lossPercent', 'jitterMs'] as const).some((key) => {
      const value = metrics[key];
      return value !== null && (strict ? value > limits[key] : value >= limits[key]);
    });
  if (over(THRESHOLDS.poor, true)) return 'poor';
  if (over(THRESHOLDS.good, false)) return 'fair';
  return 'good';
}

/**
 * Rounded as shown (whole milliseconds and percent), so a verdict that reads the same is the
 * same and the UI is told nothing when nothing visible changed.
 */
export function verdict(metrics: Metrics): Verdict {
  const round = (value: number | null) => (value === null ? null : Math.round(value));
  const shown = {
    rttMs: round(metrics.rttMs),
    lossPercent: round(metrics.lossPercent),
    jitterMs: round(metrics.jitterMs),
  };
  return { ...shown, level: classify(metrics) };
}

export function sameVerdict(a: Verdict | undefined, b: Verdict): boolean {
  return (
    a !== undefined &&
    a.level === b.level &&
    a.rttMs === b.rttMs &&
    a.lossPercent === b.lossPercent &&
    a.jitterMs === b.jitterMs
  );
}

/** "Connection good: 12 ms round trip, 0% loss, 3 ms jitter" (screen readers, tooltips). */
export function describeQuality(verdict: Verdict | undefined, subject = 'Connection'): string {
  if (!verdict?.level) return `${subject}: measuring`;
  const parts = [
    verdict.rttMs === null ? null : `${verdict.rttMs} ms round trip`,
    verdict.lossPercent === null ? null : `${verdict.lossPercent}% loss`,
    verdict.jitterMs === null ? null : `${verdict.jitterMs} ms jitter`,
  ].filter((part) => part !== null);
  return `${subject} ${verdict.level}: ${parts.join(', ')}`;
}
