import { AppError } from '../base/errors';
import { ExternalStore } from '../base/external-store';

export interface DeviceOption {
  readonly deviceId: string;
  readonly label: string;
}

export interface MicrophoneState {
  readonly stream: MediaStream | null;
  readonly track: MediaStreamTrack | null;
  /** The chosen input; '' means the browser's default. */
  readonly inputId: string;
  readonly outputId: string;
  readonly inputs: readonly DeviceOption[];
  readonly outputs: readonly DeviceOption[];
  /** Whether audio elements can route to a chosen speaker (HTMLMediaElement.setSinkId). */
  readonly outputSelectable: boolean;
}

type MediaDevicesLike = Pick<
  MediaDevices,
  'getUserMedia' | 'enumerateDevices' | 'addEventListener' | 'removeEventListener'
>;

/** The browser's voice processing; echo cancellation matters most with speakers and open mics. */
export interface AudioProcessing {
  readonly echoCancellation: boolean;
  readonly noiseSuppression: boolean;
  readonly autoGainControl: boolean;
}

const VOICE: AudioProcessing = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

function options(devices: MediaDeviceInfo[], kind: MediaDeviceKind): DeviceOption[] {
  return devices
    .filter((device) => device.kind === kind && device.deviceId !== '')
    .map((device, index) => ({
      deviceId: device.deviceId,
      label: device.label || `${kind === 'audioinput' ? 'Microphone' : 'Speaker'} ${index + 1}`,
    }));
}

/**
 * The local microphone: opened for a room or call, switched mid-call (the caller hands the new
 * track to Mesh.replaceTrack, then this stops the old one), released when the call ends.
 */
export class Microphone extends ExternalStore<MicrophoneState> {
  private readonly devices: MediaDevicesLike | undefined;
  private processing: AudioProcessing = VOICE;
  private readonly onDeviceChange = () => {
    void this.refreshDevices();
  };

  constructor(devices: MediaDevicesLike | undefined, outputSelectable: boolean) {
    super({
      stream: null,
      track: null,
      inputId: '',
      outputId: '',
      inputs: [],
      outputs: [],
      outputSelectable,
    });
    this.devices = devices;
    devices?.addEventListener('devicechange', this.onDeviceChange);
  }

  /** Opens the microphone (or returns the open one). */
  async acquire(): Promise<{ stream: MediaStream; track: MediaStreamTrack }> {
    const current = this.getSnapshot();
    if (current.stream && current.track && current.track.readyState !== 'ended') {
      return { stream: current.stream, track: current.track };
    }
    let inputId = current.inputId;
    let opened: { stream: MediaStream; track: MediaStreamTrack };
    try {
      opened = await this.open(inputId);
    } catch (error) {
      // A remembered microphone that is gone (unplugged, another machine's id): the default
      // one rather than joining without a voice.
      if (!inputId) throw error;
      inputId = '';
      opened = await this.open(inputId);
    }
    this.setState((previous) => ({ ...previous, ...opened, inputId }));
    void this.refreshDevices();
    return opened;
  }

  /**
   * Opens `deviceId` and returns its track without stopping the old one: call `commitSwitch`
   * once every connection sends the new track.
   */
  async open(deviceId: string): Promise<{ stream: MediaStream; track: MediaStreamTrack }> {
    if (!this.devices) throw new AppError('MICROPHONE');
    try {
      const stream = await this.devices.getUserMedia({
        audio: deviceId
          ? { ...this.processing, deviceId: { exact: deviceId } }
          : { ...this.processing },
        video: false,
      });
      const track = stream.getAudioTracks()[0];
      if (!track) throw new Error('no audio track');
      return { stream, track };
    } catch {
      throw new AppError('MICROPHONE');
    }
  }

  /** Makes a track from `open` the current one and stops the previous microphone. */
  commitSwitch(deviceId: string, opened: { stream: MediaStream; track: MediaStreamTrack }): void {
    const previous = this.getSnapshot();
    if (previous.track && previous.track !== opened.track) previous.track.stop();
    this.setState((state) => ({ ...state, ...opened, inputId: deviceId }));
  }

  /**
   * Switches processing for the next microphone and, mid-call, on the open one
   * (applyConstraints, no new track). Resolves with what the browser actually applied, which
   * may differ: a browser is free to ignore a processing constraint it cannot change live.
   */
  async setProcessing(processing: AudioProcessing): Promise<Partial<AudioProcessing> | null> {
    this.processing = processing;
    const { track } = this.getSnapshot();
    if (!track || track.readyState === 'ended') return null;
    try {
      await track.applyConstraints({ ...track.getConstraints(), ...processing });
    } catch {
      // OverconstrainedError or unsupported: report what the track does instead.
    }
    return this.appliedProcessing();
  }

  /** Processing of the open microphone as the browser reports it (getSettings()). */
  appliedProcessing(): Partial<AudioProcessing> | null {
    const { track } = this.getSnapshot();
    if (!track) return null;
    const settings = track.getSettings();
    const applied: { -readonly [K in keyof AudioProcessing]?: boolean } = {};
    for (const key of ['echoCancellation', 'noiseSuppression', 'autoGainControl'] as const) {
      const value = settings[key];
      if (typeof value === 'boolean') applied[key] = value;
    }
    return applied;
  }

  /** Remembers the choice for the next time the microphone opens. */
  selectInput(deviceId: string): void {
    this.setState((state) => ({ ...state, inputId: deviceId }));
  }

  selectOutput(deviceId: string): void {
    this.setState((state) => ({ ...state, outputId: deviceId }));
  }

  release(): void {
    const { track } = this.getSnapshot();
    track?.stop();
    this.setState((state) => ({ ...state, stream: null, track: null }));
  }

  async refreshDevices(): Promise<void> {
    if (!this.devices) return;
    try {
      const all = await this.devices.enumerateDevices();
      this.setState((state) => ({
        ...state,
        inputs: options(all, 'audioinput'),
        outputs: options(all, 'audiooutput'),
      }));
    } catch {
      // Device lists are a convenience; the default devices still work.
    }
  }

  close(): void {
    this.release();
    this.devices?.removeEventListener('devicechange', this.onDeviceChange);
  }
}
