import { describe, expect, it } from 'vitest';
import {
  closeAll,
  energyGrowth,
  type Person,
  signUp,
  skipReason,
  unique,
  useBrowser,
} from './support';
import {
  afterPacketsArrive,
  energyFrom,
  joinRoom,
  meetInRoom,
  streamOf,
  waitHears,
} from './voice-support';

describe.skipIf(skipReason !== '')('deafen', () => {
  const browser = useBrowser();

  it('a deafened person hears nobody and sends nothing, and the others see it', async () => {
    const people: Person[] = [];
    try {
      const [ann, ben, cat] = await Promise.all([
        signUp(browser(), 'Ann'),
        signUp(browser(), 'Ben'),
        signUp(browser(), 'Cat'),
      ]);
      people.push(ann, ben, cat);
      const room = unique('Hush');
      await meetInRoom(ann, [ben, cat], room);
      const benStream = await streamOf(ben);
      const [annStream, catStream] = [await streamOf(ann), await streamOf(cat)];

      await ben.page.getByRole('button', { name: 'Deafen', exact: true }).click();
      await ben.page.getByRole('button', { name: 'Undeafen', exact: true }).waitFor();
      // The others see it on Ben's tile.
      for (const other of [ann, cat]) {
        await other.page.locator('li.tile[aria-label="Ben"]').getByText('Deafened').waitFor();
      }
      // Ben plays nothing while audio still arrives, and sends nothing.
      await afterPacketsArrive(ben.page, annStream);
      const heard = await energyGrowth(ben.page);
      expect(heard.get(annStream) ?? 0, 'Ben does not hear Ann').toBeLessThan(1e-6);
      expect(heard.get(catStream) ?? 0, 'Ben does not hear Cat').toBeLessThan(1e-6);
      await afterPacketsArrive(ann.page, benStream);
      expect(await energyFrom(ann.page, benStream), 'Ann hears nothing from Ben').toBeLessThan(
        1e-6,
      );
      expect(await energyFrom(cat.page, benStream), 'Cat hears nothing from Ben').toBeLessThan(
        1e-6,
      );
      // Ann and Cat still hear each other.
      expect(await energyFrom(ann.page, catStream), 'Ann still hears Cat').toBeGreaterThan(0);

      // A late joiner sees it too.
      const dee = await signUp(browser(), 'Dee');
      people.push(dee);
      await joinRoom(dee.page, room);
      await dee.page.locator('li.tile[aria-label="Ben"]').getByText('Deafened').waitFor();

      await ben.page.getByRole('button', { name: 'Undeafen', exact: true }).click();
      await ann.page
        .locator('li.tile[aria-label="Ben"]')
        .getByText('Deafened')
        .waitFor({ state: 'detached' });
      await waitHears(ann.page, benStream, 'Ann hears Ben again');
      await waitHears(ben.page, annStream, 'Ben hears Ann again');
    } finally {
      await closeAll(people);
    }
  }, 120_000);
});
