'use client';
import { useEffect, useState } from 'react';
import type { AudioProcessing } from '../media/microphone';
import { useApp, useStore } from './hooks';

const SWITCHES: ReadonlyArray<{ key: keyof AudioProcessing; label: string }> = [
  { key: 'noiseSuppression', label: 'Noise suppression' },
  { key: 'echoCancellation', label: 'Echo cancellation' },
  { key: 'autoGainControl', label: 'Automatic gain' },
];

function appliedText(value: boolean | undefined): string {
  if (value === undefined) return 'not reported by the browser';
  return value ? 'on' : 'off';
}

/**
 * The browser's voice processing as switches, applied to the open microphone mid-call, each
 * with what the browser says it actually applied (track.getSettings()). Remembered per browser.
 */
export function AudioProcessingSwitches() {
  const app = useApp();
  const settings = useStore(app.voiceSettings);
  const microphone = useStore(app.microphone);
  const [applied, setApplied] = useState<Partial<AudioProcessing> | null>(null);

  // A new microphone track (joining, switching devices) reports its own settings.
  useEffect(() => {
    if (microphone.track) setApplied(app.microphone.appliedProcessing());
    else setApplied(null);
  }, [app, microphone.track]);

  const toggle = async (key: keyof AudioProcessing, on: boolean) => {
    app.voiceSettings.update({ [key]: on });
    const { noiseSuppression, echoCancellation, autoGainControl } = app.voiceSettings.getSnapshot();
    const result = await app.microphone.setProcessing({
      noiseSuppression,
      echoCancellation,
      autoGainControl,
    });
    setApplied(result);
  };

  return (
    <fieldset className="audio-processing">
      <legend>Audio processing</legend>
      {SWITCHES.map(({ key, label }) => (
        <div key={key} className="audio-switch">
          <label className="checkbox">
            <input
              type="checkbox"
              role="switch"
              aria-checked={settings[key]}
              checked={settings[key]}
              onChange={(e) => void toggle(key, e.target.checked)}
            />
            <span>{label}</span>
          </label>
          {applied ? (
            <span className="muted small" data-applied={key}>
              Browser: {appliedText(applied[key])}
            </span>
          ) : null}
        </div>
      ))}
      <StrongNoiseSwitch />
    </fieldset>
  );
}

function strongStatus(state: { enabled: boolean; active: boolean; failed: boolean }): string {
  if (state.failed) return 'RNNoise: not available in this browser';
  if (state.active) return 'RNNoise: on';
  return state.enabled ? 'RNNoise: starts with the microphone' : 'RNNoise: off';
}

/** RNNoise on top of the browser's suppression: for fans, keyboards and busy rooms. */
function StrongNoiseSwitch() {
  const app = useApp();
  const filter = useStore(app.noiseFilter);
  return (
    <div className="audio-switch">
      <label className="checkbox">
        <input
          type="checkbox"
          role="switch"
          aria-checked={filter.enabled}
          checked={filter.enabled}
          onChange={(e) => void app.setStrongNoiseSuppression(e.target.checked)}
        />
        <span>Strong noise suppression</span>
      </label>
      <span className="muted small" data-applied="strongNoiseSuppression" aria-live="polite">
        {strongStatus(filter)}
      </span>
    </div>
  );
}
