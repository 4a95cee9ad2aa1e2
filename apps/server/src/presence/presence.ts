import type { PresenceEntry, PresenceStatus } from '@openwcall/shared';

/*
 * Presence of one user: the sockets they are connected with, the status they chose, and
 * where they are (room, calls), from which `inCall` is derived. A user with a session is
 * online; the session is removed once their last socket has been gone for the grace.
 */

export type ChosenStatus = Exclude<PresenceStatus, 'offline'>;

export interface UserSession {
  readonly userId: string;
  readonly displayName: string;
  readonly status: ChosenStatus;
  /** Connected, authenticated sockets, oldest first. */
  readonly sockets: readonly string[];
  /**
   * The socket whose disconnect left the user with none. Only that socket's grace timer
   * may take the user offline: an earlier timer firing means a later socket is still
   * within its grace.
   */
  readonly lastSocketGone: string | null;
  /** The room the user has a seat in. */
  readonly roomId: string | null;
  /** Ringing or accepted calls the user is a party of (finished calls are forgotten). */
  readonly callIds: readonly string[];
}

export function createSession(userId: string, displayName: string): UserSession {
  return {
    userId,
    displayName,
    status: 'online',
    sockets: [],
    lastSocketGone: null,
    roomId: null,
    callIds: [],
  };
}

export function addSocket(session: UserSession, socketId: string): UserSession {
  const sockets = session.sockets.includes(socketId)
    ? session.sockets
    : [...session.sockets, socketId];
  return { ...session, sockets, lastSocketGone: null };
}

export function removeSocket(session: UserSession, socketId: string): UserSession {
  if (!session.sockets.includes(socketId)) return session;
  const sockets = session.sockets.filter((id) => id !== socketId);
  return {
    ...session,
    sockets,
    lastSocketGone: sockets.length === 0 ? socketId : session.lastSocketGone,
  };
}

export function isConnected(session: UserSession, socketId: string): boolean {
  return session.sockets.includes(socketId);
}

export function presenceEntry(session: UserSession, inCall: boolean): PresenceEntry {
  return {
    userId: session.userId,
    displayName: session.displayName,
    status: session.status,
    inCall,
    // Extension: the lobby offers "In <room> → Join"; rooms are listed to everyone anyway.
    ...(session.roomId !== null ? { roomId: session.roomId } : {}),
  };
}

export function samePresence(a: PresenceEntry | null, b: PresenceEntry | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.userId === b.userId &&
    a.displayName === b.displayName &&
    a.status === b.status &&
    a.inCall === b.inCall &&
    a.roomId === b.roomId
  );
}

/**
 * The entry to put in a delta for a user whose presence went from `before` to `after`
 * (null = offline), or null when nothing a client can see changed.
 */
export function presenceChange(
  before: PresenceEntry | null,
  after: PresenceEntry | null,
): PresenceEntry | null {
  if (samePresence(before, after)) return null;
  if (after) return after;
  // Went offline; `before` is non-null here because the two differ.
  if (!before) return null;
  const { roomId: _left, ...rest } = before;
  return { ...rest, status: 'offline', inCall: false };
}
