'use client';
import type { Participant } from '@openwcall/shared';
import { memo, useRef } from 'react';
import { SELF_LEVEL_ID } from '../client/app-client';
import type { PeerState } from '../rtc';
import { AudioSettings } from './audio-settings';
import { Avatar } from './avatar';
import { ChatPanel } from './chat-panel';
import { DeafenButton } from './deafen-button';
import { useAction, useApp, useConnection, useSpeakingLight, useStore } from './hooks';
import { CopyInviteLink } from './invite';
import { DeviceSelects, LeaveIcon, MicIcon, MuteButton, PeerStateBadge } from './media-controls';
import { PersonMenu } from './person-menu';
import { PushToTalkStatus } from './push-to-talk';
import { PeerQuality, SelfQuality } from './quality-badge';
import { RoomAnnouncer } from './room-announcer';
import { SafetyCode } from './safety-code';

export function RoomView() {
  const app = useApp();
  const connection = useConnection();
  const view = useStore(connection.room);
  const session = useStore(app.session);
  const run = useAction();
  const me = session.status === 'signed-in' ? session.user.id : '';
  const room = view.room;

  if (!room) {
    return (
      <main className="page center" aria-busy="true">
        <div className="spinner" aria-hidden="true" />
        <p className="muted">Joining the room…</p>
      </main>
    );
  }

  const amHost = room.hostId === me;
  const host = room.participants.find((p) => p.userId === room.hostId);
  const peerStates = new Map<string, PeerState>(view.peers.map((p) => [p.userId, p.state]));
  const ordered = [
    ...room.participants.filter((p) => p.userId === me),
    ...room.participants.filter((p) => p.userId !== me),
  ];

  return (
    <main className="page room" aria-labelledby="room-heading">
      <div className="room-header">
        <div>
          <h1 id="room-heading" tabIndex={-1}>
            {room.name}
          </h1>
          <p className="muted">
            {room.participants.length} / {room.maxParticipants} people · Host:{' '}
            <strong data-testid="room-host">
              {host?.userId === me ? 'You' : (host?.displayName ?? '—')}
            </strong>
            {room.locked ? <span className="badge badge-warn">Locked</span> : null}
          </p>
        </div>
        {amHost ? (
          <button
            type="button"
            className="button"
            onClick={() => run(() => connection.room.setLocked(!room.locked))}
          >
            {room.locked ? 'Unlock room' : 'Lock room'}
          </button>
        ) : null}
      </div>

      {view.mutedByHost ? (
        <p className="inline-notice">Muted by the host. You can unmute yourself when needed.</p>
      ) : null}
      {view.noMicrophone ? (
        <p className="inline-notice">No microphone: you can listen but others cannot hear you.</p>
      ) : null}

      <CopyInviteLink roomId={room.id} />
      <RoomAnnouncer />
      <PushToTalkStatus />
      <ul className="tiles" aria-label="Participants">
        {ordered.map((participant) => (
          <ParticipantTile
            key={participant.userId}
            participant={participant}
            self={participant.userId === me}
            muted={participant.userId === me ? view.selfMuted : participant.muted}
            peerState={peerStates.get(participant.userId)}
            canModerate={amHost && participant.userId !== me}
          />
        ))}
      </ul>
      {room.participants.length === 1 ? (
        <p className="empty tile-alone">
          <strong>You are the only one here.</strong>
          <span className="muted">Others see this room in their lobby and can join it.</span>
        </p>
      ) : null}
      <ChatPanel chat={connection.roomChat} />

      <div className="controls" role="toolbar" aria-label="Call controls">
        <MuteButton
          muted={view.selfMuted}
          onToggle={(muted) => void run(() => connection.room.setMuted(muted))}
        />
        <DeviceSelects />
        <DeafenButton />
        <AudioSettings />
        <SelfQuality />
        <button
          type="button"
          className="button round danger"
          title="Leave room"
          onClick={() => void run(() => connection.room.leave())}
        >
          <LeaveIcon />
          <span className="button-label">Leave room</span>
        </button>
      </div>
    </main>
  );
}

/**
 * Memoised with primitive props: a peer's state change re-renders only the tile it concerns
 * (every mesh change used to re-render every tile), and the speaking light renders nothing
 * (useSpeakingLight).
 */
const ParticipantTile = memo(function ParticipantTile({
  participant,
  self,
  muted,
  peerState,
  canModerate,
}: {
  participant: Participant;
  self: boolean;
  muted: boolean;
  peerState: PeerState | undefined;
  canModerate: boolean;
}) {
  const connection = useConnection();
  const run = useAction();
  const tile = useRef<HTMLLIElement>(null);
  useSpeakingLight(tile, self ? SELF_LEVEL_ID : participant.userId, muted);
  const onMute = () => run(() => connection.room.muteParticipant(participant.userId));
  const onRemove = () => run(() => connection.room.removeParticipant(participant.userId));
  const name = participant.displayName;
  return (
    <li
      ref={tile}
      className={`tile${muted ? ' tile-muted' : ''}`}
      data-user-id={participant.userId}
      aria-label={`${name}${self ? ' (you)' : ''}`}
    >
      <Avatar name={name} size="large" />
      <div className="tile-name">
        <span className="tile-name-text" title={name}>
          {name}
        </span>
        {self ? <span className="muted"> (you)</span> : null}
      </div>
      <div className="tile-marks">
        {participant.isHost ? <span className="badge badge-host">Host</span> : null}
        {muted ? (
          <span className="badge badge-muted" title="Muted">
            <MicIcon off /> Muted
          </span>
        ) : null}
        {participant.deafened ? <span className="badge badge-muted">Deafened</span> : null}
        <span className="sr-only" data-speaking-text="" />
      </div>
      {self ? null : (
        <div className="tile-connection">
          <PeerStateBadge state={peerState} />
          <PeerQuality userId={participant.userId} />
        </div>
      )}
      {self ? null : (
        <PersonMenu
          userId={participant.userId}
          name={name}
          moderation={canModerate ? { canMute: !participant.muted, onMute, onRemove } : undefined}
        >
          <SafetyCode userId={participant.userId} name={name} />
        </PersonMenu>
      )}
    </li>
  );
});
