import type { ServerEventName, ServerPayload } from '@openwcall/shared';

/*
 * What the service wants done on the wire, as data. The gateway performs effects in order:
 *
 *   emit        → io.to(route.to).except(route.except ?? []).emit(event, payload)   (routeOf)
 *   joinChannel → io.in(socket).socketsJoin(channel)
 *   leaveChannel→ io.in(socket).socketsLeave(channel)
 *   disconnect  → io.in(socket).disconnectSockets(true)
 *
 * Channels are Socket.IO rooms; every socket is also in the room named by its own id.
 */

export const AUTHENTICATED_CHANNEL = 'authenticated';
export const userChannel = (userId: string): string => `user:${userId}`;
export const roomChannel = (roomId: string): string => `room:${roomId}`;

export type EmitTarget =
  /** One socket. */
  | { readonly socket: string }
  /** Every authenticated socket of a user. */
  | { readonly user: string }
  /** The seat sockets of a room, optionally without one user's. */
  | { readonly room: string; readonly exceptUser?: string }
  /** Every authenticated socket, optionally without one user's. */
  | { readonly authenticated: true; readonly exceptUser?: string };

export type EmitEffect = {
  [E in ServerEventName]: {
    readonly kind: 'emit';
    readonly to: EmitTarget;
    readonly event: E;
    readonly payload: ServerPayload<E>;
  };
}[ServerEventName];

export interface ChannelEffect {
  readonly kind: 'joinChannel' | 'leaveChannel';
  readonly socket: string;
  readonly channel: string;
}

export interface DisconnectEffect {
  readonly kind: 'disconnect';
  readonly socket: string;
}

export type Effect = EmitEffect | ChannelEffect | DisconnectEffect;

export function emit<E extends ServerEventName>(
  to: EmitTarget,
  event: E,
  payload: ServerPayload<E>,
): Effect {
  return { kind: 'emit', to, event, payload } as EmitEffect;
}

export function joinChannel(socket: string, channel: string): Effect {
  return { kind: 'joinChannel', socket, channel };
}

export function leaveChannel(socket: string, channel: string): Effect {
  return { kind: 'leaveChannel', socket, channel };
}

export function disconnectSocket(socket: string): Effect {
  return { kind: 'disconnect', socket };
}

/** Where an emit goes, in Socket.IO room names. */
export function routeOf(target: EmitTarget): { to: string; except?: string } {
  if ('socket' in target) return { to: target.socket };
  if ('user' in target) return { to: userChannel(target.user) };
  const to = 'room' in target ? roomChannel(target.room) : AUTHENTICATED_CHANNEL;
  return target.exceptUser === undefined ? { to } : { to, except: userChannel(target.exceptUser) };
}
