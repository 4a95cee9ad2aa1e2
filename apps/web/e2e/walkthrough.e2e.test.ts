// Issue 10, "Bugs seen in the walk-through": what a new user ran into in the lobby and rooms.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { closeAll, type Person, signUp, skipReason, unique, useBrowser } from './support';

/** Tag and text of the focused element ('BODY' when focus dropped to the page). */
function focused(page: Page) {
  return page.evaluate(() => {
    const active = document.activeElement;
    return { tag: active?.tagName ?? 'none', text: active?.textContent?.trim() ?? '' };
  });
}

describe.skipIf(skipReason !== '')('walk-through', () => {
  const browser = useBrowser();

  it('an all-spaces room name says what is wrong; focus lands on a heading after sign-in, entering and leaving', async () => {
    const people: Person[] = [];
    try {
      const ann = await signUp(browser(), 'Ann');
      people.push(ann);
      const { page } = ann;
      // Signed in (registration signs in): focus is on the lobby, not the page body.
      expect(await focused(page)).toEqual({ tag: 'H2', text: 'People' });

      await page.getByLabel('Room name').fill('   ');
      await page.getByRole('button', { name: 'Create room' }).click();
      await page
        .getByRole('alert')
        .getByText('Room name: must not be empty or only spaces.', { exact: true })
        .waitFor();
      expect(await page.getByLabel('Room name').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('Room name').inputValue()).toBe('   ');

      const room = unique('Focus');
      await page.getByLabel('Room name').fill(room);
      await page.getByRole('button', { name: 'Create room' }).click();
      await page.getByRole('heading', { name: room }).waitFor();
      expect(await focused(page)).toEqual({ tag: 'H1', text: room });

      await page.getByRole('button', { name: 'Leave room' }).click();
      await page.getByRole('heading', { name: 'Rooms' }).waitFor();
      expect(await focused(page)).toEqual({ tag: 'H2', text: 'Rooms' });

      // Signing in by hand, not only after registering.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Email').fill(ann.email);
      await page.getByLabel('Password').fill(ann.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'People' }).waitFor();
      expect(await focused(page)).toEqual({ tag: 'H2', text: 'People' });
    } finally {
      await closeAll(people);
    }
  });

  it('the "connection lost" notice goes as soon as the header says Connected', async () => {
    const people: Person[] = [];
    try {
      const ben = await signUp(browser(), 'Ben');
      people.push(ben);
      const lost = ben.page.getByText('Connection to the server lost. Reconnecting…');
      await ben.page.evaluate(() => window.__openwcall.dropSignaling());
      await lost.waitFor();
      await ben.page.getByRole('banner').getByText('Connected', { exact: true }).waitFor();
      // The notice used to stay for its 10 s lifetime; one render after Connected is enough.
      await lost.waitFor({ state: 'detached', timeout: 1_000 });
    } finally {
      await closeAll(people);
    }
  });
});
