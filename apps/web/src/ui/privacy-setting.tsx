'use client';
import { buildIceServers, hasTurnServer } from '../rtc';
import { useApp, useConnection, useStore } from './hooks';

/** "Hide my IP address": offered only when a TURN server exists to relay through. */
export function PrivacySetting() {
  const app = useApp();
  const connection = useConnection();
  const signaling = useStore(connection.signaling);
  const hideIp = useStore(app.hideIp);
  const servers = buildIceServers(signaling.iceServers as RTCIceServer[], app.config.turn);
  if (!hasTurnServer(servers)) return null;
  return (
    <section className="card" aria-labelledby="privacy-heading">
      <h2 id="privacy-heading">Privacy</h2>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={hideIp}
          onChange={(e) => app.hideIp.set(e.target.checked)}
        />
        <span>Hide my IP address</span>
      </label>
      <p className="hint">
        Calls go through the relay server, so others never learn your address. Audio may take a
        little longer to start. Applies to calls you join from now on.
      </p>
    </section>
  );
}
