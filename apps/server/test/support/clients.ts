import type {
  ClientEventName,
  ClientToServerEvents,
  ServerEventName,
  ServerPayload,
  ServerToClientEvents,
} from '@openwcall/shared';
import { io as connect, type Socket } from 'socket.io-client';
import { register } from './server';

/** A real socket.io-client connection that records every server event it receives. */
export class TestClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly received: Array<{ event: string; payload: unknown }> = [];
  private waiters: Array<{
    event: string;
    match: (p: unknown) => boolean;
    resolve: (p: unknown) => void;
  }> = [];

  constructor(
    url: string,
    readonly user: { id: string; displayName: string },
    readonly token: string,
    options: { origin?: string; forceNew?: boolean } = {},
  ) {
    this.socket = connect(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      ...(options.origin ? { extraHeaders: { origin: options.origin } } : {}),
    });
    this.socket.onAny((event: string, payload: unknown) => {
      this.received.push({ event, payload });
      this.waiters = this.waiters.filter((w) => {
        if (w.event === event && w.match(payload)) {
          w.resolve(payload);
          return false;
        }
        return true;
      });
    });
  }

  /** Emits with an acknowledgement and resolves with the ack body. */
  // biome-ignore lint/suspicious/noExplicitAny: acks are asserted field by field in tests
  request(event: ClientEventName | string, payload?: unknown, timeoutMs = 5000): Promise<any> {
    return (this.socket as unknown as Socket)
      .timeout(timeoutMs)
      .emitWithAck(event, ...(payload === undefined ? [] : [payload]));
  }

  /** Emits without an acknowledgement. */
  send(event: ClientEventName | string, payload?: unknown) {
    (this.socket as unknown as Socket).emit(event, payload);
  }

  /** The next (or an already received, not yet consumed) event matching. */
  next<E extends ServerEventName>(
    event: E,
    match: (p: ServerPayload<E>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<ServerPayload<E>> {
    const idx = this.received.findIndex(
      (r) => r.event === event && match(r.payload as ServerPayload<E>),
    );
    if (idx >= 0) {
      const [hit] = this.received.splice(idx, 1);
      return Promise.resolve(hit?.payload as ServerPayload<E>);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        event,
        match: match as (p: unknown) => boolean,
        resolve: (p: unknown) => {
          clearTimeout(timer);
          const i = this.received.findIndex((r) => r.payload === p);
          if (i >= 0) this.received.splice(i, 1);
          resolve(p as ServerPayload<E>);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${event} on ${this.user.displayName}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Events of a kind received and not consumed so far. */
  all<E extends ServerEventName>(event: E): Array<ServerPayload<E>> {
    return this.received.filter((r) => r.event === event).map((r) => r.payload as ServerPayload<E>);
  }

  clear() {
    this.received.length = 0;
  }

  async connected(): Promise<void> {
    if (this.socket.connected) return;
    await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  // biome-ignore lint/suspicious/noExplicitAny: see request()
  async authenticate(): Promise<any> {
    await this.connected();
    const ack = await this.request('auth:hello', { token: this.token });
    if (!ack.ok) throw new Error(`auth failed: ${JSON.stringify(ack)}`);
    return ack;
  }

  /** Resolves once the server has closed this socket; rejects after `timeoutMs`. */
  closedByServer(timeoutMs = 5000): Promise<void> {
    if (this.socket.disconnected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.user.displayName} was not disconnected`)),
        timeoutMs,
      );
      this.socket.once('disconnect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close() {
    this.socket.disconnect();
  }
}

/** Registers a new user and opens an authenticated socket for them. */
export async function signedInClient(url: string, name = 'User'): Promise<TestClient> {
  const { accessToken, user } = await register(url, undefined, name);
  const client = new TestClient(url, user, accessToken);
  await client.authenticate();
  return client;
}

/** Another tab of the same user. */
export async function secondTab(url: string, of: TestClient): Promise<TestClient> {
  const client = new TestClient(url, of.user, of.token);
  await client.authenticate();
  return client;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
