import { describe, it } from 'vitest';
import {
  callButton,
  closeAll,
  type Person,
  signUp,
  skipReason,
  unique,
  useBrowser,
  waitConnected,
} from './support';
import { createRoom, joinRoom, streamOf, waitHears } from './voice-support';

// Names carry a suffix: earlier files' people stay listed on the shared server.
describe.skipIf(skipReason !== '')('the account page during a conversation', () => {
  const browser = useBrowser();

  it('keeps the room going: the call is heard there, a bar leads back to it', async () => {
    const people: Person[] = [];
    try {
      const [ann, ben] = await Promise.all([
        signUp(browser(), unique('Ann')),
        signUp(browser(), unique('Ben')),
      ]);
      people.push(ann, ben);
      const room = unique('Ongoing');
      await createRoom(ann.page, room);
      await joinRoom(ben.page, room);
      await waitConnected(ann.page, 1);
      const bens = await streamOf(ben);

      await ann.page.getByRole('link', { name: 'Account', exact: true }).click();
      await ann.page.getByRole('heading', { name: 'Your account' }).waitFor();
      const bar = ann.page.getByRole('status', { name: 'Ongoing conversation' });
      await bar.getByText(`You are in ${room}.`).waitFor();
      // Still in the room, still hearing Ben (the sound is the connection's, not the view's).
      await waitHears(ann.page, bens, 'Ann hears Ben from the account page');
      await bar.getByRole('link', { name: 'Back to the room' }).click();
      await ann.page.getByRole('heading', { name: room }).waitFor();
      await ann.page.locator(`li.tile[aria-label="${ben.name}"]`).waitFor();
    } finally {
      await closeAll(people);
    }
  }, 90_000);

  it('rings there too: answered on the account page, the bar leads to the call', async () => {
    const people: Person[] = [];
    try {
      const [cat, dan] = await Promise.all([
        signUp(browser(), unique('Cat')),
        signUp(browser(), unique('Dan')),
      ]);
      people.push(cat, dan);
      await dan.page.getByRole('link', { name: 'Account', exact: true }).click();
      await dan.page.getByRole('heading', { name: 'Your account' }).waitFor();
      await callButton(cat.page, dan).click();
      await dan.page
        .getByRole('dialog', { name: new RegExp(cat.name) })
        .getByRole('button', { name: 'Accept' })
        .click();
      const bar = dan.page.getByRole('status', { name: 'Ongoing conversation' });
      await bar.getByText(`In a call with ${cat.name}.`).waitFor();
      await waitConnected(cat.page, 1);
      await waitHears(dan.page, await streamOf(cat), 'Dan hears Cat from the account page');
      await bar.getByRole('link', { name: 'Back to the call' }).click();
      await dan.page.getByRole('button', { name: 'Hang up' }).waitFor();
    } finally {
      await closeAll(people);
    }
  }, 90_000);
});
