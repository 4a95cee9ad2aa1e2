// Issue 10, "Finding each other": offline teammates, "In <room> → Join", relative times and
// call-back in the history, the tab title and the favicon.
import { describe, expect, it } from 'vitest';
import {
  callButton,
  closeAll,
  type Person,
  poll,
  signUp,
  skipReason,
  unique,
  useBrowser,
  webUrl,
} from './support';
import { joinRoom } from './voice-support';

describe.skipIf(skipReason !== '')('lobby', () => {
  const browser = useBrowser();

  it('lists offline teammates greyed, offers "In <room> → Join", calls back from the history, titles the tab', async () => {
    const people: Person[] = [];
    try {
      // Gus signs up and leaves before Ann ever sees him online: only the directory knows him.
      const gus = await signUp(browser(), unique('Gus'));
      people.push(gus);
      await gus.page.getByRole('button', { name: 'Sign out' }).click();
      await gus.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

      const [ann, ben] = await Promise.all([signUp(browser(), 'Ann'), signUp(browser(), 'Bertil')]);
      people.push(ann, ben);
      const people_ = ann.page.getByRole('region', { name: 'People' });
      const gusRow = people_.getByRole('listitem').filter({ hasText: gus.name });
      await gusRow.getByText('Offline', { exact: true }).waitFor();
      expect(await gusRow.getAttribute('data-status')).toBe('offline');
      expect(await gusRow.getByRole('button', { name: `Call ${gus.name}` }).isDisabled()).toBe(
        true,
      );
      // Greyed: visibly fainter than an online row.
      // Other files' people may be listed on the shared server: Ann's Bertil is the online one.
      const benRow = people_.locator('li[data-status="online"]').filter({ hasText: 'Bertil' });
      await benRow.getByText('Online', { exact: true }).waitFor();
      const opacity = (row: typeof gusRow) =>
        row.evaluate((element) => Number(getComputedStyle(element).opacity));
      expect(await opacity(gusRow)).toBeLessThan(await opacity(benRow));

      // A declined call, then call back from the history with its relative time.
      await callButton(ann.page, ben).click();
      const dialog = ben.page.getByRole('dialog', { name: /Ann/ });
      await dialog.waitFor();
      expect(await ben.page.title()).toBe('Incoming call — Ann');
      await dialog.getByRole('button', { name: 'Decline' }).click();
      await ann.page.getByText('Bertil declined the call.').waitFor();
      expect(await ben.page.title()).toBe('OpenWCall');
      const history = ann.page.getByRole('region', { name: 'Recent calls' });
      const entry = history.getByRole('listitem').filter({ hasText: 'Bertil' }).first();
      await entry.getByText('Outgoing · Declined').waitFor();
      await entry.getByText('just now', { exact: true }).waitFor();
      const time = entry.locator('time');
      expect(await time.getAttribute('title')).toMatch(/\d/);
      await entry.getByRole('button', { name: 'Call back Bertil' }).click();
      await ann.page.getByText('Calling…').waitFor();
      expect(await ann.page.title()).toBe('Calling Bertil · OpenWCall');
      await dialog.waitFor();
      await ann.page.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });

      // Bertil opens a room: Ann's list says where he is and joins him there.
      const room = unique('Standup');
      await ben.page.getByLabel('Room name').fill(room);
      await ben.page.getByRole('button', { name: 'Create room' }).click();
      await ben.page.getByRole('heading', { name: room }).waitFor();
      expect(await ben.page.title()).toBe(`${room} · OpenWCall`);
      await benRow.getByText(`In ${room}`, { exact: true }).waitFor();
      await joinRoom(
        ann.page,
        room,
        benRow.getByRole('button', { name: `Join Bertil in ${room}` }),
      );
      await ann.page.getByText('2 / 6 people').waitFor();
    } finally {
      await closeAll(people);
    }
  });

  it('serves a favicon', async () => {
    const page = await (await browser().newContext()).newPage();
    try {
      await page.goto(webUrl);
      const href = await poll(
        () => page.locator('link[rel~="icon"]').first().getAttribute('href'),
        (value) => value !== null,
        { what: 'a link rel=icon' },
      );
      const response = await page.request.get(new URL(href ?? '', webUrl).toString());
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toMatch(/image\/svg\+xml/);
      expect(await response.text()).toContain('<svg');
    } finally {
      await page.context().close();
    }
  });
});
