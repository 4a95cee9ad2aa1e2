/**
 * The error-code catalog of the wire contract (PROTOCOL.md "Error codes").
 * Every failure the server reports, over HTTP or Socket.IO, carries one of these codes.
 * `status` is the HTTP status used when the code is returned by an HTTP route.
 */
export const ERROR_CATALOG = {
  UNAUTHENTICATED: { status: 401, message: 'Sign in first, or your session has expired.' },
  VALIDATION_FAILED: { status: 400, message: 'The request is malformed.' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do that.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; slow down.' },
  ROOM_NOT_FOUND: { status: 404, message: 'That room does not exist or has closed.' },
  ROOM_FULL: { status: 409, message: 'That room is full.' },
  ROOM_LOCKED: { status: 423, message: 'That room is locked by its host.' },
  ROOM_BANNED: { status: 403, message: 'The host removed you from that room.' },
  NOT_IN_ROOM: { status: 409, message: 'That person is not in the room.' },
  INVALID_TARGET: { status: 400, message: 'You cannot do that to yourself.' },
  USER_NOT_FOUND: { status: 404, message: 'No such user.' },
  USER_OFFLINE: { status: 409, message: 'That person is offline.' },
  USER_BUSY: { status: 409, message: 'That person is busy.' },
  BUSY: { status: 409, message: 'You are already in a room or a call.' },
  CALL_NOT_FOUND: { status: 404, message: 'That call does not exist or has finished.' },
  CALL_NOT_RINGING: { status: 409, message: 'That call is no longer ringing.' },
  NOT_PEER: { status: 403, message: 'You are not connected to that person.' },
  // Extension: the peer's seat or call is held for its reconnect grace, but no socket carries
  // it right now; the signal was not delivered. Re-offer when the peer is back.
  PEER_UNREACHABLE: { status: 409, message: 'That person is reconnecting; try again shortly.' },
  // Extension: the user (MAX_SOCKETS_PER_USER) or the address (MAX_SOCKETS_PER_IP) has too
  // many connections open; close one (another tab or device) first.
  TOO_MANY_CONNECTIONS: {
    status: 429,
    message: 'Too many connections open; close another tab or device.',
  },
  // Extension: shared state (Redis) cannot be reached; nothing changed. Retry later.
  UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable; try again.' },
  // Extensions (accounts and admin, ACCOUNTS-API.md): who may sign up, disabled accounts,
  // one-time links. The 410s name what is wrong with the link in their message.
  REGISTRATION_CLOSED: {
    status: 403,
    message: 'Sign-up is closed on this server; ask an admin for an account.',
  },
  INVITE_REQUIRED: { status: 403, message: 'Sign-up needs an invitation link from an admin.' },
  INVITE_INVALID: { status: 410, message: 'This invitation link is not valid.' },
  RESET_LINK_INVALID: {
    status: 410,
    message: 'This password reset link is unknown, expired or already used.',
  },
  ACCOUNT_DISABLED: { status: 403, message: 'This account has been disabled by an admin.' },
  EMAIL_TAKEN: { status: 409, message: 'An account with that email already exists.' },
  INVALID_CREDENTIALS: { status: 401, message: 'Wrong email or password.' },
  NOT_FOUND: { status: 404, message: 'Not found.' },
  INTERNAL: { status: 500, message: 'Something went wrong on the server.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export const ERROR_CODES = Object.keys(ERROR_CATALOG) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOG, value);
}
