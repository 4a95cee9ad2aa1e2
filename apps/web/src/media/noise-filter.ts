import { ExternalStore } from '../base/external-store';

export interface MicrophoneTrack {
  readonly stream: MediaStream;
  readonly track: MediaStreamTrack;
}

/** A running suppressor: the processed track and how to take its graph down. */
export interface SuppressorGraph {
  readonly output: MicrophoneTrack;
  close(): void;
}

/** Builds the processing graph for one microphone track (Web Audio in the browser). */
export type BuildSuppressor = (input: MicrophoneTrack) => Promise<SuppressorGraph>;

export interface NoiseFilterState {
  /** The person's choice. */
  readonly enabled: boolean;
  /** Whether the track being sent right now goes through the suppressor. */
  readonly active: boolean;
  /** Set when the suppressor could not start (no AudioWorklet, wasm refused …). */
  readonly failed: boolean;
}

/**
 * The optional strong noise suppressor (RNNoise) between the microphone and the connections.
 * `process` turns the microphone's track into the one to send: the same track when the filter
 * is off (so the browser's own processing is all there is and nothing extra runs), or the
 * suppressor's output. One graph at a time: processing a new microphone closes the old graph.
 */
export class NoiseFilter extends ExternalStore<NoiseFilterState> {
  private graph: SuppressorGraph | null = null;
  private input: MicrophoneTrack | null = null;

  constructor(
    private readonly build: BuildSuppressor,
    enabled: boolean,
  ) {
    super({ enabled, active: false, failed: false });
  }

  /** The track to send for `input`; never throws (a failing suppressor falls back to `input`). */
  async process(input: MicrophoneTrack): Promise<MicrophoneTrack> {
    if (this.input?.track === input.track && this.graph) return this.graph.output;
    this.closeGraph();
    this.input = input;
    if (!this.getSnapshot().enabled) return input;
    try {
      const graph = await this.build(input);
      if (this.input !== input || !this.getSnapshot().enabled) {
        // Switched off, or given another microphone, while the suppressor was loading: that
        // later call decided what is sent.
        graph.close();
        return input;
      }
      this.graph = graph;
      this.setState((state) => ({ ...state, active: true, failed: false }));
      return graph.output;
    } catch {
      this.setState((state) => ({ ...state, active: false, failed: true }));
      return input;
    }
  }

  /**
   * Switches the filter; resolves with the track to send now for the open microphone (to hand
   * to the connections), or null when no microphone is open.
   */
  async setEnabled(enabled: boolean): Promise<MicrophoneTrack | null> {
    this.setState((state) => ({ ...state, enabled, failed: enabled ? state.failed : false }));
    const input = this.input;
    if (!input) return null;
    if (!enabled) {
      this.closeGraph();
      this.input = input;
      return input;
    }
    this.input = null;
    return this.process(input);
  }

  /** The microphone was released: stop processing. */
  release(): void {
    this.closeGraph();
    this.input = null;
  }

  private closeGraph(): void {
    this.graph?.close();
    this.graph = null;
    this.input = null;
    if (this.getSnapshot().active) this.setState((state) => ({ ...state, active: false }));
  }
}

/** Where the web app serves the suppressor's worklet and wasm (app/audio/[file]/route.ts). */
const ASSETS = {
  worklet: '/audio/rnnoise-worklet.js',
  wasm: '/audio/rnnoise.wasm',
  simdWasm: '/audio/rnnoise-simd.wasm',
};

/**
 * RNNoise in an AudioWorklet, in an AudioContext of its own at 48 kHz: the model works on
 * 10 ms frames of 480 samples, so another rate would feed it the wrong frame length.
 * The package is imported on demand: it subclasses AudioWorkletNode, which the server render
 * does not have, and nobody who keeps the switch off downloads it.
 */
export function rnnoiseSuppressor(): BuildSuppressor {
  let wasm: Promise<ArrayBuffer> | null = null;
  return async (input) => {
    const { RnnoiseWorkletNode, loadRnnoise } = await import('@sapphi-red/web-noise-suppressor');
    wasm ??= loadRnnoise({ url: ASSETS.wasm, simdUrl: ASSETS.simdWasm });
    const wasmBinary = await wasm.catch((error: unknown) => {
      wasm = null;
      throw error;
    });
    const context = new AudioContext({ sampleRate: 48_000 });
    try {
      await context.audioWorklet.addModule(ASSETS.worklet);
      const source = context.createMediaStreamSource(new MediaStream([input.track]));
      const suppressor = new RnnoiseWorkletNode(context, { wasmBinary, maxChannels: 1 });
      const destination = context.createMediaStreamDestination();
      source.connect(suppressor).connect(destination);
      await context.resume();
      const track = destination.stream.getAudioTracks()[0];
      if (!track) throw new Error('the suppressor produced no track');
      return {
        output: { stream: destination.stream, track },
        close: () => {
          source.disconnect();
          suppressor.destroy();
          track.stop();
          void context.close();
        },
      };
    } catch (error) {
      void context.close();
      throw error;
    }
  };
}
