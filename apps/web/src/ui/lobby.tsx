'use client';
import type { CallHistoryEntry, PresenceEntry, RoomSummary } from '@openwcall/shared';
import { type FormEvent, useState } from 'react';
import { AppError } from '../base/errors';
import { formatDuration } from '../calls/direct-call';
import { relativeTime } from '../lobby/relative-time';
import { Avatar } from './avatar';
import { useAction, useApp, useConnection, useNow, useStore } from './hooks';
import { PrivacySetting } from './privacy-setting';

const STATUS_TEXT = { online: 'Online', away: 'Away', busy: 'Busy', offline: 'Offline' } as const;

export function Lobby() {
  return (
    <main className="page lobby">
      <People />
      <Rooms />
      <History />
      <PrivacySetting />
    </main>
  );
}

function People() {
  const app = useApp();
  const connection = useConnection();
  const lobby = useStore(connection.lobby);
  const room = useStore(connection.room);
  const session = useStore(app.session);
  const run = useAction();
  const me = session.status === 'signed-in' ? session.user.id : null;
  const others = lobby.people.filter((p) => p.userId !== me);
  const roomsById = new Map(lobby.rooms.map((r) => [r.id, r] as const));
  const [permission, setPermission] = useState(() =>
    typeof Notification === 'undefined' ? 'denied' : Notification.permission,
  );

  return (
    <section className="card" aria-labelledby="people-heading">
      <h2 id="people-heading" tabIndex={-1}>
        People
      </h2>
      {!lobby.loaded ? (
        <p className="muted loading-line" aria-busy="true">
          <span className="progress" aria-hidden="true" /> Loading who is online…
        </p>
      ) : others.length === 0 ? (
        <p className="empty">
          <strong>Nobody else here yet.</strong>
          <span className="muted">Invite a teammate to sign up; they will show up here.</span>
        </p>
      ) : (
        <ul className="list">
          {others.map((person) => (
            <PersonRow
              key={person.userId}
              person={person}
              room={person.roomId ? roomsById.get(person.roomId) : undefined}
              joining={room.phase !== 'idle'}
              onCall={() =>
                run(() =>
                  connection.call.invite({ id: person.userId, displayName: person.displayName }),
                )
              }
              onJoin={(roomId) => run(() => connection.joinCheck.request(roomId))}
            />
          ))}
        </ul>
      )}
      {permission === 'default' ? (
        <button
          type="button"
          className="link-button small"
          onClick={() => void Notification.requestPermission().then(setPermission)}
        >
          Notify me of calls while this tab is in the background
        </button>
      ) : null}
    </section>
  );
}

function PersonRow({
  person,
  room,
  joining,
  onCall,
  onJoin,
}: {
  person: PresenceEntry;
  room: RoomSummary | undefined;
  joining: boolean;
  onCall: () => void;
  onJoin: (roomId: string) => void;
}) {
  const offline = person.status === 'offline';
  const closed = room ? room.locked || room.participantCount >= room.maxParticipants : false;
  return (
    <li
      className={`row person${offline ? ' row-offline' : ''}`}
      data-status={person.status}
      data-user-id={person.userId}
    >
      <Avatar name={person.displayName} status={person.status} />
      <div className="row-main">
        <span className="row-title">{person.displayName}</span>
        <span className="row-sub">
          <span className={`status-text status-${person.status}`}>
            {STATUS_TEXT[person.status]}
          </span>
          {room ? (
            <span className="in-room">In {room.name}</span>
          ) : person.inCall ? (
            <span className="badge">In a call</span>
          ) : null}
        </span>
      </div>
      {room ? (
        <button
          type="button"
          className="button small"
          onClick={() => onJoin(room.id)}
          disabled={joining || closed}
          title={closed ? (room.locked ? 'The room is locked' : 'The room is full') : undefined}
        >
          <span aria-hidden="true">→ </span>Join
          <span className="sr-only">
            {' '}
            {person.displayName} in {room.name}
          </span>
        </button>
      ) : (
        <button type="button" className="button small" onClick={onCall} disabled={offline}>
          Call<span className="sr-only"> {person.displayName}</span>
        </button>
      )}
    </li>
  );
}

function Rooms() {
  const connection = useConnection();
  const lobby = useStore(connection.lobby);
  const room = useStore(connection.room);
  const run = useAction();
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const joining = room.phase === 'joining';

  function create(event: FormEvent) {
    event.preventDefault();
    setNameError(null);
    // Sent as typed: the server's schema trims and says what is wrong with the name.
    void run(async () => {
      try {
        await connection.room.create(name);
        setName('');
      } catch (error) {
        if (error instanceof AppError && error.field === 'name') setNameError(error.message);
        else throw error;
      }
    });
  }

  return (
    <section className="card" aria-labelledby="rooms-heading">
      <h2 id="rooms-heading" tabIndex={-1}>
        Rooms
      </h2>
      <form className="create-room" onSubmit={create}>
        <label className="field grow">
          <span>Room name</span>
          <input
            name="roomName"
            maxLength={64}
            required
            placeholder="e.g. Stand-up"
            value={name}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? 'room-name-error' : undefined}
            onChange={(e) => {
              setName(e.target.value);
              setNameError(null);
            }}
          />
          {nameError ? (
            <small id="room-name-error" className="form-error" role="alert">
              {nameError}
            </small>
          ) : null}
        </label>
        <button type="submit" className="button primary" disabled={joining}>
          Create room
        </button>
      </form>
      {!lobby.loaded ? (
        <p className="muted loading-line" aria-busy="true">
          <span className="progress" aria-hidden="true" /> Loading rooms…
        </p>
      ) : lobby.rooms.length === 0 ? (
        <p className="empty">
          <strong>No open rooms.</strong>
          <span className="muted">Create one above and others can drop in.</span>
        </p>
      ) : (
        <ul className="list">
          {lobby.rooms.map((summary) => (
            <RoomRow
              key={summary.id}
              room={summary}
              removed={connection.room.wasRemovedFrom(summary.id)}
              disabled={joining}
              onJoin={() => run(() => connection.joinCheck.request(summary.id))}
            />
          ))}
        </ul>
      )}
      {joining ? (
        <p className="muted loading-line" aria-busy="true">
          <span className="progress" aria-hidden="true" /> Joining…
        </p>
      ) : null}
    </section>
  );
}

function RoomRow({
  room,
  onJoin,
  disabled,
  removed,
}: {
  room: RoomSummary;
  onJoin: () => void;
  disabled: boolean;
  removed: boolean;
}) {
  const full = room.participantCount >= room.maxParticipants;
  const why = removed
    ? 'The host removed you from this room'
    : room.locked
      ? 'The room is locked'
      : full
        ? 'The room is full'
        : undefined;
  return (
    <li className="row">
      <span className="room-icon" aria-hidden="true">
        #
      </span>
      <div className="row-main">
        <span className="row-title">{room.name}</span>
        <span className="row-sub">
          <span>
            {room.participantCount} / {room.maxParticipants} people
          </span>
          {room.locked ? <span className="badge badge-warn">Locked</span> : null}
          {full ? <span className="badge badge-warn">Full</span> : null}
        </span>
      </div>
      {/* A locked, full or removed-from room cannot be joined: say so on the button instead of offering a
          click that can only fail (the badge next to the count says it too). */}
      <button
        type="button"
        className="button small"
        onClick={onJoin}
        disabled={disabled || why !== undefined}
        title={why}
      >
        Join<span className="sr-only"> {room.name}</span>
      </button>
    </li>
  );
}

const OUTCOME_TEXT: Record<CallHistoryEntry['outcome'], string> = {
  ringing: 'Ringing',
  accepted: 'In progress',
  declined: 'Declined',
  cancelled: 'Cancelled',
  missed: 'Missed',
  ended: 'Answered',
};

function History() {
  const app = useApp();
  const connection = useConnection();
  const lobby = useStore(connection.lobby);
  const session = useStore(app.session);
  const run = useAction();
  // Relative times ("5 minutes ago") move on while the lobby is open.
  const now = useNow(30_000);
  const me = session.status === 'signed-in' ? session.user.id : null;
  const statusOf = (id: string) =>
    lobby.people.find((p) => p.userId === id)?.status ?? ('offline' as const);
  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading">Recent calls</h2>
      {lobby.historyError ? (
        <p className="form-error">{lobby.historyError}</p>
      ) : lobby.history === null ? (
        <p className="muted loading-line" aria-busy="true">
          <span className="progress" aria-hidden="true" /> Loading call history…
        </p>
      ) : lobby.history.length === 0 ? (
        <p className="empty">
          <strong>No calls yet.</strong>
          <span className="muted">Calls you make or get are listed here.</span>
        </p>
      ) : (
        <ul className="list">
          {lobby.history.map((entry) => {
            const status = statusOf(entry.peer.id);
            return (
              <li key={entry.callId} className="row">
                <span
                  className={`direction direction-${entry.direction}`}
                  title={entry.direction === 'outgoing' ? 'Outgoing call' : 'Incoming call'}
                >
                  {entry.direction === 'outgoing' ? '↗' : '↙'}
                </span>
                <div className="row-main">
                  <span className="row-title">{entry.peer.displayName}</span>
                  <span className="row-sub">
                    <span className={`outcome outcome-${entry.outcome}`}>
                      {entry.direction === 'outgoing' ? 'Outgoing' : 'Incoming'} ·{' '}
                      {OUTCOME_TEXT[entry.outcome]}
                    </span>
                    {entry.durationSeconds > 0 ? (
                      <span>{formatDuration(entry.durationSeconds * 1000)}</span>
                    ) : null}
                    <time
                      dateTime={entry.startedAt}
                      title={new Date(entry.startedAt).toLocaleString()}
                    >
                      {relativeTime(Date.parse(entry.startedAt), now)}
                    </time>
                  </span>
                </div>
                {entry.peer.id !== me ? (
                  <button
                    type="button"
                    className="button small"
                    disabled={status === 'offline'}
                    title={
                      status === 'offline' ? `${entry.peer.displayName} is offline` : undefined
                    }
                    onClick={() => run(() => connection.call.invite(entry.peer))}
                  >
                    Call back<span className="sr-only"> {entry.peer.displayName}</span>
                  </button>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
