import { ExternalStore } from '../base/external-store';
import { type Logger, silentLogger } from '../base/logger';
import type { DataChannelLike, Mesh, PeerLink } from '../rtc';
import { CHAT_CHANNEL, encodeChatMessage, isSendable, parseChatFrame } from './chat-wire';

export interface ChatMessage {
  /** Unique per author (the sender picks it); `key` is unique in the list. */
  readonly id: string;
  readonly key: string;
  /** The user id of the connection it came over (or ours): never a claim inside the message. */
  readonly authorId: string;
  readonly authorName: string;
  readonly self: boolean;
  readonly text: string;
  /** When it was sent (ours) or arrived here (a peer's clock is neither trusted nor in sync). */
  readonly at: number;
  /** Names of people it could not be delivered to. */
  readonly notDeliveredTo: readonly string[];
}

export interface ChatState {
  readonly messages: readonly ChatMessage[];
}

/** The part of a Mesh the chat listens to. */
export type ChatMesh = Pick<Mesh, 'on' | 'links'>;

export interface ChatAttachOptions {
  readonly selfId: string;
  /** The display name of a member of the room or call, read when their message arrives. */
  readonly nameOf: (userId: string) => string | undefined;
}

export interface ChatStoreOptions {
  readonly now?: () => number;
  readonly newId?: () => string;
  readonly logger?: Logger;
}

// Memory bounds against a peer that floods: the list keeps the latest messages, and what waits
// for a channel that never opens stops growing (those messages say so instead).
const MAX_KEPT = 500;
const MAX_QUEUED_PER_PEER = 100;

interface Binding {
  readonly userId: string;
  readonly channel: DataChannelLike;
  readonly unbind: () => void;
}

const EMPTY: ChatState = { messages: [] };

/**
 * The text chat of one room or one direct call, peer to peer over each connection's `chat`
 * data channel: nothing passes the server. Messages live in memory while the mesh lives and
 * are gone when it closes, so someone who arrives later sees only what is said after that.
 * A message to a peer whose channel is not open yet waits for it (bounded), in order.
 */
export class ChatStore extends ExternalStore<ChatState> {
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly log: Logger;
  private readonly bindings = new Map<string, Binding>();
  private readonly queues = new Map<string, string[]>();
  private readonly keys = new Set<string>();
  private people: ChatAttachOptions = { selfId: '', nameOf: () => undefined };
  private detachMesh: (() => void) | null = null;

  constructor(options: ChatStoreOptions = {}) {
    super(EMPTY);
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomId;
    this.log = options.logger ?? silentLogger;
  }

  /** Follows a new room's or call's mesh; the previous conversation, if any, is forgotten. */
  attach(mesh: ChatMesh, people: ChatAttachOptions): void {
    this.detach();
    this.people = people;
    const unsubscribes = [
      mesh.on('peerLinked', ({ link }) => this.bind(link)),
      mesh.on('peerRemoved', ({ userId }) => this.unbind(userId)),
      mesh.on('closed', () => this.detach()),
    ];
    this.detachMesh = () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
    for (const link of mesh.links()) this.bind(link);
  }

  /** Sends `text` to everyone in the room or call; false when it is blank or too long. */
  send(text: string): boolean {
    if (!isSendable(text) || !this.detachMesh) return false;
    const id = this.newId();
    const at = this.now();
    const frame = encodeChatMessage({ id, text, sentAt: at });
    const notDeliveredTo: string[] = [];
    for (const userId of this.bindings.keys()) {
      if (!this.deliver(userId, frame)) notDeliveredTo.push(this.nameOf(userId));
    }
    const { selfId } = this.people;
    this.append({
      id,
      key: `${selfId}:${id}`,
      authorId: selfId,
      authorName: this.nameOf(selfId),
      self: true,
      text,
      at,
      notDeliveredTo,
    });
    return true;
  }

  private bind(link: PeerLink): void {
    const userId = link.remoteUserId;
    this.unbind(userId, false);
    const channel = link.channel(CHAT_CHANNEL.label);
    if (!channel) {
      this.log.warn('a connection without a chat channel', { peer: userId });
      return;
    }
    const onMessage = (event: { readonly data: unknown }) => this.receive(userId, event.data);
    const onOpen = () => this.flush(userId);
    channel.addEventListener('message', onMessage);
    channel.addEventListener('open', onOpen);
    this.bindings.set(userId, {
      userId,
      channel,
      unbind: () => {
        channel.removeEventListener('message', onMessage);
        channel.removeEventListener('open', onOpen);
      },
    });
    if (channel.readyState === 'open') this.flush(userId);
  }

  // A replaced connection (the peer reloaded) keeps its queue for the new channel; a peer who
  // left takes nothing with them.
  private unbind(userId: string, dropQueue = true): void {
    this.bindings.get(userId)?.unbind();
    this.bindings.delete(userId);
    if (dropQueue) this.queues.delete(userId);
  }

  /** Sends now when the channel is open, else queues; false when it cannot be delivered. */
  private deliver(userId: string, frame: string): boolean {
    const binding = this.bindings.get(userId);
    if (!binding) return false;
    const { readyState } = binding.channel;
    const queue = this.queues.get(userId) ?? [];
    if (readyState === 'open' && queue.length === 0) {
      return this.transmit(binding.channel, frame, userId);
    }
    // A closing channel never opens again; its replacement comes with a new connection.
    if (readyState === 'closing' || readyState === 'closed') return false;
    if (queue.length >= MAX_QUEUED_PER_PEER) return false;
    queue.push(frame);
    this.queues.set(userId, queue);
    return true;
  }

  private flush(userId: string): void {
    const binding = this.bindings.get(userId);
    const queue = this.queues.get(userId);
    if (!binding || !queue) return;
    this.queues.delete(userId);
    for (const frame of queue) this.transmit(binding.channel, frame, userId);
  }

  private transmit(channel: DataChannelLike, frame: string, userId: string): boolean {
    try {
      channel.send(frame);
      return true;
    } catch (error) {
      // Closing under us, or the send buffer is full.
      this.log.warn('could not send a chat message', { peer: userId, error });
      return false;
    }
  }

  private receive(userId: string, data: unknown): void {
    if (!this.bindings.has(userId)) return;
    const message = parseChatFrame(data);
    if (!message) {
      this.log.debug('dropping a malformed chat frame', { peer: userId });
      return;
    }
    const key = `${userId}:${message.id}`;
    if (this.keys.has(key)) return;
    this.append({
      id: message.id,
      key,
      authorId: userId,
      authorName: this.nameOf(userId),
      self: false,
      text: message.text,
      at: this.now(),
      notDeliveredTo: [],
    });
  }

  private append(message: ChatMessage): void {
    this.keys.add(message.key);
    this.setState(({ messages }) => {
      const kept =
        messages.length >= MAX_KEPT ? messages.slice(messages.length - MAX_KEPT + 1) : messages;
      for (const dropped of messages.slice(0, messages.length - kept.length)) {
        this.keys.delete(dropped.key);
      }
      return { messages: [...kept, message] };
    });
  }

  private nameOf(userId: string): string {
    return this.people.nameOf(userId) ?? 'Someone';
  }

  private detach(): void {
    this.detachMesh?.();
    this.detachMesh = null;
    for (const userId of [...this.bindings.keys()]) this.unbind(userId);
    this.queues.clear();
    this.keys.clear();
    this.setState(EMPTY);
  }
}

function randomId(): string {
  // getRandomValues, unlike randomUUID, exists outside secure contexts too.
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
