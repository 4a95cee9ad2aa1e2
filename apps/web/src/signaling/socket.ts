import type { ClientToServerEvents, ServerToClientEvents } from '@openwcall/shared';
import { io, type Socket } from 'socket.io-client';

/**
 * The part of a socket.io-client Socket the signaling client uses; tests pass a fake.
 * Listeners receive raw, unvalidated arguments: the client parses them with the shared schemas.
 */
export interface SocketLike {
  readonly connected: boolean;
  /** The server's id for the current connection (undefined while disconnected). */
  readonly id: string | undefined;
  /** How many frames came from the server so far (events, acks, pings), over every connection. */
  readonly framesReceived: number;
  on(event: string, listener: (...args: unknown[]) => void): void;
  off(event: string, listener: (...args: unknown[]) => void): void;
  emit(event: string, payload: unknown, ack?: (response: unknown) => void): void;
  connect(): void;
  disconnect(): void;
  /** Closes the transport as a network loss would (not a clean disconnect): a test hook. */
  dropTransport(): void;
  /** Forgets emits buffered while disconnected, so none of them reach the server before auth. */
  clearSendBuffer(): void;
}

/**
 * A real Socket.IO socket to `serverUrl` (path /socket.io). Socket.IO's own reconnection is
 * off: the signaling client reconnects with the engine's ReconnectPolicy and re-authenticates.
 */
export function createSocketIoSocket(serverUrl: string): SocketLike {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(serverUrl, {
    autoConnect: false,
    reconnection: false,
    transports: ['websocket', 'polling'],
    withCredentials: true,
    timeout: 10_000,
  });
  // The typed map guards our emits elsewhere; here events are routed by name at runtime.
  const untyped = socket as unknown as Socket;
  // The manager outlives each connection's engine: every decoded packet and engine ping.
  let framesReceived = 0;
  const heard = () => {
    framesReceived += 1;
  };
  socket.io.on('packet', heard);
  socket.io.on('ping', heard);
  return {
    get connected() {
      return socket.connected;
    },
    get id() {
      return socket.id;
    },
    get framesReceived() {
      return framesReceived;
    },
    on: (event, listener) => {
      untyped.on(event, listener);
    },
    off: (event, listener) => {
      untyped.off(event, listener);
    },
    emit: (event, payload, ack) => {
      if (ack) untyped.emit(event, payload, ack);
      else untyped.emit(event, payload);
    },
    connect: () => {
      socket.connect();
    },
    disconnect: () => {
      socket.disconnect();
    },
    dropTransport: () => {
      socket.io.engine?.close();
    },
    clearSendBuffer: () => {
      socket.sendBuffer = [];
    },
  };
}
