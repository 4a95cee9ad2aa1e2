export type ToneKind = 'ringback' | 'ringtone';

export interface TonePlayer {
  play(kind: ToneKind): void;
  stop(): void;
}

// [frequencies (Hz), on (s), period (s)]: ringback is the North American 440+480 Hz tone,
// 2 s on, 4 s off; the ringtone is a brighter double burst every 2 s.
const PATTERNS: Record<ToneKind, { bursts: Array<[number[], number, number]>; period: number }> = {
  ringback: { bursts: [[[440, 480], 0, 2]], period: 6 },
  ringtone: {
    bursts: [
      [[880, 1100], 0, 0.4],
      [[880, 1100], 0.6, 0.4],
    ],
    period: 2.5,
  },
};

/** Call tones synthesised with WebAudio oscillators: no audio files to ship or load. */
export class WebAudioTones implements TonePlayer {
  private context: AudioContext | null = null;
  private current: ToneKind | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private nodes: AudioScheduledSourceNode[] = [];

  constructor(private readonly createContext: () => AudioContext) {}

  play(kind: ToneKind): void {
    if (this.current === kind) return;
    this.stop();
    try {
      this.context ??= this.createContext();
      if (this.context.state === 'suspended') void this.context.resume().catch(() => {});
    } catch {
      return;
    }
    this.current = kind;
    const pattern = PATTERNS[kind];
    const schedule = () => this.schedulePeriod(kind);
    schedule();
    this.timer = setInterval(schedule, pattern.period * 1000);
  }

  stop(): void {
    this.current = null;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const node of this.nodes) {
      try {
        node.stop();
      } catch {
        // Already stopped.
      }
    }
    this.nodes = [];
  }

  private schedulePeriod(kind: ToneKind): void {
    const context = this.context;
    if (!context) return;
    const start = context.currentTime + 0.05;
    this.nodes = this.nodes.filter((node) => (node as { ended?: boolean }).ended !== true);
    for (const [frequencies, offset, duration] of PATTERNS[kind].bursts) {
      const gain = context.createGain();
      const t0 = start + offset;
      // Short ramps avoid clicks at the edges of each burst.
      gain.gain.setValueAtTime(0, t0);
      gain.gain.linearRampToValueAtTime(0.08, t0 + 0.02);
      gain.gain.setValueAtTime(0.08, t0 + duration - 0.02);
      gain.gain.linearRampToValueAtTime(0, t0 + duration);
      gain.connect(context.destination);
      for (const frequency of frequencies) {
        const oscillator = context.createOscillator();
        oscillator.frequency.value = frequency;
        oscillator.connect(gain);
        oscillator.start(t0);
        oscillator.stop(t0 + duration);
        this.nodes.push(oscillator);
      }
    }
  }
}
