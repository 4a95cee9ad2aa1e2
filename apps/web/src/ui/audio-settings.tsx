'use client';
import { AudioProcessingSwitches } from './audio-processing';
import { CheckDevicesSetting } from './device-check';
import { PushToTalkSetting } from './push-to-talk';

/** The less used voice settings, folded away behind one button of the control bar. */
export function AudioSettings() {
  return (
    <details className="audio-settings">
      <summary className="button round" title="Audio settings">
        <SlidersIcon />
        <span className="button-label">Audio settings</span>
      </summary>
      <div className="card audio-settings-panel">
        <PushToTalkSetting />
        <AudioProcessingSwitches />
        <CheckDevicesSetting />
      </div>
    </details>
  );
}

function SlidersIcon() {
  return (
    <svg
      aria-hidden="true"
      className="icon"
      viewBox="0 0 24 24"
      width="18"
      height="18"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
    >
      <path d="M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0" />
      <circle cx="16" cy="6" r="2" />
      <circle cx="10" cy="12" r="2" />
      <circle cx="18" cy="18" r="2" />
    </svg>
  );
}
