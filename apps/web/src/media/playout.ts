import { rms } from './audio-levels';

export interface PlayoutOptions {
  readonly createContext: () => AudioContext;
  /** A media element per remote stream; tests pass a fake. */
  readonly createElement?: () => HTMLAudioElement;
  /**
   * The browser refused to play before any click or key press (a page reloaded into a call):
   * call `retryBlocked()` on the next gesture.
   */
  readonly onAutoplayBlocked?: () => void;
}

type SinkElement = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
type SinkContext = AudioContext & { setSinkId?: (id: string) => Promise<void> };

interface Boost {
  readonly source: MediaStreamAudioSourceNode;
  readonly gain: GainNode;
  readonly before: AnalyserNode;
  readonly after: AnalyserNode;
}

interface Voice {
  readonly stream: MediaStream;
  readonly element: SinkElement;
  boost: Boost | null;
}

// The largest analyser window (~0.7 s at 48 kHz): one diagnostic read sees every short beep.
const WINDOW = 32768;

/**
 * Plays every remote stream at its own volume, 0–200 %, and nothing while deafened.
 *
 * Up to 100 % a plain <audio> element plays the stream at `volume`: that is the path Chrome's
 * echo canceller and `getStats()` (`totalAudioEnergy`, counted after the element's volume and
 * mute) know about. `volume` stops at 1, so above 100 % the element is muted and the stream
 * plays through a Web Audio GainNode on the page's AudioContext instead.
 */
export class Playout {
  private readonly options: PlayoutOptions;
  private readonly voices = new Map<string, Voice>();
  private readonly gains = new Map<string, number>();
  private context: AudioContext | null = null;
  private master: GainNode | null = null;
  private deafened = false;
  private sinkId = '';

  constructor(options: PlayoutOptions) {
    this.options = options;
  }

  /** Plays `stream` for `id` (replacing what it played); null stops. */
  play(id: string, stream: MediaStream | null): void {
    const existing = this.voices.get(id);
    if (existing?.stream === stream) return;
    if (existing) this.stop(id);
    if (!stream || stream.getAudioTracks().length === 0) return;
    const element: SinkElement = this.options.createElement?.() ?? new Audio();
    element.autoplay = true;
    element.srcObject = stream;
    if (this.sinkId && element.setSinkId) void element.setSinkId(this.sinkId).catch(() => {});
    const voice: Voice = { stream, element, boost: null };
    this.voices.set(id, voice);
    this.apply(voice, this.gains.get(id) ?? 1);
    this.start(element);
  }

  /** Plays what autoplay refused, from a click or key press. */
  retryBlocked(): void {
    if (this.context?.state === 'suspended') void this.context.resume().catch(() => {});
    for (const { element } of this.voices.values()) if (element.paused) this.start(element);
  }

  private start(element: HTMLAudioElement): void {
    element.play().catch((error: unknown) => {
      if ((error as { name?: string }).name === 'NotAllowedError') {
        this.options.onAutoplayBlocked?.();
      }
    });
  }

  stop(id: string): void {
    const voice = this.voices.get(id);
    if (!voice) return;
    this.unboost(voice);
    voice.element.pause();
    voice.element.srcObject = null;
    this.voices.delete(id);
  }

  /** 1 is as sent, 2 is twice as loud, 0 is silent. */
  setVolume(id: string, gain: number): void {
    const value = Math.min(2, Math.max(0, gain));
    if (this.gains.get(id) === value) return;
    this.gains.set(id, value);
    const voice = this.voices.get(id);
    if (voice) this.apply(voice, value);
  }

  setDeafened(deafened: boolean): void {
    if (this.deafened === deafened) return;
    this.deafened = deafened;
    if (this.master) this.master.gain.value = deafened ? 0 : 1;
    for (const [id, voice] of this.voices) this.apply(voice, this.gains.get(id) ?? 1);
  }

  /** The chosen speaker ('' = the default). */
  setSinkId(sinkId: string): void {
    if (this.sinkId === sinkId) return;
    this.sinkId = sinkId;
    for (const { element } of this.voices.values()) {
      if (element.setSinkId && element.sinkId !== sinkId) {
        void element.setSinkId(sinkId).catch(() => {});
      }
    }
    const context = this.context as SinkContext | null;
    if (context?.setSinkId) void context.setSinkId(sinkId).catch(() => {});
  }

  /**
   * For a person above 100 %: RMS over the last ~0.7 s of their stream before and after the
   * gain (diagnostics and browser tests); null when the plain element plays them.
   */
  boostLevels(id: string): { before: number; after: number } | null {
    const boost = this.voices.get(id)?.boost;
    return boost ? { before: read(boost.before), after: read(boost.after) } : null;
  }

  close(): void {
    for (const id of [...this.voices.keys()]) this.stop(id);
    this.master?.disconnect();
    this.master = null;
    // The context is the page's (shared with tones and meters): not ours to close.
    this.context = null;
  }

  private apply(voice: Voice, gain: number): void {
    if (gain > 1) {
      voice.element.muted = true;
      const boost = voice.boost ?? this.boost(voice);
      if (boost) boost.gain.gain.value = gain;
      else {
        // No Web Audio: play at the element's maximum.
        voice.element.volume = 1;
        voice.element.muted = this.deafened;
      }
      return;
    }
    this.unboost(voice);
    voice.element.volume = gain;
    voice.element.muted = this.deafened;
  }

  private boost(voice: Voice): Boost | null {
    try {
      const master = this.ensureMaster();
      const context = this.context as AudioContext;
      const source = context.createMediaStreamSource(voice.stream);
      const gain = context.createGain();
      const before = context.createAnalyser();
      const after = context.createAnalyser();
      before.fftSize = WINDOW;
      after.fftSize = WINDOW;
      source.connect(before);
      source.connect(gain);
      gain.connect(after);
      gain.connect(master);
      voice.boost = { source, gain, before, after };
      return voice.boost;
    } catch {
      return null;
    }
  }

  private unboost(voice: Voice): void {
    if (!voice.boost) return;
    voice.boost.source.disconnect();
    voice.boost.gain.disconnect();
    voice.boost = null;
  }

  private ensureMaster(): GainNode {
    if (this.master && this.context && this.context.state !== 'closed') {
      if (this.context.state === 'suspended') void this.context.resume().catch(() => {});
      return this.master;
    }
    const context = this.options.createContext();
    if (context.state === 'suspended') void context.resume().catch(() => {});
    const master = context.createGain();
    master.gain.value = this.deafened ? 0 : 1;
    master.connect(context.destination);
    this.context = context;
    this.master = master;
    const sinkContext = context as SinkContext;
    if (this.sinkId && sinkContext.setSinkId)
      void sinkContext.setSinkId(this.sinkId).catch(() => {});
    return master;
  }
}

function read(analyser: AnalyserNode): number {
  const buffer = new Float32Array(analyser.fftSize);
  analyser.getFloatTimeDomainData(buffer);
  return rms(buffer);
}
