// The README's screenshots: every screen at 1280×800 and 375×812, light and dark, from the real
// app. Each shot also checks the page is not wider than the viewport and that the colour scheme
// took (the body background is light or dark), so a broken theme or layout fails here.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  callButton,
  closeAll,
  newPage,
  type Person,
  screenshot,
  signUp,
  skipReason,
  unique,
  useBrowser,
  waitConnected,
  webUrl,
} from './support';
import { joinRoom } from './voice-support';

const SIZES = [
  { name: '1280', width: 1280, height: 800 },
  { name: '375', width: 375, height: 812 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

/** Relative luminance-ish of a CSS rgb() colour, 0 (black) to 255 (white). */
function brightness(css: string): number {
  const [r = 0, g = 0, b = 0] = (css.match(/[\d.]+/g) ?? []).map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Four shots of the page as it is now: `<screen>-<size>-<scheme>.png`. */
async function shoot(page: Page, screen: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      const { width, background } = await page.evaluate(() => ({
        width: document.documentElement.scrollWidth,
        background: getComputedStyle(document.documentElement).backgroundColor,
      }));
      expect(width, `${screen} ${size.name} ${scheme}: page width`).toBeLessThanOrEqual(size.width);
      const light = brightness(background) > 128;
      expect(light, `${screen} ${scheme}: page background ${background}`).toBe(scheme === 'light');
      await screenshot(page, `${screen}-${size.name}-${scheme}.png`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });
}

describe.skipIf(skipReason !== '')('screenshots', () => {
  const browser = useBrowser();

  it('sign-in, lobby, a room of three, a call and an incoming call at two sizes, light and dark', async () => {
    const people: Person[] = [];
    const { context, page } = await newPage(browser());
    try {
      await page.goto(webUrl);
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      await shoot(page, 'sign-in');

      // A teammate who is offline, so the lobby shows a greyed row.
      const dora = await signUp(browser(), 'Dora');
      people.push(dora);
      await dora.page.getByRole('button', { name: 'Sign out' }).click();
      await dora.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

      const [ann, ben, cat] = await Promise.all([
        signUp(browser(), 'Ann'),
        signUp(browser(), 'Ben'),
        signUp(browser(), 'Cat'),
      ]);
      people.push(ann, ben, cat);

      // Incoming call (Ben's side), then the call itself (Ann's side).
      await callButton(ann.page, ben).click();
      const dialog = ben.page.getByRole('dialog', { name: /Ann/ });
      await dialog.waitFor();
      await shoot(ben.page, 'incoming-call');
      await dialog.getByRole('button', { name: 'Accept' }).click();
      await ann.page.getByRole('button', { name: 'Hang up' }).waitFor();
      await waitConnected(ann.page, 1);
      await ann.page.locator('[data-peer-state="connected"]').waitFor();
      await shoot(ann.page, 'call');
      await ann.page.getByRole('button', { name: 'Hang up' }).click();
      await ann.page.getByRole('heading', { name: 'People' }).waitFor();

      // Lobby: people (one in a room, one offline), an open room, the call in the history.
      const room = unique('Design review');
      await cat.page.getByLabel('Room name').fill(room);
      await cat.page.getByRole('button', { name: 'Create room' }).click();
      await cat.page.getByRole('heading', { name: room }).waitFor();
      await ann.page.getByText(`In ${room}`, { exact: true }).waitFor();
      await ann.page.getByText('Outgoing · Answered').first().waitFor();
      await ann.page.getByText('Offline', { exact: true }).first().waitFor();
      await shoot(ann.page, 'lobby');

      // A room of three, from the host's side (moderation buttons): Ben muted, someone speaking.
      for (const person of [ann, ben]) {
        const join = person.page.getByRole('button', { name: `Join ${room}`, exact: true });
        await joinRoom(person.page, room, join);
      }
      await waitConnected(cat.page, 2);
      await ben.page.getByRole('button', { name: 'Mute', exact: true }).click();
      await cat.page.locator('li.tile[aria-label="Ben"]').getByText('Muted').waitFor();
      await cat.page.locator('li.tile[data-speaking="true"]').first().waitFor({ timeout: 15_000 });
      await shoot(cat.page, 'room');
    } finally {
      await context.close();
      await closeAll(people);
    }
  });
});
