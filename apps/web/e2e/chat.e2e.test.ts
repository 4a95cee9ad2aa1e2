import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  closeAll,
  type Person,
  poll,
  recordTiming,
  screenshot,
  signUp,
  skipReason,
  unique,
  useBrowser,
  waitConnected,
} from './support';
import { joinRoom, meetInRoom, startCall } from './voice-support';

const NOTICE =
  'Messages go straight to the people here and are not saved. People who join later see only what is said after they arrive.';

function chatLog(page: Page) {
  return page.getByRole('log', { name: 'Conversation' });
}

function messages(page: Page) {
  return chatLog(page).getByRole('listitem');
}

function messageWith(page: Page, text: string) {
  return messages(page).filter({ hasText: text });
}

/** Types `text` into the chat and presses Enter; resolves once it shows in the sender's log. */
async function say(person: Person, text: string): Promise<number> {
  const field = person.page.getByRole('textbox', { name: 'Message', exact: true });
  // A click, unlike fill, fails when something (the fixed control bar) covers the field.
  await field.click();
  await field.fill(text);
  const sentAt = Date.now();
  await field.press('Enter');
  await messageWith(person.page, text).first().waitFor();
  expect(await field.inputValue()).toBe('');
  return sentAt;
}

/** Waits until `listener` shows `text` from `author`; resolves with the ms since `since`. */
async function expectMessage(listener: Person, author: string, text: string, since: number) {
  const line = messageWith(listener.page, text);
  await line.waitFor();
  const ms = Date.now() - since;
  expect(await line.locator('.chat-author').textContent()).toBe(author);
  expect(await line.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
  return ms;
}

/**
 * Everything `person`'s page exchanges with the server: WebSocket frames both ways and the
 * bodies of HTTP requests (Socket.IO's polling fallback, the API). The page reloads (signed in
 * again from the refresh cookie) so the signaling socket opens after the recording started.
 */
async function recordServerTraffic(person: Person): Promise<string[]> {
  const seen: string[] = [];
  const text = (payload: string | Buffer) =>
    typeof payload === 'string' ? payload : payload.toString('utf8');
  person.page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => seen.push(text(payload)));
    socket.on('framereceived', ({ payload }) => seen.push(text(payload)));
  });
  person.page.on('request', (request) => {
    const body = request.postData();
    if (body) seen.push(body);
  });
  await person.page.reload();
  await person.page.getByRole('heading', { name: 'People' }).waitFor();
  return seen;
}

/**
 * Orders the negative check "the server never carried the chat": `host`'s mute goes to the
 * server on their socket and comes back to each other person on theirs, so once every page
 * recorded it, every frame sent before it has been recorded too.
 */
async function fenceThroughServer(host: Person, traffic: Map<Person, string[]>) {
  const marks = new Map([...traffic].map(([person, frames]) => [person, frames.length]));
  await host.page.getByRole('button', { name: 'Mute', exact: true }).click();
  for (const [person, frames] of traffic) {
    const expected = (frame: string) =>
      person === host
        ? frame.includes('room:self:mute')
        : frame.includes('room:participant:updated') && frame.includes(host.userId);
    await poll(
      async () => frames.slice(marks.get(person) ?? 0),
      (later) => later.some(expected),
      { what: `${person.name}'s socket to carry ${host.name}'s mute` },
    );
  }
}

describe.skipIf(skipReason !== '')('chat', () => {
  const browser = useBrowser();

  it('goes peer to peer in a room of three: names, plain text, links, and nothing for later arrivals', async () => {
    const people: Person[] = [];
    try {
      const [ann, ben, cat] = await Promise.all([
        signUp(browser(), 'Ann'),
        signUp(browser(), 'Ben'),
        signUp(browser(), 'Cat'),
      ]);
      people.push(ann, ben, cat);
      // Cat is on a phone.
      await cat.page.setViewportSize({ width: 375, height: 812 });
      const traffic = new Map<Person, string[]>();
      for (const person of people) traffic.set(person, await recordServerTraffic(person));
      const room = unique('Chatter');
      await meetInRoom(ann, [ben, cat], room);

      for (const person of people) {
        await person.page.getByText(NOTICE).waitFor();
        await person.page.getByText('0 / 2000 characters').waitFor();
      }
      // Blank text is not sent: Send stays disabled and Enter does nothing.
      const annField = ann.page.getByRole('textbox', { name: 'Message', exact: true });
      await annField.fill('   ');
      expect(await ann.page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
      await annField.press('Enter');
      expect(await messages(ann.page).count()).toBe(0);

      const secret = unique('hello-everyone');
      const sentAt = await say(ann, secret);
      const toBen = await expectMessage(ben, 'Ann', secret, sentAt);
      const toCat = await expectMessage(cat, 'Ann', secret, sentAt);
      recordTiming('chat-room', { sendToBenMs: toBen, sendToCatMs: toCat });
      expect(await messageWith(ann.page, secret).locator('.chat-author').textContent()).toBe('You');

      // Markup from a peer stays text: no element is made of it, no handler runs.
      const markup = '<b>x</b> <img src=x onerror="window.__chatPwned=1">';
      const markupAt = await say(ben, markup);
      for (const person of people) {
        const author = person === ben ? 'You' : 'Ben';
        await expectMessage(person, author, markup, markupAt);
        const text = messageWith(person.page, markup).locator('.chat-text');
        expect(await text.textContent()).toBe(markup);
        expect(await chatLog(person.page).locator('b, img').count()).toBe(0);
        expect(await person.page.evaluate(() => '__chatPwned' in window)).toBe(false);
      }

      // A link is an anchor that opens apart from the call.
      const linkAt = await say(cat, 'notes at https://example.test/notes?id=1.');
      const link = messageWith(ann.page, 'notes at').getByRole('link', {
        name: 'https://example.test/notes?id=1',
      });
      await link.waitFor();
      await expectMessage(ann, 'Cat', 'notes at', linkAt);
      expect(await link.getAttribute('href')).toBe('https://example.test/notes?id=1');
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
      expect(await link.getAttribute('target')).toBe('_blank');
      await messageWith(cat.page, 'notes at').scrollIntoViewIfNeeded();
      await screenshot(cat.page, 'chat-375.png');
      expect(
        await cat.page.evaluate(() => document.documentElement.scrollWidth),
        'nothing wider than the phone',
      ).toBeLessThanOrEqual(375);

      // The server carried none of it (the recording did hold the signaling).
      await fenceThroughServer(ann, traffic);
      for (const [person, frames] of traffic) {
        expect(
          frames.some((f) => f.includes('webrtc:')),
          `${person.name} recorded signaling`,
        ).toBe(true);
        for (const text of [secret, 'onerror', 'example.test/notes']) {
          expect(
            frames.filter((f) => f.includes(text)),
            `${person.name}'s server traffic carries no chat`,
          ).toEqual([]);
        }
      }

      // Cat leaves (her conversation is gone) and comes back: only what is said after that.
      await cat.page.getByRole('button', { name: 'Leave room' }).click();
      await cat.page.getByRole('heading', { name: 'People' }).waitFor();
      await joinRoom(cat.page, room);
      await waitConnected(cat.page, 2);
      await cat.page.getByText(NOTICE).waitFor();
      await cat.page.getByText('No messages yet.').waitFor();
      expect(await messages(cat.page).count()).toBe(0);
      const welcome = unique('welcome-back');
      const welcomeAt = await say(ann, welcome);
      await expectMessage(cat, 'Ann', welcome, welcomeAt);
      // The channel is ordered: anything older would have arrived before this one.
      expect(await messages(cat.page).allTextContents()).toEqual([
        expect.stringContaining(welcome),
      ]);
      await expectMessage(ben, 'Ann', welcome, welcomeAt);
      expect(await messages(ben.page).count()).toBe(4);
    } finally {
      await closeAll(people);
    }
  }, 150_000);

  it('works both ways in a direct call', async () => {
    const people: Person[] = [];
    try {
      const [eve, finn] = await Promise.all([signUp(browser(), 'Eve'), signUp(browser(), 'Finn')]);
      people.push(eve, finn);
      await startCall(eve, finn);
      await waitConnected(finn.page, 1);
      for (const person of people) await person.page.getByText(NOTICE).waitFor();

      const hello = unique('hi-finn');
      const helloAt = await say(eve, hello);
      const toFinn = await expectMessage(finn, 'Eve', hello, helloAt);
      const reply = unique('hi-eve');
      const replyAt = await say(finn, reply);
      const toEve = await expectMessage(eve, 'Finn', reply, replyAt);
      recordTiming('chat-call', { eveToFinnMs: toFinn, finnToEveMs: toEve });
      for (const person of people) {
        expect(await messages(person.page).count()).toBe(2);
      }

      // Hanging up ends the conversation: a new call starts empty.
      await eve.page.getByRole('button', { name: 'Hang up' }).click();
      await eve.page.getByRole('heading', { name: 'People' }).waitFor();
      await finn.page.getByRole('heading', { name: 'People' }).waitFor();
      await startCall(finn, eve);
      await eve.page.getByText(NOTICE).waitFor();
      expect(await messages(eve.page).count()).toBe(0);
      expect(await messages(finn.page).count()).toBe(0);
    } finally {
      await closeAll(people);
    }
  }, 120_000);
});
