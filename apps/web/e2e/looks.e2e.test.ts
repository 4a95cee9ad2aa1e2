import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  closeAll,
  newPage,
  type Person,
  signUp,
  skipReason,
  unique,
  useBrowser,
  webUrl,
} from './support';
import { createRoom, joinRoom } from './voice-support';

type Box = { x: number; y: number; width: number; height: number };

function overlaps(a: Box, b: Box): boolean {
  // One pixel of slack: borders of neighbours may touch.
  return (
    a.x + a.width > b.x + 1 &&
    b.x + b.width > a.x + 1 &&
    a.y + a.height > b.y + 1 &&
    b.y + b.height > a.y + 1
  );
}

async function box(locator: Locator): Promise<Box> {
  const found = await locator.boundingBox();
  if (!found) throw new Error(`no box for ${locator}`);
  return found;
}

const channels = (css: string) => (css.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);

/** Sum of the RGB channel differences of a button's background, resting vs hovered. */
async function hoverShift(page: Page, button: Locator) {
  const colours = () =>
    button.evaluate((element) => {
      const style = getComputedStyle(element);
      return { background: style.backgroundColor, color: style.color };
    });
  await page.mouse.move(0, 0);
  // The hover transition lasts 0.15 s; read settled colours.
  await page.waitForTimeout(300);
  const before = await colours();
  await button.hover();
  await page.waitForTimeout(300);
  const hovered = await colours();
  await page.mouse.move(0, 0);
  const distance = channels(before.background).reduce(
    (sum, value, index) => sum + Math.abs(value - (channels(hovered.background)[index] ?? 0)),
    0,
  );
  return { before, hovered, distance };
}

describe.skipIf(skipReason !== '')('looks', () => {
  const browser = useBrowser();

  it('keeps coloured buttons (Sign in, Create room, Unmute, Leave room) coloured while hovered', async () => {
    const { context, page } = await newPage(browser());
    const people: Person[] = [];
    try {
      await page.goto(webUrl);
      const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
      await signIn.waitFor();
      const shifts: Record<string, Awaited<ReturnType<typeof hoverShift>>> = {};
      shifts['Sign in'] = await hoverShift(page, signIn);

      const ann = await signUp(browser(), 'Ann');
      people.push(ann);
      shifts['Create room'] = await hoverShift(
        ann.page,
        ann.page.getByRole('button', { name: 'Create room' }),
      );
      await createRoom(ann.page, unique('Hover'));
      shifts['Leave room'] = await hoverShift(
        ann.page,
        ann.page.getByRole('button', { name: 'Leave room' }),
      );
      await ann.page.getByRole('button', { name: 'Mute', exact: true }).click();
      shifts.Unmute = await hoverShift(
        ann.page,
        ann.page.getByRole('button', { name: 'Unmute', exact: true }),
      );

      for (const [name, shift] of Object.entries(shifts)) {
        expect(shift.hovered.color, `${name}: text colour`).toBe(shift.before.color);
        // A slight shade is fine; turning grey is a jump of well over 100 across the channels.
        expect(
          shift.distance,
          `${name}: ${shift.before.background} → ${shift.hovered.background}`,
        ).toBeLessThan(60);
      }
    } finally {
      await context.close();
      await closeAll(people);
    }
  });

  it('at 375×812: header in one row, a bottom bar of icon buttons, tiles that never overlap, long names cut with an ellipsis', async () => {
    const people: Person[] = [];
    // 31 letters and a space: one short of the display-name limit.
    const longName = 'Maximiliana Featherstonehaughly';
    try {
      const [ann, max, cat] = await Promise.all([
        signUp(browser(), 'Ann'),
        signUp(browser(), longName),
        signUp(browser(), 'Cat'),
      ]);
      people.push(ann, max, cat);
      await ann.page.setViewportSize({ width: 375, height: 812 });
      const header = ann.page.getByRole('banner');
      expect((await box(header)).height, 'header height (one row)').toBeLessThanOrEqual(64);
      const signOut = await box(header.getByRole('button', { name: 'Sign out' }));
      expect(signOut.x + signOut.width, 'Sign out inside the viewport').toBeLessThanOrEqual(375);
      const lobbyWidth = await ann.page.evaluate(() => document.documentElement.scrollWidth);
      expect(lobbyWidth, 'lobby no wider than the viewport').toBeLessThanOrEqual(375);

      const room = unique('Phone');
      await createRoom(ann.page, room);
      for (const person of [max, cat]) {
        await joinRoom(person.page, room);
      }
      await ann.page.getByText('3 / 6 people').waitFor();
      // The host's view is the fullest: every other tile carries its options button.
      await ann.page.getByRole('button', { name: `Options for ${longName}` }).waitFor();
      expect((await box(header)).height, 'header height in a room').toBeLessThanOrEqual(64);

      const pageWidth = await ann.page.evaluate(() => document.documentElement.scrollWidth);
      expect(pageWidth, 'nothing wider than the viewport').toBeLessThanOrEqual(375);

      const bar = ann.page.getByRole('toolbar', { name: 'Call controls' });
      const tiles = ann.page.getByRole('list', { name: 'Participants' }).getByRole('listitem');
      expect(await tiles.count()).toBe(3);
      for (const scroll of ['top', 'bottom'] as const) {
        await ann.page.evaluate((to) => {
          window.scrollTo(0, to === 'top' ? 0 : document.documentElement.scrollHeight);
        }, scroll);
        const barBox = await box(bar);
        expect(barBox.height, 'a compact bar').toBeLessThanOrEqual(80);
        expect(barBox.x).toBeGreaterThanOrEqual(0);
        expect(barBox.x + barBox.width).toBeLessThanOrEqual(375);
        expect(barBox.y + barBox.height, 'the bar sits at the bottom').toBeGreaterThan(812 - 24);
        const tileBoxes = await Promise.all((await tiles.all()).map(box));
        for (const [i, tile] of tileBoxes.entries()) {
          expect(tile.x, `tile ${i} left`).toBeGreaterThanOrEqual(0);
          expect(tile.x + tile.width, `tile ${i} right`).toBeLessThanOrEqual(375);
          const visible = tile.y < 812 && tile.y + tile.height > 0;
          if (visible && scroll === 'bottom') {
            expect(overlaps(tile, barBox), `the bar covers tile ${i} (${scroll})`).toBe(false);
          }
          for (const [j, other] of tileBoxes.entries()) {
            if (j > i) expect(overlaps(tile, other), `tiles ${i} and ${j} overlap`).toBe(false);
          }
        }
      }
      // Two tiles side by side on a phone, so three people fit without scrolling.
      const [first, second] = await Promise.all([box(tiles.nth(0)), box(tiles.nth(1))]);
      expect(Math.abs(first.y - second.y), 'first two tiles on one row').toBeLessThan(2);

      // Icon buttons: narrow, with their accessible names unchanged.
      for (const name of ['Mute', 'Leave room']) {
        const button = bar.getByRole('button', { name, exact: true });
        expect((await box(button)).width, `${name} is an icon button`).toBeLessThanOrEqual(56);
      }

      // The long name ends in an ellipsis inside its tile; the full name is in title and label.
      const tile = ann.page.getByRole('listitem', { name: longName, exact: true });
      const nameText = tile.locator('.tile-name-text');
      expect(await nameText.getAttribute('title')).toBe(longName);
      const fit = await nameText.evaluate((element) => {
        const tileBox = element.closest('li')?.getBoundingClientRect();
        const own = element.getBoundingClientRect();
        return {
          truncated: element.scrollWidth > element.clientWidth,
          ellipsis: getComputedStyle(element).textOverflow,
          inside: !!tileBox && own.right <= tileBox.right && own.left >= tileBox.left,
        };
      });
      expect(fit).toEqual({ truncated: true, ellipsis: 'ellipsis', inside: true });
    } finally {
      await closeAll(people);
    }
  });
});
