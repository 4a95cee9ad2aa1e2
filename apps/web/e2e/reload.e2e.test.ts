import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  callButton,
  closeAll,
  expectAudioFlowing,
  type Person,
  recordTiming,
  signUp,
  skipReason,
  unique,
  useBrowser,
  waitConnected,
  webUrl,
} from './support';
import { joinRoom } from './voice-support';

/**
 * Records, every 50 ms in the page, whether `text` ever stopped showing: the peer's view during
 * the other's reload must never lose them.
 */
async function watchText(page: Page, text: string): Promise<() => Promise<boolean>> {
  await page.evaluate((wanted) => {
    const w = window as unknown as { __lost?: boolean; __watch?: number };
    w.__lost = false;
    w.__watch = window.setInterval(() => {
      if (!(document.body.textContent ?? '').includes(wanted)) w.__lost = true;
    }, 50);
  }, text);
  return () =>
    page.evaluate(() => {
      const w = window as unknown as { __lost?: boolean; __watch?: number };
      window.clearInterval(w.__watch);
      return w.__lost === true;
    });
}

describe.skipIf(skipReason !== '')('reload', () => {
  const browser = useBrowser();

  it('a reload in a room comes back into the same room with audio; nobody sees a leave', async () => {
    const people: Person[] = [];
    try {
      const [ann, ben] = await Promise.all([signUp(browser(), 'Ann'), signUp(browser(), 'Ben')]);
      people.push(ann, ben);
      const room = unique('Reload');
      await ann.page.getByLabel('Room name').fill(room);
      await ann.page.getByRole('button', { name: 'Create room' }).click();
      await ann.page.getByRole('heading', { name: room }).waitFor();
      await joinRoom(ben.page, room);
      await Promise.all([waitConnected(ann.page, 1), waitConnected(ben.page, 1)]);

      const lostBen = await watchText(ann.page, '2 / 6 people');
      const t0 = Date.now();
      await ben.page.reload();
      await ben.page.getByRole('heading', { name: room }).waitFor();
      const backMs = Date.now() - t0;
      await Promise.all([waitConnected(ann.page, 1), waitConnected(ben.page, 1)]);
      const connectedMs = Date.now() - t0;
      await Promise.all([expectAudioFlowing(ann.page, 1), expectAudioFlowing(ben.page, 1)]);
      recordTiming('reload-room', { reloadToRoomMs: backMs, reloadToConnectedMs: connectedMs });
      await ann.page.locator('li.tile[aria-label="Ben"]').getByText('Connected').waitFor();
      expect(await lostBen(), 'Ann saw Ben leave').toBe(false);
      await ben.page.getByText('2 / 6 people').waitFor();

      // Closing the tab is a leave once the grace (3 s in these tests) has passed.
      const closedAt = Date.now();
      await ben.context.close();
      await ann.page.getByText('1 / 6 people').waitFor({ timeout: 10_000 });
      recordTiming('close-tab-leave', { closeToLeaveMs: Date.now() - closedAt });
      expect(await ann.page.getByText('Reconnecting…').count()).toBe(0);
    } finally {
      await closeAll(people);
    }
  });

  it('a reload in a direct call comes back into the call with audio both ways', async () => {
    const people: Person[] = [];
    try {
      const [cat, dan] = await Promise.all([signUp(browser(), 'Cat'), signUp(browser(), 'Dan')]);
      people.push(cat, dan);
      await callButton(cat.page, dan).click();
      await dan.page
        .getByRole('dialog', { name: /Cat/ })
        .getByRole('button', { name: 'Accept' })
        .click();
      await Promise.all([waitConnected(cat.page, 1), waitConnected(dan.page, 1)]);

      for (const [who, other] of [
        [dan, cat],
        [cat, dan],
      ] as const) {
        const lost = await watchText(other.page, 'Hang up');
        const t0 = Date.now();
        await who.page.reload();
        await who.page.getByRole('button', { name: 'Hang up' }).waitFor();
        const backMs = Date.now() - t0;
        await Promise.all([waitConnected(cat.page, 1), waitConnected(dan.page, 1)]);
        await Promise.all([expectAudioFlowing(cat.page, 1), expectAudioFlowing(dan.page, 1)]);
        recordTiming(`reload-call-${who.name}`, {
          reloadToCallMs: backMs,
          reloadToConnectedMs: Date.now() - t0,
        });
        expect(await lost(), `${other.name} saw the call end`).toBe(false);
      }

      await dan.page.getByRole('button', { name: 'Hang up' }).click();
      await cat.page.getByRole('heading', { name: 'People' }).waitFor();
      await dan.page.getByRole('heading', { name: 'People' }).waitFor();
    } finally {
      await closeAll(people);
    }
  });

  it('a second tab does not break the call, says so, and can take it over', async () => {
    const people: Person[] = [];
    try {
      const [eva, fay] = await Promise.all([signUp(browser(), 'Eva'), signUp(browser(), 'Fay')]);
      people.push(eva, fay);
      await callButton(eva.page, fay).click();
      await fay.page
        .getByRole('dialog', { name: /Eva/ })
        .getByRole('button', { name: 'Accept' })
        .click();
      await Promise.all([waitConnected(eva.page, 1), waitConnected(fay.page, 1)]);

      // Fay opens the app again in a second tab of the same browser profile.
      const second = await fay.context.newPage();
      await second.goto(webUrl);
      await second.getByText('You are in a call in another tab.').waitFor();
      await Promise.all([expectAudioFlowing(eva.page, 1), expectAudioFlowing(fay.page, 1)]);
      await fay.page.getByRole('button', { name: 'Hang up' }).waitFor();

      const t0 = Date.now();
      await second.getByRole('button', { name: 'Take over the call here' }).click();
      await second.getByRole('button', { name: 'Hang up' }).waitFor();
      await fay.page.getByText('Your call continues in another tab.').waitFor();
      await fay.page.getByText('You are in a call in another tab.').waitFor();
      await Promise.all([waitConnected(eva.page, 1), waitConnected(second, 1)]);
      await Promise.all([expectAudioFlowing(eva.page, 1), expectAudioFlowing(second, 1)]);
      recordTiming('second-tab-takeover', { clickToConnectedMs: Date.now() - t0 });
      await eva.page.getByRole('button', { name: 'Hang up' }).waitFor();

      await second.getByRole('button', { name: 'Hang up' }).click();
      await eva.page.getByRole('heading', { name: 'People' }).waitFor();
    } finally {
      await closeAll(people);
    }
  });

  it('a second tab in a room says so and can take the seat over; nobody sees a leave', async () => {
    const people: Person[] = [];
    try {
      const [gus, hal] = await Promise.all([signUp(browser(), 'Gus'), signUp(browser(), 'Hal')]);
      people.push(gus, hal);
      const room = unique('Tabs');
      await gus.page.getByLabel('Room name').fill(room);
      await gus.page.getByRole('button', { name: 'Create room' }).click();
      await gus.page.getByRole('heading', { name: room }).waitFor();
      await joinRoom(hal.page, room);
      await Promise.all([waitConnected(gus.page, 1), waitConnected(hal.page, 1)]);

      const second = await hal.context.newPage();
      await second.goto(webUrl);
      await second.getByText('You are in a call in another tab.').waitFor();
      await Promise.all([expectAudioFlowing(gus.page, 1), expectAudioFlowing(hal.page, 1)]);

      const lostHal = await watchText(gus.page, '2 / 6 people');
      const t0 = Date.now();
      await second.getByRole('button', { name: 'Take over the call here' }).click();
      await second.getByRole('heading', { name: room }).waitFor();
      await hal.page.getByRole('heading', { name: 'People' }).waitFor();
      await Promise.all([waitConnected(gus.page, 1), waitConnected(second, 1)]);
      await Promise.all([expectAudioFlowing(gus.page, 1), expectAudioFlowing(second, 1)]);
      recordTiming('second-tab-room-takeover', { clickToConnectedMs: Date.now() - t0 });
      expect(await lostHal(), 'Gus saw Hal leave').toBe(false);
      await hal.page.getByText('You are in a call in another tab.').waitFor();
    } finally {
      await closeAll(people);
    }
  });
});
