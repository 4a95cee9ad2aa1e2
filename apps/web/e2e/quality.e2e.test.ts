import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  closeAll,
  type Person,
  recordTiming,
  signUp,
  skipReason,
  unique,
  useBrowser,
} from './support';
import { meetInRoom, startCall } from './voice-support';

// "Connection good: 1 ms round trip, 0% loss, 2 ms jitter" (src/quality/measure.ts).
const GOOD = /^Connection good: (\d+) ms round trip, (\d+)% loss, (\d+) ms jitter$/;
const OWN_GOOD = /^Your connection good: (\d+) ms round trip/;

/** The figures a quality badge names, once it names all three. */
async function figures(badge: Locator) {
  await badge.waitFor({ timeout: 15_000 });
  const name = (await badge.getAttribute('aria-label')) ?? '';
  const [, rtt, loss, jitter] = GOOD.exec(name) ?? [];
  expect(await badge.getAttribute('title'), 'the figures on hover').toBe(name);
  return { name, rtt: Number(rtt), loss: Number(loss), jitter: Number(jitter) };
}

describe.skipIf(skipReason !== '')('connection quality', () => {
  const browser = useBrowser();

  it('in a room each person sees the other as good, with figures, and their own uplink', async () => {
    const people: Person[] = [];
    try {
      const [ann, ben] = await Promise.all([signUp(browser(), 'Ann'), signUp(browser(), 'Ben')]);
      people.push(ann, ben);
      await meetInRoom(ann, [ben], unique('Quality'));
      const t0 = Date.now();
      for (const [me, other] of [
        [ann, ben],
        [ben, ann],
      ] as const) {
        const badge = me.page
          .locator(`li.tile[aria-label="${other.name}"]`)
          .getByRole('button', { name: GOOD });
        const shown = await figures(badge);
        // Loopback between two pages: well inside "good" (rtt < 250 ms, jitter < 30 ms).
        expect(shown.rtt, shown.name).toBeLessThan(250);
        expect(shown.jitter, shown.name).toBeLessThan(30);
        expect(shown.loss, shown.name).toBeLessThan(2);
        // Keyboard: Shift+Tab from the tile's options button reaches the badge, which then
        // shows its figures.
        await me.page.getByRole('button', { name: `Options for ${other.name}` }).focus();
        await me.page.keyboard.press('Shift+Tab');
        await expect(badge.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
        await badge.locator('.quality-tip').waitFor({ state: 'visible' });
        await me.page
          .getByRole('toolbar', { name: 'Call controls' })
          .getByRole('button', { name: OWN_GOOD })
          .waitFor({ timeout: 15_000 });
      }
      recordTiming('quality-shown', { meetToBothShownMs: Date.now() - t0 });
    } finally {
      await closeAll(people);
    }
  }, 60_000);

  it('in a direct call each side sees the other as good', async () => {
    const people: Person[] = [];
    try {
      const [cat, dan] = await Promise.all([signUp(browser(), 'Cat'), signUp(browser(), 'Dan')]);
      people.push(cat, dan);
      await startCall(cat, dan);
      for (const person of [cat, dan]) {
        const badge = person.page.getByRole('main').getByRole('button', { name: GOOD });
        expect((await figures(badge)).rtt).toBeLessThan(250);
      }
    } finally {
      await closeAll(people);
    }
  }, 60_000);
});
