'use client';
import { AudioProcessingSwitches } from './audio-processing';

/** The less used voice settings, folded away in the control bar. */
export function AudioSettings() {
  return (
    <details className="audio-settings">
      <summary className="button small">Audio settings</summary>
      <div className="card audio-settings-panel">
        <AudioProcessingSwitches />
      </div>
    </details>
  );
}
