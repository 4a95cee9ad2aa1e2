'use client';
import { useConnection, useStore } from './hooks';

/**
 * "Safety code with <name>": the code both people read to each other (verify/handshake.ts).
 * An <output> (the result of a computation; role status) named by the fixed label: a screen
 * reader announces the code when it arrives, and finds it by name whatever state it is in.
 */
export function SafetyCode({ userId, name }: { userId: string; name: string }) {
  const connection = useConnection();
  const state = useStore(connection.safety).get(userId);
  if (!state) return null;
  const failed = state.status === 'failed';
  const newDevice = state.status === 'verified' && state.newDevice;
  return (
    <div className={`safety-code${failed ? ' safety-code-failed' : ''}`}>
      <span className="safety-code-label" aria-hidden="true">
        Safety code with {name}
      </span>
      <output
        aria-label={`Safety code with ${name}`}
        className="safety-code-value"
        title={failed ? `Why: ${state.reason}` : undefined}
      >
        {state.status === 'verified' ? state.code : failed ? 'Could not verify' : 'Checking…'}
      </output>
      {newDevice ? <span className="badge badge-warn">New device</span> : null}
      <p className="safety-code-help muted small">
        {failed
          ? `The connection to ${name} could not be checked, so someone may be listening in. Hang up and call again.`
          : `Compare this code with ${name} by voice. If it matches, nobody is listening in.`}
        {newDevice
          ? ` ${name} is on a new device or browser since your last call: compare it again.`
          : null}
      </p>
    </div>
  );
}
