import { describe, expect, it } from 'vitest';
import {
  closeAll,
  newPage,
  type Person,
  signUp,
  skipReason,
  unique,
  useBrowser,
  waitConnected,
} from './support';
import { createRoom, joinNow } from './voice-support';

describe.skipIf(skipReason !== '')('invite links', () => {
  const browser = useBrowser();

  it('a link signs a newcomer in and joins; a locked or closed room says so', async () => {
    const people: Person[] = [];
    const extra: Array<{ close(): Promise<void> }> = [];
    try {
      const ann = await signUp(browser(), 'Ann');
      people.push(ann);
      await ann.context.grantPermissions(['clipboard-read', 'clipboard-write']);
      const room = unique('Invite');
      await createRoom(ann.page, room);
      const link = await ann.page.getByLabel('Invite link').inputValue();
      expect(link).toMatch(/\/r\/[^/]+$/);
      await ann.page.getByRole('button', { name: 'Copy invite link' }).click();
      await ann.page.getByText('Link copied').waitFor();
      expect(await ann.page.evaluate(() => navigator.clipboard.readText())).toBe(link);

      // Ben has no account in this browser: the link asks him to sign up, then joins.
      const ben = await newPage(browser());
      extra.push(ben.context);
      await ben.page.goto(link);
      await ben.page.getByRole('button', { name: 'Register a new account' }).click();
      await ben.page.getByLabel('Email').fill(`${unique('ben')}@example.test`);
      await ben.page.getByLabel('Display name').fill('Ben');
      await ben.page.getByLabel('Password').fill('correct horse battery');
      await ben.page.getByRole('button', { name: 'Create account', exact: true }).click();
      await joinNow(ben.page);
      await ben.page.getByRole('heading', { name: room }).waitFor();
      await ann.page.locator('li.tile[aria-label="Ben"]').waitFor();
      await waitConnected(ann.page, 1);
      // Back at the lobby's address, so a reload does not join again.
      expect(new URL(ben.page.url()).pathname).toBe('/');

      // Locked: Cat (signed in) opens the link and is told on that page.
      const cat = await signUp(browser(), 'Cat');
      people.push(cat);
      await ann.page.getByRole('button', { name: 'Lock room' }).click();
      await ann.page.getByRole('button', { name: 'Unlock room' }).waitFor();
      await cat.page.goto(link);
      await joinNow(cat.page);
      await cat.page.getByRole('heading', { name: 'You cannot join this room' }).waitFor();
      await cat.page.getByRole('alert').getByText('locked', { exact: false }).waitFor();

      // Unlocked: "Try again" joins.
      await ann.page.getByRole('button', { name: 'Unlock room' }).click();
      await ann.page.getByRole('button', { name: 'Lock room' }).waitFor();
      await cat.page.getByRole('button', { name: 'Try again' }).click();
      await joinNow(cat.page);
      await cat.page.getByRole('heading', { name: room }).waitFor();

      // Closed: once everyone left, the link says the room has closed.
      for (const page of [ann.page, ben.page, cat.page]) {
        await page.getByRole('button', { name: 'Leave room' }).click();
        await page.getByRole('heading', { name: 'People' }).waitFor();
      }
      await cat.page.goto(link);
      await joinNow(cat.page);
      await cat.page.getByRole('alert').getByText('closed', { exact: false }).waitFor();
      await cat.page.getByRole('button', { name: 'Go to the lobby' }).click();
      await cat.page.getByRole('heading', { name: 'People' }).waitFor();
    } finally {
      await closeAll(people);
      await Promise.all(extra.map((c) => c.close().catch(() => {})));
    }
  }, 120_000);
});
