'use client';
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import { toAppError } from '../base/errors';
import { useConnection, useStore } from './hooks';

/** The room id of the invite link the page was opened with (/r/<roomId>), if any. */
export const InviteContext = createContext<{ roomId: string | null; done: () => void }>({
  roomId: null,
  done: () => {},
});

export function inviteUrl(roomId: string): string {
  return `${window.location.origin}/r/${encodeURIComponent(roomId)}`;
}

/** Holds the invite until it is used, then puts the address back to the lobby's. */
export function useInviteState(initial: string | undefined) {
  const [roomId, setRoomId] = useState<string | null>(initial ?? null);
  return {
    roomId,
    done: () => {
      setRoomId(null);
      if (window.location.pathname.startsWith('/r/')) window.history.replaceState(null, '', '/');
    },
  };
}

export function usePendingInvite(): string | null {
  return useContext(InviteContext).roomId;
}

const REFUSALS: Record<string, string> = {
  ROOM_LOCKED: 'This room is locked by its host, so nobody new can join right now.',
  ROOM_FULL: 'This room is full.',
  ROOM_NOT_FOUND: 'This room has closed (everyone left), or the link is wrong.',
  ROOM_BANNED: 'The host removed you from this room, so you cannot rejoin it.',
  BUSY: 'You are in a call. Hang up first, then open the link again.',
};

/** Joins the invited room once signed in; says why when the room cannot be joined. */
export function InviteJoin({ roomId }: { roomId: string }) {
  const connection = useConnection();
  const invite = useContext(InviteContext);
  const signaling = useStore(connection.signaling);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const started = useRef(-1);
  const ready = signaling.status === 'ready';

  useEffect(() => {
    if (!ready || started.current === attempt) return;
    started.current = attempt;
    setRefusal(null);
    // Through the device check like a Join in the lobby; its Cancel leads to the lobby too.
    connection.joinCheck
      .request(roomId)
      .then(() => invite.done())
      .catch((error: unknown) => {
        const appError = toAppError(error);
        setRefusal(REFUSALS[appError.code] ?? appError.message);
      });
  }, [ready, attempt, roomId, connection, invite]);

  return (
    <main className="page center" aria-labelledby="invite-heading" aria-busy={refusal === null}>
      <h1 id="invite-heading">{refusal ? 'You cannot join this room' : 'Joining the room…'}</h1>
      {refusal ? (
        <>
          <p role="alert">{refusal}</p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setAttempt((n) => n + 1)}>
              Try again
            </button>
            <button type="button" className="button primary" onClick={() => invite.done()}>
              Go to the lobby
            </button>
          </div>
        </>
      ) : (
        <div className="spinner" aria-hidden="true" />
      )}
    </main>
  );
}

/** "Copy invite link", with the link itself shown for copying by hand. */
export function CopyInviteLink({ roomId }: { roomId: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const url = inviteUrl(roomId);
  return (
    <div className="invite-link">
      <label className="inline-field">
        <span>Invite link</span>
        <input readOnly value={url} onFocus={(e) => e.target.select()} />
      </label>
      <button
        type="button"
        className="button small"
        onClick={() => {
          navigator.clipboard
            .writeText(url)
            .then(() => setCopied('yes'))
            .catch(() => setCopied('no'));
        }}
      >
        Copy invite link
      </button>
      <span className="muted small" aria-live="polite">
        {copied === 'yes' ? 'Link copied' : copied === 'no' ? 'Copy it from the field' : ''}
      </span>
    </div>
  );
}
