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

// How the forms label the fields the server names in a VALIDATION_FAILED message.
const FIELD_LABELS: Record<string, string> = {
  name: 'Room name',
  displayName: 'Display name',
  email: 'Email',
  password: 'Password',
  currentPassword: 'Current password',
  newPassword: 'New password',
};

/**
 * The server words a field-level VALIDATION_FAILED as "<path>: <reason>"; the field and reason
 * are what a form must show next to its input, not the generic catalog text.
 */
export function fieldError(
  code: ClientErrorCode,
  serverMessage: string | undefined,
): { field: string; message: string } | null {
  if (code !== 'VALIDATION_FAILED' || !serverMessage) return null;
  const match = /^([A-Za-z0-9_.]+): (.+)$/s.exec(serverMessage.trim());
  if (!match?.[1] || !match[2]) return null;
  const field = match[1];
  const label = FIELD_LABELS[field.split('.').pop() ?? field] ?? field;
  return { field, message: `${label}: ${reason(match[2])}` };
}

// Zod's default size messages are written for developers; say them in a person's words.
function reason(text: string): string {
  const tooSmall = /^too small: expected string to have >=?\s*1 characters?/i;
  if (tooSmall.test(text)) return 'must not be empty or only spaces.';
  const atLeast = /expected string to have >=?\s*(\d+) characters/i.exec(text);
  if (atLeast) return `must be at least ${atLeast[1]} characters.`;
  const atMost = /expected string to have <=?\s*(\d+) characters/i.exec(text);
  if (atMost) return `must be at most ${atMost[1]} characters.`;
  return text.charAt(0).toLowerCase() + text.slice(1);
}

// Codes whose server message says what exactly is wrong (which link problem, why an admin
// action was refused); the catalog's text for them is only a summary.
const SERVER_WORDED: ReadonlySet<ClientErrorCode> = new Set([
  'INVITE_INVALID',
  'RESET_LINK_INVALID',
  'FORBIDDEN',
  'INVALID_TARGET',
]);

export function humanMessage(code: ClientErrorCode, fallback?: string): string {
  const field = fieldError(code, fallback);
  if (field) return field.message;
  if (fallback && SERVER_WORDED.has(code)) return fallback;
  const own = MESSAGES[code];
  if (own) return own;
  if (isErrorCode(code)) return ERROR_CATALOG[code].message;
  return fallback ?? 'Something went wrong.';
}

/** An error with a wire or client code and a message fit to show. */
export class AppError extends Error {
  readonly code: ClientErrorCode;
  /** The input a VALIDATION_FAILED names, so a form can mark it. */
  readonly field: string | undefined;
  constructor(code: ClientErrorCode, serverMessage?: string) {
    super(humanMessage(code, serverMessage));
    this.name = 'AppError';
    this.code = code;
    this.field = fieldError(code, serverMessage)?.field;
  }
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('INTERNAL', error instanceof Error ? error.message : undefined);
}
