import { z } from 'zod';
import type { DataChannelSpec } from '../rtc';

/**
 * The chat's own data channel on every peer connection of a room or call. Peers talk over it
 * directly (DTLS), so the server relays no chat and has nothing to store. Id 2 is `verify`.
 */
export const CHAT_CHANNEL: DataChannelSpec = { label: 'chat', id: 1 };

export const MAX_MESSAGE_LENGTH = 2_000;

// A frame is refused before JSON.parse when it is longer than any honest message can be: the
// text at its maximum with every character escaped as \uXXXX (6 chars), plus the envelope.
const MAX_FRAME_LENGTH = MAX_MESSAGE_LENGTH * 6 + 256;

/** One chat message as it travels between peers. It names no author: the channel does. */
export interface ChatWireMessage {
  readonly id: string;
  readonly text: string;
  /** The sender's clock, in ms since the epoch. */
  readonly sentAt: number;
}

const wireSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[\w-]+$/),
  text: z
    .string()
    .max(MAX_MESSAGE_LENGTH)
    .refine((text) => text.trim() !== ''),
  sentAt: z.number().int().nonnegative(),
});

/** Whether `text` may be sent as it is: not blank and within the length limit. */
export function isSendable(text: string): boolean {
  return text.trim() !== '' && text.length <= MAX_MESSAGE_LENGTH;
}

export function encodeChatMessage(message: ChatWireMessage): string {
  return JSON.stringify({ id: message.id, text: message.text, sentAt: message.sentAt });
}

/** A frame from a peer, which is untrusted input: the message, or null when it is not one. */
export function parseChatFrame(data: unknown): ChatWireMessage | null {
  if (typeof data !== 'string' || data.length > MAX_FRAME_LENGTH) return null;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = wireSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
