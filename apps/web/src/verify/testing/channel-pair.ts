import type { DataChannelLike } from '../../rtc';

type MessageListener = (event: { readonly data: unknown }) => void;

/** One end of an in-memory data channel; messages arrive asynchronously and in order. */
export class MemoryChannel implements DataChannelLike {
  readyState: RTCDataChannelState = 'connecting';
  peer: MemoryChannel | null = null;
  /** Sees each outgoing message and says what the other end gets instead (null: nothing). */
  tap: (data: string) => string | null = (data) => data;
  readonly sent: string[] = [];
  private readonly listeners = { open: new Set<() => void>(), close: new Set<() => void>() };
  private readonly messageListeners = new Set<MessageListener>();

  constructor(readonly label = 'verify') {}

  send(data: string): void {
    if (this.readyState !== 'open') throw new Error('send on a channel that is not open');
    this.sent.push(data);
    const delivered = this.tap(data);
    const peer = this.peer;
    if (delivered !== null && peer) setTimeout(() => peer.deliver(delivered), 0);
  }

  /** Whether anything still listens for messages here. */
  get listening(): boolean {
    return this.messageListeners.size > 0;
  }

  deliver(data: unknown): void {
    if (this.readyState !== 'open') return;
    for (const listener of [...this.messageListeners]) listener({ data });
  }

  open(): void {
    this.readyState = 'open';
    for (const listener of [...this.listeners.open]) listener();
  }

  close(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    for (const listener of [...this.listeners.close]) listener();
    this.peer?.close();
  }

  addEventListener(type: 'open' | 'close', listener: () => void): void;
  addEventListener(type: 'message', listener: MessageListener): void;
  addEventListener(type: 'open' | 'close' | 'message', listener: never): void {
    if (type === 'message') this.messageListeners.add(listener);
    else this.listeners[type].add(listener);
  }

  removeEventListener(type: 'open' | 'close', listener: () => void): void;
  removeEventListener(type: 'message', listener: MessageListener): void;
  removeEventListener(type: 'open' | 'close' | 'message', listener: never): void {
    if (type === 'message') this.messageListeners.delete(listener);
    else this.listeners[type].delete(listener);
  }
}

/** Two connected ends, still `connecting`; `open()` opens both. */
export function channelPair(): { a: MemoryChannel; b: MemoryChannel; open(): void } {
  const a = new MemoryChannel();
  const b = new MemoryChannel();
  a.peer = b;
  b.peer = a;
  return {
    a,
    b,
    open: () => {
      a.open();
      b.open();
    },
  };
}
