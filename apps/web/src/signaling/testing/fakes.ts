// Test doubles for the signaling layer: a socket the test drives as the server would, and a
// client stand-in for controllers (events in, requests answered by handlers).
import type {
  ClientEventName,
  ClientPayload,
  ClientResult,
  ServerEventName,
  ServerPayload,
} from '@openwcall/shared';
import { AppError } from '../../base/errors';
import type { ReadyInfo } from '../client';
import type { SocketLike } from '../socket';

type Handler = (...args: unknown[]) => void;

export class FakeSocket implements SocketLike {
  connected = false;
  connectCalls = 0;
  id: string | undefined;
  framesReceived = 0;
  readonly emitted: Array<{ event: string; payload: unknown; ack?: (r: unknown) => void }> = [];
  /** Answers client emits like a server would; return undefined to leave the ack pending. */
  respond: (event: string, payload: unknown) => unknown = () => undefined;
  private readonly handlers = new Map<string, Set<Handler>>();

  on(event: string, listener: Handler): void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(listener);
  }

  off(event: string, listener: Handler): void {
    this.handlers.get(event)?.delete(listener);
  }

  emit(event: string, payload: unknown, ack?: (response: unknown) => void): void {
    this.emitted.push(ack ? { event, payload, ack } : { event, payload });
    const response = this.respond(event, payload);
    if (response !== undefined && ack) {
      queueMicrotask(() => {
        this.framesReceived += 1;
        ack(response);
      });
    }
  }

  connect(): void {
    this.connectCalls += 1;
  }

  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    this.id = undefined;
    this.fire('disconnect', 'io client disconnect');
  }

  dropTransport(): void {
    this.connected = false;
    this.id = undefined;
    this.fire('disconnect', 'transport close');
  }

  clearSendBuffer(): void {}

  // ---- test controls ----

  /** The server accepted the connection. */
  open(): void {
    this.connected = true;
    this.id = `socket-${this.connectCalls}`;
    this.fire('connect');
  }

  serverEmit(event: string, payload: unknown): void {
    this.framesReceived += 1;
    this.fire(event, payload);
  }

  emittedNames(): string[] {
    return this.emitted.map((e) => e.event);
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const handler of [...(this.handlers.get(event) ?? [])]) handler(...args);
  }
}

type RequestHandler = (payload: unknown) => unknown;

/** Stands in for SignalingClient in controller tests. */
export class FakeClient {
  readonly requests: Array<{ event: ClientEventName; payload: unknown }> = [];
  private readonly handlers = new Map<string, Set<(payload: never) => void>>();
  private readonly readyListeners = new Set<(info: ReadyInfo) => void>();
  private readonly answers = new Map<string, RequestHandler>();

  on<E extends ServerEventName>(event: E, listener: (payload: ServerPayload<E>) => void) {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => {
      set.delete(listener as (payload: never) => void);
    };
  }

  onReady(listener: (info: ReadyInfo) => void) {
    this.readyListeners.add(listener);
    return () => {
      this.readyListeners.delete(listener);
    };
  }

  /** `handler` returns the result or throws an AppError; unanswered events resolve `{}`. */
  answer<E extends ClientEventName>(
    event: E,
    handler: (payload: ClientPayload<E>) => ClientResult<E>,
  ): void {
    this.answers.set(event, handler as RequestHandler);
  }

  fail(event: ClientEventName, code: ConstructorParameters<typeof AppError>[0]): void {
    this.answers.set(event, () => {
      throw new AppError(code);
    });
  }

  async request<E extends ClientEventName>(
    event: E,
    payload: ClientPayload<E>,
  ): Promise<ClientResult<E>> {
    this.requests.push({ event, payload });
    await Promise.resolve();
    const handler = this.answers.get(event);
    return (handler ? handler(payload) : {}) as ClientResult<E>;
  }

  emit<E extends ServerEventName>(event: E, payload: ServerPayload<E>): void {
    for (const listener of [...(this.handlers.get(event) ?? [])]) {
      (listener as (payload: ServerPayload<E>) => void)(payload);
    }
  }

  ready(info: ReadyInfo): void {
    for (const listener of [...this.readyListeners]) listener(info);
  }

  requested(event: ClientEventName): unknown[] {
    return this.requests.filter((r) => r.event === event).map((r) => r.payload);
  }
}
