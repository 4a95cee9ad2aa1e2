'use client';
import { useRef } from 'react';
import { formatDuration } from '../calls/direct-call';
import { SELF_LEVEL_ID } from '../client/app-client';
import { AudioSettings } from './audio-settings';
import { Avatar } from './avatar';
import { ChatPanel } from './chat-panel';
import { DeafenButton } from './deafen-button';
import { useAction, useConnection, useNow, useSpeaking, useStore } from './hooks';
import { DeviceSelects, LeaveIcon, MuteButton, PeerStateBadge } from './media-controls';
import { PersonMenu } from './person-menu';
import { PushToTalkStatus } from './push-to-talk';
import { PeerQuality, SelfQuality } from './quality-badge';
import { SafetyCode } from './safety-code';
import { useModal } from './use-modal';

export function CallView() {
  const connection = useConnection();
  const call = useStore(connection.call);
  // Two booleans, not the speaking set: other ids' changes do not re-render the call.
  const peerSpeaking = useSpeaking(call.phase === 'idle' ? '' : call.peer.id);
  const selfSpeaking = useSpeaking(SELF_LEVEL_ID);
  const peerMuted = useStore(connection.callMute);
  const run = useAction();
  const now = useNow();

  if (call.phase === 'outgoing') {
    return (
      <main className="page center call" aria-labelledby="call-heading">
        <Avatar name={call.peer.displayName} size="large" />
        <h1 id="call-heading" tabIndex={-1}>
          {call.peer.displayName}
        </h1>
        <p className="call-status" aria-live="polite">
          <span className="progress" aria-hidden="true" /> Calling…
        </p>
        <button
          type="button"
          className="button danger"
          onClick={() => void run(() => connection.call.cancel())}
        >
          Cancel
        </button>
      </main>
    );
  }
  if (call.phase !== 'active') return null;
  const peer = call.peers[0];
  return (
    <main className="page center call" aria-labelledby="call-heading">
      <Avatar name={call.peer.displayName} size="large" speaking={peerSpeaking} />
      <h1 id="call-heading" tabIndex={-1}>
        {call.peer.displayName}
      </h1>
      <p className="call-status">
        <span className="sr-only">Duration </span>
        <time data-testid="call-duration">{formatDuration(now - call.answeredAt)}</time>
        {' · '}
        <PeerStateBadge state={peer?.state} />
        {' · '}
        <PeerQuality userId={call.peer.id} />
      </p>
      {peerMuted.peerMuted && peerMuted.callId === call.callId ? (
        <p className="badge badge-muted" data-testid="peer-muted">
          {call.peer.displayName} is muted
        </p>
      ) : null}
      <PushToTalkStatus />
      <SafetyCode userId={call.peer.id} name={call.peer.displayName} />
      <PersonMenu userId={call.peer.id} name={call.peer.displayName} />
      {selfSpeaking && !call.selfMuted ? <p className="muted small">You are speaking</p> : null}
      <ChatPanel chat={connection.callChat} />
      <div className="controls" role="toolbar" aria-label="Call controls">
        <MuteButton muted={call.selfMuted} onToggle={(muted) => connection.call.setMuted(muted)} />
        <DeviceSelects />
        <DeafenButton />
        <AudioSettings />
        <SelfQuality />
        <button
          type="button"
          className="button round danger"
          title="Hang up"
          onClick={() => void run(() => connection.call.hangUp())}
        >
          <LeaveIcon />
          <span className="button-label">Hang up</span>
        </button>
      </div>
    </main>
  );
}

export function IncomingCallDialog() {
  const connection = useConnection();
  const call = useStore(connection.call);
  const run = useAction();
  const acceptRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  // This component stays mounted between calls: each ring is a new opening of the dialog.
  const ringing = call.phase === 'incoming' ? call.callId : null;
  useModal(ringing, dialogRef, acceptRef, () => void run(() => connection.call.decline()));
  if (call.phase !== 'incoming') return null;
  return (
    <div className="dialog-backdrop">
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby="incoming-heading"
        aria-describedby="incoming-desc"
        className="card dialog"
      >
        <Avatar name={call.peer.displayName} size="large" />
        <h2 id="incoming-heading">Incoming call from {call.peer.displayName}</h2>
        <p id="incoming-desc" className="muted ringing">
          Ringing…
        </p>
        <div className="dialog-actions">
          <button
            type="button"
            className="button danger button-wide"
            onClick={() => void run(() => connection.call.decline())}
          >
            Decline
          </button>
          <button
            ref={acceptRef}
            type="button"
            className="button success button-wide"
            onClick={() => void run(() => connection.call.accept())}
          >
            Accept
          </button>
        </div>
      </div>
    </div>
  );
}
