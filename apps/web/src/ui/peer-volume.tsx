'use client';
import { useApp, useStore } from './hooks';

/** "Volume for <name>" (0–200 %) and "Mute for me": only this browser hears the change. */
export function PeerVolumeControl({ userId, name }: { userId: string; name: string }) {
  const app = useApp();
  useStore(app.volumes);
  const volume = app.volumes.get(userId);
  return (
    <div className="peer-volume">
      <label className="peer-volume-slider">
        <span className="sr-only">Volume for {name}</span>
        <input
          type="range"
          min={0}
          max={200}
          step={5}
          value={volume.percent}
          aria-label={`Volume for ${name}`}
          aria-valuetext={`${volume.percent}%`}
          disabled={volume.mutedForMe}
          onChange={(e) => app.volumes.setPercent(userId, Number(e.target.value))}
        />
        <span className="peer-volume-value" aria-hidden="true">
          {volume.percent}%
        </span>
      </label>
      <button
        type="button"
        className="button small"
        aria-pressed={volume.mutedForMe}
        onClick={() => app.volumes.setMutedForMe(userId, !volume.mutedForMe)}
      >
        Mute for me
      </button>
    </div>
  );
}
