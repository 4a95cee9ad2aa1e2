import { describe, expect, it } from 'vitest';
import {
  closeAll,
  localStreamId,
  type Person,
  poll,
  screenshot,
  signUp,
  skipReason,
  unique,
  useBrowser,
} from './support';
import {
  afterPacketsArrive,
  createRoom,
  deviceCheck,
  energyFrom,
  joinNow,
  streamOf,
} from './voice-support';

describe.skipIf(skipReason !== '')('device check before joining', () => {
  const browser = useBrowser();

  it('shows the live microphone level, plays a test sound, and Join muted joins muted', async () => {
    const people: Person[] = [];
    try {
      const [ann, ben] = await Promise.all([signUp(browser(), 'Ann'), signUp(browser(), 'Ben')]);
      people.push(ann, ben);
      const room = unique('Green');
      await createRoom(ann.page, room);

      await ben.page.getByRole('button', { name: `Join ${room}` }).click();
      const check = deviceCheck(ben.page);
      await check.getByText(`Before you join ${room}.`).waitFor();
      // The select's name is its label and the chosen option ("Microphone Default microphone").
      await check.getByRole('combobox', { name: /^Microphone/ }).waitFor();
      // The fake microphone beeps: the level rises and falls while the check is open.
      const meter = check.getByRole('meter');
      const seen = new Set<number>();
      await poll(
        async () => {
          seen.add(Number(await meter.getAttribute('value')));
          return seen;
        },
        (values) => values.size >= 3 && Math.max(...values) >= 0.3,
        { what: 'a moving microphone level', intervalMs: 60, timeoutMs: 10_000 },
      );
      expect(Math.min(...seen)).toBeLessThan(Math.max(...seen));
      await screenshot(ben.page, 'device-check-1280.png');

      // The test sound plays to its end on the chosen (default) speaker.
      await check.getByRole('button', { name: 'Play test sound' }).click();
      await check.getByRole('button', { name: 'Playing test sound…' }).waitFor();
      await check.getByRole('button', { name: 'Play test sound' }).waitFor({ timeout: 5_000 });
      await expect(
        check.getByText('The test sound could not play', { exact: false }).count(),
      ).resolves.toBe(0);

      // The microphone opened for the check is the one the room then gets (not opened twice).
      const checked = await localStreamId(ben.page);
      expect(checked).not.toBeNull();
      await joinNow(ben.page, { muted: true });
      await ben.page.getByRole('heading', { name: room }).waitFor();
      expect(await streamOf(ben)).toBe(checked);
      await ben.page.getByRole('button', { name: 'Unmute', exact: true }).waitFor();
      await ann.page.locator('li.tile[aria-label="Ben"]').getByText('Muted').waitFor();
      // Ann receives Ben's packets, and they are silence.
      await afterPacketsArrive(ann.page, checked as string);
      expect(
        await energyFrom(ann.page, checked as string),
        'Ann hears nothing of Ben',
      ).toBeLessThan(1e-6);

      // Remembered in this browser: the next check has Join muted ticked.
      await ben.page.getByRole('button', { name: 'Leave room' }).click();
      await ben.page.getByRole('button', { name: `Join ${room}` }).click();
      await expect(check.getByLabel('Join muted').isChecked()).resolves.toBe(true);
      await check.getByRole('button', { name: 'Cancel' }).click();
    } finally {
      await closeAll(people);
    }
  }, 90_000);

  it('Cancel goes back to the lobby without joining and lets the microphone go', async () => {
    const people: Person[] = [];
    try {
      const [ann, cat] = await Promise.all([signUp(browser(), 'Ann'), signUp(browser(), 'Cat')]);
      people.push(ann, cat);
      const room = unique('Cancel');
      await createRoom(ann.page, room);
      await cat.page.getByRole('button', { name: `Join ${room}` }).click();
      const check = deviceCheck(cat.page);
      await check.getByRole('meter').waitFor();
      await check.getByRole('button', { name: 'Cancel' }).click();
      await check.waitFor({ state: 'detached' });
      await cat.page.getByRole('heading', { name: 'People' }).waitFor();
      await cat.page.getByRole('button', { name: `Join ${room}` }).waitFor();
      expect(await localStreamId(cat.page), 'the microphone is closed').toBeNull();
      expect(
        await cat.page.evaluate(() => window.__pcs.length),
        'no peer connection was made',
      ).toBe(0);
      // A round trip through the server after the cancel: Cat's own status comes back. A join
      // sent before it would have reached the room first (one socket, in order).
      await cat.page.getByLabel('Status').selectOption('away');
      await poll(
        () =>
          cat.page.evaluate((id) => {
            const lobby = window.__openwcall.app.connection.getSnapshot()?.lobby.getSnapshot();
            return lobby?.people.find((p) => p.userId === id)?.status;
          }, cat.userId),
        (status) => status === 'away',
        { what: "Cat's status back from the server" },
      );
      await ann.page.getByText('1 / 6 people').waitFor();
      expect(await ann.page.locator('li.tile[aria-label="Cat"]').count()).toBe(0);
    } finally {
      await closeAll(people);
    }
  }, 60_000);
});
