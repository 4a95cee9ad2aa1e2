'use client';
import { useEffect, useRef, useState } from 'react';
import { LevelMeter } from '../media/level-meter';
import { playTestSound } from '../media/test-sound';
import { useApp, useConnection, useStore } from './hooks';
import { DeviceSelects } from './media-controls';
import { useModal } from './use-modal';

/** "Always check devices before joining": in the check itself and in the audio settings. */
export function CheckDevicesSetting() {
  const app = useApp();
  const settings = useStore(app.voiceSettings);
  return (
    <label className="checkbox">
      <input
        type="checkbox"
        checked={settings.checkDevices}
        onChange={(e) => app.voiceSettings.update({ checkDevices: e.target.checked })}
      />
      Always check devices before joining
    </label>
  );
}

/**
 * The device check between a Join and the join (as Meet's green room): microphone and speaker,
 * the microphone's live level, a test sound on the chosen speaker, and whether to join muted.
 * The microphone opened here is the one the room then sends.
 */
export function DeviceCheckDialog() {
  const app = useApp();
  const connection = useConnection();
  const { roomId } = useStore(connection.joinCheck);
  const lobby = useStore(connection.lobby);
  const microphone = useStore(app.microphone);
  const [muted, setMuted] = useState(() => app.voiceSettings.getSnapshot().joinMuted);
  const [meter] = useState(() => new LevelMeter(app.audioContext));
  const level = useStore(meter);
  const [sound, setSound] = useState<'idle' | 'playing' | 'failed'>('idle');
  const dialogRef = useRef<HTMLDivElement>(null);
  const joinRef = useRef<HTMLButtonElement>(null);
  const stream = microphone.stream;

  useEffect(() => {
    meter.measure(stream);
    return () => meter.stop();
  }, [meter, stream]);

  useModal(roomId, dialogRef, joinRef, () => connection.joinCheck.cancel());

  const roomName = lobby.rooms.find((r) => r.id === roomId)?.name;
  const playSound = () => {
    setSound('playing');
    playTestSound(microphone.outputId).then(
      () => setSound('idle'),
      () => setSound('failed'),
    );
  };

  return (
    <div className="dialog-backdrop">
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby="device-check-heading"
        aria-describedby="device-check-desc"
        className="card dialog device-check"
      >
        <h2 id="device-check-heading">Check your devices</h2>
        <p id="device-check-desc" className="muted">
          {roomName ? `Before you join ${roomName}.` : 'Before you join the room.'}
        </p>
        <DeviceSelects />
        {stream ? (
          <label className="field">
            <span>Microphone level</span>
            <meter
              className="level-meter"
              min={0}
              max={1}
              low={0.25}
              high={0.9}
              optimum={0.5}
              value={level}
            />
            <small className="muted">Say something: the bar should move.</small>
          </label>
        ) : (
          <p className="muted">
            Waiting for the microphone… If the browser asks, allow it. Without one you can still
            join and listen.
          </p>
        )}
        <div className="device-check-sound">
          <button
            type="button"
            className="button"
            disabled={sound === 'playing'}
            onClick={playSound}
          >
            {sound === 'playing' ? 'Playing test sound…' : 'Play test sound'}
          </button>
          <span className="muted small" aria-live="polite">
            {sound === 'failed' ? 'The test sound could not play on this speaker.' : ''}
          </span>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={muted} onChange={(e) => setMuted(e.target.checked)} />
          Join muted
        </label>
        <CheckDevicesSetting />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => connection.joinCheck.cancel()}>
            Cancel
          </button>
          <button
            ref={joinRef}
            type="button"
            className="button primary"
            onClick={() => connection.joinCheck.confirm(muted)}
          >
            Join now
          </button>
        </div>
      </div>
    </div>
  );
}
