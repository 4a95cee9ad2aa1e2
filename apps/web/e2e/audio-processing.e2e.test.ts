import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  closeAll,
  expectAudioFlowing,
  type Person,
  signUp,
  skipReason,
  unique,
  useBrowser,
  waitConnected,
} from './support';
import { createRoom, joinRoom, openAudioSettings, streamOf, waitHears } from './voice-support';

type Key = 'noiseSuppression' | 'echoCancellation' | 'autoGainControl';

function trackSetting(page: Page, key: Key): Promise<boolean | undefined> {
  return page.evaluate((key) => {
    const handle = (
      window as unknown as {
        __openwcall: {
          app: { microphone: { getSnapshot(): { track: MediaStreamTrack | null } } };
        };
      }
    ).__openwcall;
    const value = handle.app.microphone.getSnapshot().track?.getSettings()[key];
    return typeof value === 'boolean' ? value : undefined;
  }, key);
}

async function shown(page: Page, key: Key): Promise<string> {
  return (await page.locator(`[data-applied="${key}"]`).textContent()) ?? '';
}

describe.skipIf(skipReason !== '')('audio processing', () => {
  const browser = useBrowser();

  it('switches apply mid-call, show what the browser applied, and are remembered', async () => {
    const people: Person[] = [];
    try {
      const [ann, ben] = await Promise.all([signUp(browser(), 'Ann'), signUp(browser(), 'Ben')]);
      people.push(ann, ben);
      const room = unique('Clean');
      await createRoom(ann.page, room);
      await joinRoom(ben.page, room);
      await waitConnected(ann.page, 1);
      await expectAudioFlowing(ann.page, 1);

      await openAudioSettings(ben.page);
      const noise = ben.page.getByRole('switch', { name: 'Noise suppression' });
      const echo = ben.page.getByRole('switch', { name: 'Echo cancellation' });
      const gain = ben.page.getByRole('switch', { name: 'Automatic gain' });
      for (const toggle of [noise, echo, gain]) expect(await toggle.isChecked()).toBe(true);
      expect(await trackSetting(ben.page, 'noiseSuppression')).toBe(true);
      expect(await shown(ben.page, 'noiseSuppression')).toBe('Browser: on');

      // Mid-call: the shown value is what getSettings() reports after applyConstraints.
      await noise.uncheck();
      await gain.uncheck();
      for (const key of ['noiseSuppression', 'autoGainControl'] as const) {
        const actual = await trackSetting(ben.page, key);
        await ben.page
          .locator(`[data-applied="${key}"]`)
          .getByText(`Browser: ${actual === undefined ? 'not reported' : actual ? 'on' : 'off'}`, {
            exact: false,
          })
          .waitFor();
      }
      // Ann still hears Ben on the same connection.
      await waitHears(ann.page, await streamOf(ben), 'Ann hears Ben after the change');

      // Remembered per browser: after a reload the microphone opens with them off.
      await ben.page.reload();
      // A reload comes back into the same room (the seat is kept within the reconnect grace).
      await ben.page.getByRole('heading', { name: room }).waitFor();
      await openAudioSettings(ben.page);
      expect(await noise.isChecked()).toBe(false);
      expect(await gain.isChecked()).toBe(false);
      expect(await echo.isChecked()).toBe(true);
      expect(await trackSetting(ben.page, 'noiseSuppression'), 'opened without it').toBe(false);
      expect(await trackSetting(ben.page, 'autoGainControl'), 'opened without it').toBe(false);
      expect(await shown(ben.page, 'noiseSuppression')).toBe('Browser: off');
      await waitConnected(ann.page, 1);
      await waitHears(ann.page, await streamOf(ben), 'Ann hears Ben after the reload');
    } finally {
      await closeAll(people);
    }
  }, 120_000);
});
