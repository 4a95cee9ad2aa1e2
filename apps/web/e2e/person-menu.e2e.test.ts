import { describe, expect, it } from 'vitest';
import {
  closeAll,
  type Person,
  signUp,
  skipReason,
  unique,
  useBrowser,
  waitConnected,
} from './support';
import { createRoom, joinRoom, startCall } from './voice-support';

describe.skipIf(skipReason !== '')('per-person menu', () => {
  const browser = useBrowser();

  it('opens from the keyboard, closes on Esc, and Remove asks first', async () => {
    const people: Person[] = [];
    try {
      const [ann, ben] = await Promise.all([
        signUp(browser(), unique('Ann')),
        signUp(browser(), unique('Ben')),
      ]);
      people.push(ann, ben);
      const room = unique('Menu');
      await createRoom(ann.page, room);
      await joinRoom(ben.page, room);
      await waitConnected(ann.page, 1);

      // Keyboard: Enter opens it with focus on the volume, arrows change it, Esc closes it and
      // gives focus back to the button.
      const button = ann.page.getByRole('button', { name: `Options for ${ben.name}` });
      const panel = ann.page.getByRole('dialog', { name: `Options for ${ben.name}` });
      await button.focus();
      await ann.page.keyboard.press('Enter');
      await panel.waitFor();
      expect(await button.getAttribute('aria-expanded')).toBe('true');
      const slider = panel.getByRole('slider', { name: `Volume for ${ben.name}` });
      expect(await slider.evaluate((el) => el === document.activeElement)).toBe(true);
      await ann.page.keyboard.press('ArrowRight');
      expect(await slider.inputValue()).toBe('105');
      await ann.page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });
      expect(await button.evaluate((el) => el === document.activeElement)).toBe(true);

      // The host's moderation lives in the menu; Cancel on the confirm step removes nobody.
      await button.click();
      await panel.getByRole('button', { name: `Remove ${ben.name}` }).click();
      await panel.getByText(`Remove ${ben.name}? They cannot rejoin`, { exact: false }).waitFor();
      await panel.getByRole('button', { name: 'Cancel' }).click();
      await panel.getByRole('button', { name: `Remove ${ben.name}` }).waitFor();
      // Ben's own menu for Ann has no moderation (Ben is not the host).
      await ben.page.getByRole('button', { name: `Options for ${ann.name}` }).click();
      const bensPanel = ben.page.getByRole('dialog', { name: `Options for ${ann.name}` });
      await bensPanel.getByRole('slider', { name: `Volume for ${ann.name}` }).waitFor();
      expect(await bensPanel.getByRole('button', { name: `Remove ${ann.name}` }).count()).toBe(0);
      // A click outside closes it.
      await ben.page.getByRole('heading', { name: room }).click();
      await bensPanel.waitFor({ state: 'detached' });
      // Cancelled, so Ben is still there; now confirm.
      await panel.getByRole('button', { name: `Remove ${ben.name}` }).click();
      await panel.getByRole('button', { name: `Yes, remove ${ben.name}` }).click();
      await ben.page.getByText('The host removed you', { exact: false }).first().waitFor();
      await ann.page.locator(`li.tile[aria-label="${ben.name}"]`).waitFor({ state: 'detached' });
    } finally {
      await closeAll(people);
    }
  }, 90_000);

  it('in a 1:1 call, shows the other person muted, and has their volume', async () => {
    const people: Person[] = [];
    try {
      const [ann, ben] = await Promise.all([
        signUp(browser(), unique('Ann')),
        signUp(browser(), unique('Ben')),
      ]);
      people.push(ann, ben);
      await startCall(ann, ben);
      const badge = ann.page.getByText(`${ben.name} is muted`);
      expect(await badge.count()).toBe(0);
      await ben.page.getByRole('button', { name: 'Mute', exact: true }).click();
      await badge.waitFor();
      await ben.page.getByRole('button', { name: 'Unmute', exact: true }).click();
      await badge.waitFor({ state: 'detached' });
      await ann.page.getByRole('button', { name: `Options for ${ben.name}` }).click();
      await ann.page
        .getByRole('dialog', { name: `Options for ${ben.name}` })
        .getByRole('slider', { name: `Volume for ${ben.name}` })
        .waitFor();
    } finally {
      await closeAll(people);
    }
  }, 90_000);
});
