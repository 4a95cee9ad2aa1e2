import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  closeAll,
  expectAudioFlowing,
  inboundAudio,
  type Person,
  signUp,
  skipReason,
  unique,
  useBrowser,
  waitConnected,
} from './support';
import { joinRoom } from './voice-support';

function dropSignaling(page: Page) {
  return page.evaluate(() => window.__openwcall.dropSignaling());
}

describe.skipIf(skipReason !== '')('recovery', () => {
  const browser = useBrowser();

  it('a room survives one person losing the signaling connection', async () => {
    const people: Person[] = [];
    try {
      const [mia, ned, ola] = await Promise.all([
        signUp(browser(), 'Mia'),
        signUp(browser(), 'Ned'),
        signUp(browser(), 'Ola'),
      ]);
      people.push(mia, ned, ola);
      const room = unique('Flaky');
      await mia.page.getByLabel('Room name').fill(room);
      await mia.page.getByRole('button', { name: 'Create room' }).click();
      await mia.page.getByRole('heading', { name: room }).waitFor();
      for (const person of [ned, ola]) {
        await joinRoom(person.page, room);
      }
      for (const person of people) await waitConnected(person.page, 2);

      // Ned's socket drops as on a network loss; the client reconnects on its own.
      await dropSignaling(ned.page);
      await ned.page.getByText('Reconnecting…').first().waitFor();
      await ned.page.getByText('Connected', { exact: true }).first().waitFor();
      // Still in the room, with everyone, nobody rejoined by hand.
      await ned.page.getByRole('heading', { name: room }).waitFor();
      await ned.page.getByText('3 / 6 people').waitFor();
      await mia.page.getByText('3 / 6 people').waitFor();
      for (const person of people) await waitConnected(person.page, 2);
      await Promise.all(people.map((p) => expectAudioFlowing(p.page, 2)));

      // The mesh still signals through the new socket: mute works end to end.
      await ned.page.getByRole('button', { name: 'Mute', exact: true }).click();
      await mia.page.locator('li.tile[aria-label="Ned"]').getByText('Muted').waitFor();
      await ned.page.getByRole('button', { name: 'Unmute', exact: true }).click();

      // A longer loss, with the browser offline for a moment.
      await ola.context.setOffline(true);
      await dropSignaling(ola.page);
      await new Promise((r) => setTimeout(r, 1_000));
      await ola.context.setOffline(false);
      await ola.page.getByText('Connected', { exact: true }).first().waitFor({ timeout: 20_000 });
      await ola.page.getByRole('heading', { name: room }).waitFor();
      for (const person of people) await waitConnected(person.page, 2);
      await Promise.all(people.map((p) => expectAudioFlowing(p.page, 2)));
      const stats = await inboundAudio(ola.page);
      expect(stats.filter((s) => s.state === 'connected')).toHaveLength(2);
    } finally {
      await closeAll(people);
    }
  });
});
