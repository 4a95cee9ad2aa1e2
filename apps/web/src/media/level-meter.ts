import { ExternalStore } from '../base/external-store';
import { rms, windowFor } from './audio-levels';

/**
 * RMS as a 0–1 level on a decibel scale: -60 dBFS (a quiet room) is 0, full scale is 1. A
 * linear RMS would keep ordinary speech (-30 to -20 dBFS, RMS 0.03–0.1) near the bottom.
 */
export function levelOf(value: number): number {
  if (value <= 0) return 0;
  const db = 20 * Math.log10(value);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

/**
 * One stream's live level (the device check's microphone meter): an AnalyserNode read every
 * `intervalMs`, published in steps of 1/50 only when it moved, and nothing at all once stopped.
 */
export class LevelMeter extends ExternalStore<number> {
  private source: MediaStreamAudioSourceNode | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly createContext: () => AudioContext,
    private readonly intervalMs = 100,
  ) {
    super(0);
  }

  /** Measures `stream` (replacing the one before); null stops. */
  measure(stream: MediaStream | null): void {
    this.stop();
    if (!stream || stream.getAudioTracks().length === 0) return;
    try {
      const context = this.createContext();
      if (context.state === 'suspended') void context.resume().catch(() => {});
      const source = context.createMediaStreamSource(stream);
      const analyser = context.createAnalyser();
      analyser.fftSize = windowFor(context.sampleRate, this.intervalMs);
      source.connect(analyser);
      this.source = source;
      const buffer = new Float32Array(analyser.fftSize);
      this.timer = setInterval(() => {
        analyser.getFloatTimeDomainData(buffer);
        this.setState(Math.round(levelOf(rms(buffer)) * 50) / 50);
      }, this.intervalMs);
    } catch {
      // No Web Audio: no meter; the check still lets you choose devices and join.
    }
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.source?.disconnect();
    this.source = null;
    this.setState(0);
  }
}
