import { ERROR_CATALOG, type ErrorCode, isErrorCode } from '@openwcall/shared';

/** Codes the client itself produces besides the server's catalog. */
export type ClientErrorCode =
  | ErrorCode
  | 'TIMEOUT'
  | 'OFFLINE'
  | 'NETWORK'
  | 'ORIGIN_REFUSED'
  | 'MICROPHONE';

// Wording for a person in the middle of a call; the catalog's text is the fallback.
const MESSAGES: Partial<Record<ClientErrorCode, string>> = {
  UNAUTHENTICATED: 'Your session has expired. Please sign in again.',
  VALIDATION_FAILED: 'That request was not accepted. Check what you entered and try again.',
  RATE_LIMITED: 'Too many attempts. Please wait a moment and try again.',
  ROOM_NOT_FOUND: 'That room has closed.',
  ROOM_FULL: 'That room is full.',
  ROOM_LOCKED: 'That room is locked by its host.',
  ROOM_BANNED: 'The host removed you from that room, so you cannot rejoin it.',
  USER_OFFLINE: 'That person is offline right now.',
  USER_BUSY: 'That person is busy right now.',
  BUSY: 'You are already in a room or a call. Leave it first.',
  CALL_NOT_FOUND: 'That call has already ended.',
  CALL_NOT_RINGING: 'That call is no longer ringing.',
  NOT_PEER: 'You are not connected to that person.',
  INVALID_CREDENTIALS: 'Wrong email or password.',
  EMAIL_TAKEN: 'An account with that email already exists. Sign in instead.',
  INTERNAL: 'Something went wrong on the server. Please try again.',
  TIMEOUT: 'The server did not answer in time. Check your connection and try again.',
  OFFLINE: 'You are offline. Reconnecting…',
  NETWORK: 'Cannot reach the server. Check your connection and try again.',
  MICROPHONE: 'Your microphone could not be opened. Check the browser permission.',
};

export function humanMessage(code: ClientErrorCode, fallback?: string): string {
  const own = MESSAGES[code];
  if (own) return own;
  if (isErrorCode(code)) return ERROR_CATALOG[code].message;
  return fallback ?? 'Something went wrong.';
}

/** An error with a wire or client code and a message fit to show. */
export class AppError extends Error {
  readonly code: ClientErrorCode;
  constructor(code: ClientErrorCode, serverMessage?: string) {
    super(humanMessage(code, serverMessage));
    this.name = 'AppError';
    this.code = code;
  }
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('INTERNAL', error instanceof Error ? error.message : undefined);
}
