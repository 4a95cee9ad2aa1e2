import { describe, expect, it } from 'vitest';
import {
  closeAll,
  type Person,
  recordTiming,
  signUp,
  skipReason,
  unique,
  useBrowser,
  waitConnected,
} from './support';
import {
  afterPacketsArrive,
  boostPeak,
  energyFrom,
  meetInRoom,
  openOptions,
  streamOf,
  userIdOf,
  waitHears,
} from './voice-support';

/*
 * Chromium counts inbound-rtp totalAudioEnergy after the playing element's volume and mute
 * (volume 0 or muted: no energy), so it measures what this person's speakers get.
 */
describe.skipIf(skipReason !== '')('per-person volume', () => {
  const browser = useBrowser();

  it('volume 0 silences one person for me only, 200% doubles, and both are remembered', async () => {
    const people: Person[] = [];
    try {
      const [ann, ben, cat] = await Promise.all([
        signUp(browser(), 'Ann'),
        signUp(browser(), 'Ben'),
        signUp(browser(), 'Cat'),
      ]);
      people.push(ann, ben, cat);
      const room = unique('Mixer');
      await meetInRoom(cat, [ben, ann], room);
      const [benStream, catStream] = [await streamOf(ben), await streamOf(cat)];
      const catId = await userIdOf(ann.page, 'Cat');

      // Ben to 0 %: Ann's speakers get nothing from Ben, still Cat; Cat still hears Ben.
      const benSlider = (await openOptions(ann.page, 'Ben')).getByRole('slider', {
        name: 'Volume for Ben',
      });
      await benSlider.fill('0');
      expect(await benSlider.inputValue()).toBe('0');
      await afterPacketsArrive(ann.page, benStream);
      expect(await energyFrom(ann.page, benStream), 'Ben at 0 % is silent').toBeLessThan(1e-6);
      expect(await energyFrom(ann.page, catStream), 'Ann still hears Cat').toBeGreaterThan(0);
      expect(await energyFrom(cat.page, benStream), 'Cat still hears Ben').toBeGreaterThan(0);

      // Cat to 200 %: Web Audio plays Cat at twice the level (and the element no longer does).
      await (await openOptions(ann.page, 'Cat'))
        .getByRole('slider', { name: 'Volume for Cat' })
        .fill('200');
      const boosted = await boostPeak(ann.page, catId);
      recordTiming('volume-200', { before: boosted.before, after: boosted.after });
      expect(boosted.boosted, 'Cat plays through the gain').toBe(true);
      expect(boosted.before, 'Cat is audible').toBeGreaterThan(1e-3);
      expect(boosted.after / boosted.before, 'twice as loud').toBeGreaterThan(1.9);
      await afterPacketsArrive(ann.page, catStream);
      expect(await energyFrom(ann.page, catStream), 'not also through the element').toBeLessThan(
        1e-6,
      );

      // Remembered per person across sessions: after a reload Ben is still at 0 %, Cat at 200 %.
      await ann.page.reload();
      // A reload comes back into the same room (the seat is kept within the reconnect grace).
      await ann.page.getByRole('heading', { name: room }).waitFor();
      await waitConnected(ann.page, 2);
      await afterPacketsArrive(ann.page, benStream);
      expect(
        await (await openOptions(ann.page, 'Ben'))
          .getByRole('slider', { name: 'Volume for Ben' })
          .inputValue(),
      ).toBe('0');
      expect(
        await (await openOptions(ann.page, 'Cat'))
          .getByRole('slider', { name: 'Volume for Cat' })
          .inputValue(),
      ).toBe('200');
      expect(await energyFrom(ann.page, benStream), 'Ben silent after reload').toBeLessThan(1e-6);
      expect((await boostPeak(ann.page, catId)).after, 'Cat boosted after reload').toBeGreaterThan(
        1e-3,
      );

      // "Mute for me": Cat silent for Ann only, until pressed again; the 200 % is kept.
      await (await openOptions(ann.page, 'Ben'))
        .getByRole('slider', { name: 'Volume for Ben' })
        .fill('100');
      await waitHears(ann.page, benStream, 'Ben back at 100 %');
      const mute = (await openOptions(ann.page, 'Cat')).getByRole('button', {
        name: 'Mute for me',
      });
      await mute.click();
      expect(await mute.getAttribute('aria-pressed')).toBe('true');
      await afterPacketsArrive(ann.page, catStream);
      expect(await energyFrom(ann.page, catStream), 'Cat muted for Ann').toBeLessThan(1e-6);
      expect((await boostPeak(ann.page, catId, 500)).boosted, 'nor through the gain').toBe(false);
      expect(await energyFrom(ben.page, catStream), 'Ben still hears Cat').toBeGreaterThan(0);
      await mute.click();
      expect((await boostPeak(ann.page, catId)).after, 'Cat heard again').toBeGreaterThan(1e-3);
    } finally {
      await closeAll(people);
    }
  }, 150_000);
});
