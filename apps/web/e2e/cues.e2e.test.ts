import { describe, expect, it } from 'vitest';
import { closeAll, type Person, signUp, skipReason, unique, useBrowser } from './support';
import { createRoom, joinRoom } from './voice-support';

describe.skipIf(skipReason !== '')('join and leave cues', () => {
  const browser = useBrowser();

  it('announces who joined and who left to the others, in a live region', async () => {
    const people: Person[] = [];
    try {
      const [ann, ben, cat] = await Promise.all([
        signUp(browser(), 'Ann'),
        signUp(browser(), 'Ben'),
        signUp(browser(), 'Cat'),
      ]);
      people.push(ann, ben, cat);
      const room = unique('Cues');
      const live = (person: Person, text: string) =>
        person.page.locator('[role="status"][aria-live="polite"]').filter({ hasText: text });

      await createRoom(ann.page, room);
      await joinRoom(ben.page, room);
      await live(ann, 'Ben joined').waitFor({ state: 'attached' });
      // Entering a room is not announced to the one who entered.
      expect(await live(ben, 'joined').count()).toBe(0);

      await joinRoom(cat.page, room);
      await live(ann, 'Cat joined').waitFor({ state: 'attached' });
      await live(ben, 'Cat joined').waitFor({ state: 'attached' });

      await ben.page.getByRole('button', { name: 'Leave room' }).click();
      await live(ann, 'Ben left').waitFor({ state: 'attached' });
      await live(cat, 'Ben left').waitFor({ state: 'attached' });
    } finally {
      await closeAll(people);
    }
  }, 90_000);
});
