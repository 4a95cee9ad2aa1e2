import { describe, expect, it } from 'vitest';
import {
  closeAll,
  expectAudioFlowing,
  inboundAudio,
  type Person,
  poll,
  printPageLog,
  recordTiming,
  signUp,
  skipReason,
  unique,
  useBrowser,
  waitConnected,
  waitFirstAudio,
} from './support';
import { joinRoom, pressJoin } from './voice-support';

describe.skipIf(skipReason !== '')('a full room', () => {
  const browser = useBrowser();

  it('six people: all 30 connections up and audio flowing to everyone', async () => {
    const opened: Person[] = [];
    try {
      const names = ['Gia', 'Hal', 'Ivy', 'Jon', 'Kai', 'Lea'];
      const people = await Promise.all(names.map((name) => signUp(browser(), name)));
      opened.push(...people);
      // The seventh signs up now, while the machine is idle: signing up behind six pages in a
      // call on two cores can outlast any click timeout, and a lobby page costs next to nothing.
      const seventh = await signUp(browser(), 'Seventh');
      opened.push(seventh);
      const [first, ...rest] = people as [Person, ...Person[]];
      const room = unique('AllHands');
      await first.page.getByLabel('Room name').fill(room);
      await first.page.getByRole('button', { name: 'Create room' }).click();
      await first.page.getByRole('heading', { name: room }).waitFor();

      const t0 = Date.now();
      const last = rest[rest.length - 1] as Person;
      for (const person of rest.slice(0, -1)) {
        await joinRoom(person.page, room);
      }
      // The sixth person's own join: click → 5 connections up → audio on all 5.
      const tLast = Date.now();
      await pressJoin(last.page, room);
      await waitConnected(last.page, 5, 30_000);
      const lastConnectedMs = Date.now() - tLast;
      await waitFirstAudio(last.page, 5, 30_000);
      recordTiming('room-6-last-joiner', {
        joinToConnectedMs: lastConnectedMs,
        joinToFirstAudioMs: Date.now() - tLast,
      });
      // first join click → every page has all 5 connections up / audio on all 5.
      await Promise.all(people.map((p) => waitConnected(p.page, 5, 30_000)));
      const connectedMs = Date.now() - t0;
      await Promise.all(people.map((p) => waitFirstAudio(p.page, 5, 30_000)));
      recordTiming('room-6', {
        joinsToAllConnectedMs: connectedMs,
        joinsToAllFirstAudioMs: Date.now() - t0,
      });

      let failed = true;
      try {
        // All 30 up at once, and audio growing on each. Six pages on two cores can starve a
        // connection's consent checks for a moment (it goes `disconnected` and comes back on
        // its own), so "up" is waited for, not sampled once.
        await poll(
          async () => {
            let up = 0;
            for (const person of people) {
              const stats = await inboundAudio(person.page);
              up += stats.filter((s) => s.state === 'connected').length;
            }
            return up;
          },
          (up) => up === 30,
          { timeoutMs: 30_000, what: 'all 30 connections up at once' },
        );
        await Promise.all(people.map((p) => expectAudioFlowing(p.page, 5)));
        failed = false;
      } finally {
        // On failure (or with SIX_LOGS=1): which connection stayed down or silent, and what
        // each page did about it.
        if (failed || process.env.SIX_LOGS) {
          for (const person of people) await printPageLog(person, t0);
        }
      }
      await first.page.getByText('6 / 6 people').waitFor();

      // The seventh is offered no Join and told why.
      await seventh.page.getByRole('button', { name: `Join ${room}`, disabled: true }).waitFor();
      expect(
        await seventh.page.getByRole('button', { name: `Join ${room}` }).getAttribute('title'),
      ).toBe('The room is full');
    } finally {
      await closeAll(opened);
    }
    // Six pages in one browser on a 2-core machine: allow for a busy CI host.
  }, 120_000);
});
