'use client';
import { useEffect, useRef, useState } from 'react';
import type { PeerState } from '../rtc';
import { useApp, useConnection, useStore } from './hooks';

export function DeviceSelects() {
  const app = useApp();
  const connection = useConnection();
  const microphone = useStore(app.microphone);
  useEffect(() => {
    void app.microphone.refreshDevices();
  }, [app]);
  return (
    <div className="device-selects">
      <DeviceSelect
        label="Microphone"
        defaultLabel="Default microphone"
        value={microphone.inputId}
        devices={microphone.inputs}
        onSelect={(id) => void connection.selectMicrophone(id)}
      />
      {microphone.outputSelectable ? (
        <DeviceSelect
          label="Speaker"
          defaultLabel="Default speaker"
          value={microphone.outputId}
          devices={microphone.outputs}
          onSelect={(id) => app.microphone.selectOutput(id)}
        />
      ) : null}
    </div>
  );
}

/** A labelled device select; "" is the system default (listed once, not as `default`). */
function DeviceSelect({
  label,
  defaultLabel,
  value,
  devices,
  onSelect,
}: {
  label: string;
  defaultLabel: string;
  value: string;
  devices: readonly { deviceId: string; label: string }[];
  onSelect: (deviceId: string) => void;
}) {
  return (
    <label className="inline-field device-field">
      <span className="field-label">{label}</span>
      <select value={value} onChange={(e) => onSelect(e.target.value)}>
        <option value="">{defaultLabel}</option>
        {devices
          .filter((d) => d.deviceId !== 'default')
          .map((device) => (
            <option key={device.deviceId} value={device.deviceId}>
              {device.label}
            </option>
          ))}
      </select>
    </label>
  );
}

/**
 * The self mute button with the M shortcut; the change is announced in a live region.
 * Its accessible name is exactly "Mute" or "Unmute".
 */
export function MuteButton({
  muted,
  onToggle,
}: {
  muted: boolean;
  onToggle: (muted: boolean) => void;
}) {
  const [announcement, setAnnouncement] = useState('');
  const latest = useRef({ muted, onToggle });
  latest.current = { muted, onToggle };

  useEffect(() => {
    setAnnouncement(muted ? 'Microphone muted' : 'Microphone on');
  }, [muted]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'm' && event.key !== 'M') return;
      if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      event.preventDefault();
      latest.current.onToggle(!latest.current.muted);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <>
      <button
        type="button"
        className={`button round ${muted ? 'danger' : ''}`}
        aria-keyshortcuts="M"
        title={muted ? 'Unmute (M)' : 'Mute (M)'}
        onClick={() => onToggle(!muted)}
      >
        <MicIcon off={muted} />
        <span className="button-label">{muted ? 'Unmute' : 'Mute'}</span>
      </button>
      <span className="sr-only" aria-live="polite">
        {announcement}
      </span>
    </>
  );
}

const PEER_STATE_TEXT: Record<PeerState, string> = {
  new: 'Connecting…',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  failed: 'Connection failed',
  closed: 'Disconnected',
};

export function PeerStateBadge({ state }: { state: PeerState | undefined }) {
  const value = state ?? 'new';
  const busy = value === 'new' || value === 'connecting' || value === 'reconnecting';
  return (
    <span className={`peer-state peer-${value}`} data-peer-state={value}>
      {busy ? <span className="progress" aria-hidden="true" /> : null}
      {PEER_STATE_TEXT[value]}
    </span>
  );
}

/** A handset laid down: leaving a room or hanging up. */
export function LeaveIcon() {
  return (
    <svg aria-hidden="true" className="icon" viewBox="0 0 24 24" width="20" height="20">
      <path
        fill="currentColor"
        d="M1.5 14.6v-2.1c0-.6.3-1.1.9-1.4C5.3 9.7 8.6 9 12 9s6.7.7 9.6 2.1c.6.3.9.8.9 1.4v2.1c0 .8-.7 1.4-1.5 1.3l-3.6-.6c-.7-.1-1.1-.7-1.1-1.3v-1.9a13.4 13.4 0 0 0-8.6 0V14c0 .6-.4 1.2-1.1 1.3l-3.6.6c-.8.1-1.5-.5-1.5-1.3z"
      />
    </svg>
  );
}

/** A microphone glyph (inline SVG: no icon font or emoji font needed). */
export function MicIcon({ off = false }: { off?: boolean }) {
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
      strokeLinejoin="round"
    >
      <rect x="9" y="2" width="6" height="12" rx="3" />
      <path d="M5 10v1a7 7 0 0 0 14 0v-1M12 18v4M8 22h8" />
      {off ? <path d="M3 3l18 18" /> : null}
    </svg>
  );
}
