import { ExternalStore } from '../base/external-store';

export type AudioContextFactory = () => AudioContext;

export interface AudioLevelsOptions {
  readonly createContext: AudioContextFactory;
  /** RMS of the time-domain signal above which someone counts as speaking. */
  readonly threshold?: number;
  /** A speaker stays lit this long after the level drops, so the ring does not flicker. */
  readonly holdMs?: number;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

interface Meter {
  readonly source: MediaStreamAudioSourceNode;
  readonly analyser: AnalyserNode;
  readonly buffer: Float32Array<ArrayBuffer>;
  lastLoudAt: number;
}

/** Root mean square of a time-domain buffer (samples in [-1, 1]). */
export function rms(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const value = samples[i] ?? 0;
    sum += value * value;
  }
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

/**
 * Samples each read looks back over: at least the time since the previous read. A read of
 * the last 512 samples (11 ms) every 100 ms saw a ninth of the signal, so a short sound fell
 * between reads, and with a periodic one (a beep every 500 ms, a fake microphone's) the reads
 * could stay out of phase with it for ever: a tile that never lit.
 */
export function windowFor(sampleRate: number | undefined, intervalMs: number): number {
  const needed = ((sampleRate || 48_000) * intervalMs) / 1000;
  let size = 512;
  while (size < needed && size < 32_768) size *= 2;
  return size;
}

/**
 * Who is speaking: a WebAudio AnalyserNode per stream (each remote peer and the local mic),
 * sampled a few times a second. The snapshot is the set of ids speaking now.
 * (Chrome only feeds a remote WebRTC stream to WebAudio while the stream also plays in a media
 * element, crbug.com/933677; the room view plays every remote stream in an <audio>.)
 */
export class AudioLevels extends ExternalStore<ReadonlySet<string>> {
  private readonly options: AudioLevelsOptions;
  private readonly meters = new Map<string, Meter & { stream: MediaStream }>();
  private context: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly now: () => number;

  constructor(options: AudioLevelsOptions) {
    super(new Set());
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** Measures `stream` under `id`; replaces what `id` measured before. */
  track(id: string, stream: MediaStream | null): void {
    const existing = this.meters.get(id);
    if (existing?.stream === stream) return;
    if (existing) this.untrack(id);
    if (!stream || stream.getAudioTracks().length === 0) return;
    try {
      this.context ??= this.options.createContext();
      if (this.context.state === 'suspended') void this.context.resume().catch(() => {});
      const source = this.context.createMediaStreamSource(stream);
      const analyser = this.context.createAnalyser();
      analyser.fftSize = windowFor(this.context.sampleRate, this.options.intervalMs ?? 100);
      source.connect(analyser);
      this.meters.set(id, {
        stream,
        source,
        analyser,
        buffer: new Float32Array(analyser.fftSize),
        lastLoudAt: Number.NEGATIVE_INFINITY,
      });
      this.timer ??= setInterval(() => this.sample(), this.options.intervalMs ?? 100);
    } catch {
      // No WebAudio (or a stream it cannot read): no indicator, the call still works.
    }
  }

  untrack(id: string): void {
    const meter = this.meters.get(id);
    if (!meter) return;
    meter.source.disconnect();
    this.meters.delete(id);
    if (this.getSnapshot().has(id)) {
      const next = new Set(this.getSnapshot());
      next.delete(id);
      this.setState(next);
    }
    if (this.meters.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Reads every analyser once and publishes the speaking set if it changed. */
  sample(): void {
    const threshold = this.options.threshold ?? 0.015;
    const hold = this.options.holdMs ?? 350;
    const now = this.now();
    const speaking = new Set<string>();
    for (const [id, meter] of this.meters) {
      meter.analyser.getFloatTimeDomainData(meter.buffer);
      if (rms(meter.buffer) >= threshold) meter.lastLoudAt = now;
      if (now - meter.lastLoudAt <= hold) speaking.add(id);
    }
    const previous = this.getSnapshot();
    if (speaking.size !== previous.size || [...speaking].some((id) => !previous.has(id))) {
      this.setState(speaking);
    }
  }

  close(): void {
    for (const id of [...this.meters.keys()]) this.untrack(id);
    // The context is the page's (shared with tones and playout): not ours to close.
    this.context = null;
  }
}
