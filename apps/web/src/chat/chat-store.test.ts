import { describe, expect, it } from 'vitest';
import { Emitter, type MeshEvents } from '../rtc';
import type { DataChannelLike, PeerLink } from '../rtc/types';
import { type ChatMesh, ChatStore } from './chat-store';
import { CHAT_CHANNEL, MAX_MESSAGE_LENGTH } from './chat-wire';

type MessageListener = (event: { readonly data: unknown }) => void;

/** A data channel whose events the test fires; `sent` records what the store sent. */
class TestChannel implements DataChannelLike {
  readonly label = CHAT_CHANNEL.label;
  readyState: RTCDataChannelState = 'open';
  readonly sent: string[] = [];
  // An open listener takes no event, so it fits where a message listener goes.
  private readonly listeners = {
    open: new Set<MessageListener>(),
    message: new Set<MessageListener>(),
  };
  send(data: string): void {
    if (this.readyState !== 'open') throw new Error('InvalidStateError');
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 'closed';
  }
  addEventListener(type: 'open' | 'close' | 'message', listener: MessageListener): void {
    if (type !== 'close') this.listeners[type].add(listener);
  }
  removeEventListener(type: 'open' | 'close' | 'message', listener: MessageListener): void {
    if (type !== 'close') this.listeners[type].delete(listener);
  }
  open(): void {
    this.readyState = 'open';
    for (const listener of [...this.listeners.open]) listener({ data: undefined });
  }
  deliver(data: unknown): void {
    for (const listener of [...this.listeners.message]) listener({ data });
  }
  get listening(): number {
    return this.listeners.message.size + this.listeners.open.size;
  }
}

function linkOf(
  remoteUserId: string,
  channel = new TestChannel(),
): PeerLink & { chat: TestChannel } {
  return {
    remoteUserId,
    chat: channel,
    channel: (label) => (label === CHAT_CHANNEL.label ? channel : undefined),
    getStats: async () => new Map() as unknown as RTCStatsReport,
  };
}

class TestMesh implements ChatMesh {
  readonly events = new Emitter<MeshEvents & { change: undefined }>();
  readonly current = new Map<string, PeerLink>();
  on<K extends keyof MeshEvents>(event: K, listener: (payload: MeshEvents[K]) => void) {
    return this.events.on(event, listener);
  }
  links(): readonly PeerLink[] {
    return [...this.current.values()];
  }
  link(link: PeerLink): void {
    this.current.set(link.remoteUserId, link);
    this.events.emit('peerLinked', { userId: link.remoteUserId, link });
  }
  remove(userId: string): void {
    this.current.delete(userId);
    this.events.emit('peerRemoved', { userId });
  }
  close(): void {
    this.events.emit('closed', undefined);
  }
}

const names: Record<string, string> = { me: 'Ann', bob: 'Bob', cid: 'Cid' };

function setup() {
  let clock = 1_000;
  let ids = 0;
  const chat = new ChatStore({ now: () => clock, newId: () => `m${++ids}` });
  const mesh = new TestMesh();
  const bob = linkOf('bob');
  const cid = linkOf('cid');
  mesh.current.set('bob', bob);
  chat.attach(mesh, { selfId: 'me', nameOf: (id) => names[id] });
  mesh.link(cid);
  return { chat, mesh, bob, cid, tick: (ms: number) => (clock += ms) };
}

const frame = (id: string, text: string, sentAt = 5) => JSON.stringify({ id, text, sentAt });

describe('ChatStore', () => {
  it('sends {id, text, sentAt} to every peer, also those linked before it attached', () => {
    const { chat, bob, cid } = setup();
    expect(chat.send('hello')).toBe(true);
    const expected = [{ id: 'm1', text: 'hello', sentAt: 1_000 }];
    expect(bob.chat.sent.map((s) => JSON.parse(s))).toEqual(expected);
    expect(cid.chat.sent.map((s) => JSON.parse(s))).toEqual(expected);
    expect(chat.getSnapshot().messages).toMatchObject([
      { id: 'm1', authorId: 'me', self: true, text: 'hello', at: 1_000, notDeliveredTo: [] },
    ]);
  });

  it('does not send blank or over-long text', () => {
    const { chat, bob } = setup();
    expect(chat.send('')).toBe(false);
    expect(chat.send(' \n\t ')).toBe(false);
    expect(chat.send('x'.repeat(MAX_MESSAGE_LENGTH + 1))).toBe(false);
    expect(chat.send('x'.repeat(MAX_MESSAGE_LENGTH))).toBe(true);
    expect(bob.chat.sent).toHaveLength(1);
    expect(chat.getSnapshot().messages).toHaveLength(1);
  });

  it('names the author by the connection, never by the message, and keeps the text as text', () => {
    const { chat, bob, tick } = setup();
    tick(500);
    bob.chat.deliver(
      JSON.stringify({
        id: 'b1',
        text: '<script>alert(1)</script>',
        sentAt: 99,
        authorId: 'cid',
        authorName: 'Admin',
      }),
    );
    expect(chat.getSnapshot().messages).toEqual([
      {
        id: 'b1',
        key: 'bob:b1',
        authorId: 'bob',
        authorName: 'Bob',
        self: false,
        text: '<script>alert(1)</script>',
        at: 1_500,
        notDeliveredTo: [],
      },
    ]);
  });

  it('drops hostile frames: not JSON, not a string, huge, wrong types, missing or blank fields', () => {
    const { chat, bob } = setup();
    const hostile: unknown[] = [
      'not json',
      '{"id":"x","text":"hi"',
      new ArrayBuffer(8),
      42,
      null,
      JSON.stringify(null),
      JSON.stringify(['x', 'hi', 1]),
      JSON.stringify({ id: 'x', text: 'x'.repeat(MAX_MESSAGE_LENGTH + 1), sentAt: 1 }),
      `{"id":"x","text":"hi","sentAt":1,"pad":"${' '.repeat(100_000)}"}`,
      JSON.stringify({ id: 7, text: 'hi', sentAt: 1 }),
      JSON.stringify({ id: 'x', text: { toString: 'hi' }, sentAt: 1 }),
      JSON.stringify({ id: 'x', text: 'hi', sentAt: '1' }),
      JSON.stringify({ id: 'x', text: 'hi', sentAt: -1 }),
      JSON.stringify({ id: 'x', text: 'hi' }),
      JSON.stringify({ id: '', text: 'hi', sentAt: 1 }),
      JSON.stringify({ id: 'x'.repeat(65), text: 'hi', sentAt: 1 }),
      JSON.stringify({ id: '../x y', text: 'hi', sentAt: 1 }),
      JSON.stringify({ id: 'x', text: '   ', sentAt: 1 }),
      '{"__proto__":{"text":"hi"},"id":"x","sentAt":1}',
    ];
    for (const data of hostile) bob.chat.deliver(data);
    expect(chat.getSnapshot().messages).toEqual([]);
    // Still listening: a good frame after the bad ones arrives.
    bob.chat.deliver(frame('ok', 'fine'));
    expect(chat.getSnapshot().messages.map((m) => m.text)).toEqual(['fine']);
  });

  it('shows a message once however often it arrives, but the same id from two people twice', () => {
    const { chat, bob, cid } = setup();
    bob.chat.deliver(frame('same', 'one'));
    bob.chat.deliver(frame('same', 'one again'));
    cid.chat.deliver(frame('same', 'two'));
    expect(chat.getSnapshot().messages.map((m) => [m.authorName, m.text])).toEqual([
      ['Bob', 'one'],
      ['Cid', 'two'],
    ]);
  });

  it('queues a message until the channel opens, in order, and a peer who leaves drops theirs', () => {
    const { chat, mesh, bob } = setup();
    const dan = linkOf('dan');
    const eve = linkOf('eve');
    dan.chat.readyState = 'connecting';
    eve.chat.readyState = 'connecting';
    mesh.link(dan);
    mesh.link(eve);
    chat.send('first');
    chat.send('second');
    expect(dan.chat.sent).toEqual([]);
    expect(bob.chat.sent).toHaveLength(2);
    expect(chat.getSnapshot().messages.every((m) => m.notDeliveredTo.length === 0)).toBe(true);
    dan.chat.open();
    expect(dan.chat.sent.map((s) => JSON.parse(s).text)).toEqual(['first', 'second']);
    chat.send('third');
    expect(dan.chat.sent).toHaveLength(3);

    mesh.remove('eve');
    eve.chat.open();
    expect(eve.chat.sent).toEqual([]);
    expect(eve.chat.listening).toBe(0);
  });

  it('hands the queue to the new connection when a peer reloads, and ignores the old one', () => {
    const { chat, mesh } = setup();
    const before = linkOf('dan');
    before.chat.readyState = 'connecting';
    mesh.link(before);
    chat.send('while you reloaded');
    const after = linkOf('dan');
    after.chat.readyState = 'connecting';
    mesh.link(after);
    before.chat.open();
    before.chat.deliver(frame('old', 'from the old connection'));
    expect(before.chat.sent).toEqual([]);
    after.chat.open();
    expect(after.chat.sent.map((s) => JSON.parse(s).text)).toEqual(['while you reloaded']);
    expect(chat.getSnapshot().messages.map((m) => m.text)).toEqual(['while you reloaded']);
  });

  it('says who did not get a message when that channel is stuck, refuses it or closes', () => {
    const { chat, mesh, bob, cid } = setup();
    const dan = linkOf('dan');
    dan.chat.readyState = 'connecting';
    mesh.link(dan);
    for (let i = 0; i < 100; i += 1) chat.send(`m${i}`);
    chat.send('one too many');
    bob.chat.send = () => {
      throw new Error('OperationError: send queue is full');
    };
    cid.chat.readyState = 'closing';
    chat.send('bob is full, cid is going');
    const last = chat.getSnapshot().messages.slice(-2);
    expect(last.map((m) => m.notDeliveredTo)).toEqual([['Someone'], ['Bob', 'Cid', 'Someone']]);
    expect(cid.chat.sent).toHaveLength(101);
  });

  it('forgets the conversation when the mesh closes or another one is attached', () => {
    const { chat, mesh, bob } = setup();
    bob.chat.deliver(frame('b1', 'hi'));
    chat.send('hello');
    mesh.close();
    expect(chat.getSnapshot().messages).toEqual([]);
    expect(bob.chat.listening).toBe(0);
    expect(chat.send('into the void')).toBe(false);

    const next = new TestMesh();
    const cid = linkOf('cid');
    next.current.set('cid', cid);
    chat.attach(next, { selfId: 'me', nameOf: (id) => names[id] });
    cid.chat.deliver(frame('c1', 'new room'));
    // The same id as before is new in a new conversation.
    cid.chat.deliver(frame('b1', 'hi'));
    expect(chat.getSnapshot().messages.map((m) => m.text)).toEqual(['new room', 'hi']);
    chat.attach(new TestMesh(), { selfId: 'me', nameOf: () => undefined });
    expect(chat.getSnapshot().messages).toEqual([]);
    expect(cid.chat.listening).toBe(0);
  });

  it('keeps only the latest 500 messages against a flood', () => {
    const { chat, bob } = setup();
    for (let i = 0; i < 600; i += 1) bob.chat.deliver(frame(`f${i}`, `flood ${i}`));
    const { messages } = chat.getSnapshot();
    expect(messages).toHaveLength(500);
    expect(messages[0]?.text).toBe('flood 100');
    expect(messages.at(-1)?.text).toBe('flood 599');
  });
});
