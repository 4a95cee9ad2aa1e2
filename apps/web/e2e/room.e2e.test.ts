import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  closeAll,
  energyGrowth,
  expectAudioFlowing,
  inboundAudio,
  localStreamId,
  type Person,
  poll,
  recordTiming,
  signUp,
  skipReason,
  unique,
  useBrowser,
  waitConnected,
  waitFirstAudio,
} from './support';
import { createRoom, joinRoom, meetInRoom } from './voice-support';

function openConnections(page: Page) {
  return inboundAudio(page).then((list) => list.length);
}

describe.skipIf(skipReason !== '')('rooms', () => {
  const browser = useBrowser();

  it('three people hear each other and the speaking indicator lights', async () => {
    const people: Person[] = [];
    try {
      const [ann, ben, cat] = await Promise.all([
        signUp(browser(), 'Ann'),
        signUp(browser(), 'Ben'),
        signUp(browser(), 'Cat'),
      ]);
      people.push(ann, ben, cat);
      const room = unique('Standup');
      await createRoom(ann.page, room);

      // Ben's lobby lists the room live, with its count.
      await ben.page.getByRole('button', { name: `Join ${room}` }).waitFor();
      await ben.page.getByText('1 / 6 people').waitFor();

      // Two people: join → connected → first audio.
      const t0 = Date.now();
      await joinRoom(ben.page, room);
      await waitConnected(ben.page, 1);
      const connectedMs = Date.now() - t0;
      await waitFirstAudio(ben.page, 1);
      recordTiming('room-2', {
        joinToConnectedMs: connectedMs,
        joinToFirstAudioMs: Date.now() - t0,
      });

      await joinRoom(cat.page, room);
      for (const person of people) await waitConnected(person.page, 2);
      await Promise.all(people.map((p) => expectAudioFlowing(p.page, 2)));

      // Every pair, both ways: each page receives energy from both others' microphones.
      const streamIds = await Promise.all(people.map((p) => localStreamId(p.page)));
      for (const [i, person] of people.entries()) {
        const growth = await energyGrowth(person.page);
        for (const [j, id] of streamIds.entries()) {
          if (i === j) continue;
          expect(growth.get(id ?? ''), `${person.name} hears ${people[j]?.name}`).toBeGreaterThan(
            0,
          );
        }
      }

      // The remote speaking indicator (AnalyserNode on the remote stream) lights up.
      for (const person of people) {
        await person.page
          .locator('li.tile[data-speaking="true"]:not([aria-label$="(you)"])')
          .first()
          .waitFor({ timeout: 15_000 });
      }
      await ann.page.getByText('Host', { exact: true }).first().waitFor();
    } finally {
      await closeAll(people);
    }
  });

  it('the host mutes, removes and locks; the removed cannot rejoin, a fourth is told the room is locked', async () => {
    const people: Person[] = [];
    try {
      const [host, ben, cat, dan] = await Promise.all([
        signUp(browser(), 'Hana'),
        signUp(browser(), 'Bo'),
        signUp(browser(), 'Cy'),
        signUp(browser(), 'Dee'),
      ]);
      people.push(host, ben, cat, dan);
      const room = unique('Moderated');
      await meetInRoom(host, [ben, cat], room);

      // Mute: Bo's microphone stops sending; Cy and the host stop receiving energy from Bo.
      const boStream = (await localStreamId(ben.page)) ?? '';
      const hanaStream = (await localStreamId(host.page)) ?? '';
      await host.page.getByRole('button', { name: 'Options for Bo' }).click();
      await host.page
        .getByRole('dialog', { name: 'Options for Bo' })
        .getByRole('button', { name: 'Mute Bo' })
        .click();
      await ben.page.getByText('Muted by the host', { exact: false }).first().waitFor();
      await ben.page.getByRole('button', { name: 'Unmute', exact: true }).waitFor();
      await cat.page.locator('li.tile[aria-label="Bo"]').getByText('Muted').waitFor();
      // Let the jitter buffers drain before measuring.
      await new Promise((r) => setTimeout(r, 1_000));
      for (const listener of [cat, host]) {
        const growth = await energyGrowth(listener.page, 2_000);
        expect(growth.get(boStream) ?? 0, `${listener.name} hears nothing from Bo`).toBeLessThan(
          1e-6,
        );
      }
      const catGrowth = await energyGrowth(cat.page, 2_000);
      expect(catGrowth.get(hanaStream) ?? 0, 'Cy still hears the host').toBeGreaterThan(0);

      // The target may unmute itself: audio comes back.
      await ben.page.getByRole('button', { name: 'Unmute', exact: true }).click();
      await poll(
        () => energyGrowth(cat.page, 1_000),
        (growth) => (growth.get(boStream) ?? 0) > 0,
        { what: 'Bo audible again', intervalMs: 0 },
      );

      // Remove: Cy is back in the lobby with a message; the others' connections to Cy close.
      await host.page.getByRole('button', { name: 'Options for Cy' }).click();
      const options = host.page.getByRole('dialog', { name: 'Options for Cy' });
      await options.getByRole('button', { name: 'Remove Cy' }).click();
      // Remove asks first: nothing happens until it is confirmed.
      await options.getByRole('button', { name: 'Yes, remove Cy' }).click();
      await cat.page.getByRole('heading', { name: 'People' }).waitFor();
      await cat.page.getByText('The host removed you', { exact: false }).first().waitFor();
      await poll(
        () => openConnections(host.page),
        (n) => n === 1,
        { what: 'host: 1 connection' },
      );
      await poll(
        () => openConnections(ben.page),
        (n) => n === 1,
        { what: 'Bo: 1 connection' },
      );
      await poll(
        () => openConnections(cat.page),
        (n) => n === 0,
        { what: 'Cy: 0 connections' },
      );

      // No rejoin is offered, and the button says why (the server's ROOM_BANNED for a join
      // that gets there anyway is tested on the server).
      await cat.page.getByRole('button', { name: `Join ${room}`, disabled: true }).waitFor();
      expect(
        await cat.page.getByRole('button', { name: `Join ${room}` }).getAttribute('title'),
      ).toBe('The host removed you from this room');

      // Lock: a fourth person is offered no Join and told why (the server's refusal of a join
      // that gets there anyway is the invite-link test's).
      await host.page.getByRole('button', { name: 'Lock room' }).click();
      await host.page.getByRole('button', { name: 'Unlock room' }).waitFor();
      const join = dan.page.getByRole('button', { name: `Join ${room}` });
      await dan.page.getByRole('button', { name: `Join ${room}`, disabled: true }).waitFor();
      expect(await join.getAttribute('title')).toBe('The room is locked');
      await dan.page.getByText('Locked', { exact: true }).first().waitFor();
      // Unlocked, it can be joined again.
      await host.page.getByRole('button', { name: 'Unlock room' }).click();
      await joinRoom(
        dan.page,
        room,
        dan.page.getByRole('button', { name: `Join ${room}`, disabled: false }),
      );
    } finally {
      await closeAll(people);
    }
  });
});
