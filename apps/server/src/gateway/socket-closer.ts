import { ERROR_CATALOG } from '@openwcall/shared';
import { userChannel } from '../signaling';
import type { SignalingServer } from './socket-gateway';

/** Every socket signed in with one login (refresh-session family) joins this channel. */
export const loginChannel = (sid: string): string => `login:${sid}`;

export type ClosingCode = 'UNAUTHENTICATED' | 'ACCOUNT_DISABLED';

/**
 * Closes the sockets of a revoked login or a disabled user, on every node: the Socket.IO
 * adapter (Redis when REDIS_URL is set) carries both the `error` and the disconnect, in
 * that order, to the nodes holding such sockets.
 */
export interface SocketCloser {
  closeLogins(sids: readonly string[], code: ClosingCode, message?: string): void;
  closeUser(userId: string, code: ClosingCode, message?: string): void;
}

/** `local`: this node's sockets only (for a signal every node receives by itself). */
export function socketCloser(io: SignalingServer, options: { local?: boolean } = {}): SocketCloser {
  const target = options.local ? io.local : io;
  const close = (channel: string, code: ClosingCode, message: string | undefined) => {
    target.to(channel).emit('error', { code, message: message ?? ERROR_CATALOG[code].message });
    target.in(channel).disconnectSockets(true);
  };
  return {
    closeLogins(sids, code, message) {
      for (const sid of sids) close(loginChannel(sid), code, message);
    },
    closeUser(userId, code, message) {
      close(userChannel(userId), code, message);
    },
  };
}

/** For code that runs without sockets (the command line). */
export const noSocketCloser: SocketCloser = { closeLogins() {}, closeUser() {} };
