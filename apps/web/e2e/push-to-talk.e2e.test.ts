import { describe, expect, it } from 'vitest';
import {
  closeAll,
  expectAudioFlowing,
  inboundAudio,
  type Person,
  poll,
  recordTiming,
  signUp,
  skipReason,
  unique,
  useBrowser,
  waitConnected,
} from './support';
import {
  afterPacketsArrive,
  createRoom,
  energyFrom,
  joinRoom,
  openAudioSettings,
  startCall,
  streamOf,
  waitHears,
} from './voice-support';

describe.skipIf(skipReason !== '')('push to talk', () => {
  const browser = useBrowser();

  it('in a room, sends audio only while the key is held; the setting survives a reload', async () => {
    const people: Person[] = [];
    try {
      const [ann, ben] = await Promise.all([signUp(browser(), 'Ann'), signUp(browser(), 'Ben')]);
      people.push(ann, ben);
      const room = unique('Radio');
      await createRoom(ann.page, room);
      await joinRoom(ben.page, room);
      await waitConnected(ann.page, 1);
      await Promise.all([expectAudioFlowing(ann.page, 1), expectAudioFlowing(ben.page, 1)]);
      const benStream = await streamOf(ben);
      const annStream = await streamOf(ann);

      // Push to talk on: Ann stops hearing Ben, Ben still hears Ann.
      await openAudioSettings(ben.page);
      await ben.page.getByRole('checkbox', { name: 'Push to talk' }).check();
      await ben.page.getByText('Hold Space to talk').waitFor();
      await afterPacketsArrive(ann.page, benStream);
      expect(await energyFrom(ann.page, benStream), 'Ann hears nothing from Ben').toBeLessThan(
        1e-6,
      );
      expect(await energyFrom(ben.page, annStream), 'Ben still hears Ann').toBeGreaterThan(0);

      for (let round = 1; round <= 2; round++) {
        // Hold Space: "Talking" shows and Ann hears Ben.
        const pressedAt = Date.now();
        await ben.page.keyboard.down('Space');
        await ben.page.getByText('Talking', { exact: true }).waitFor();
        await waitHears(ann.page, benStream, 'Ann hears Ben while Space is held');
        const heardMs = Date.now() - pressedAt;

        // Release: the track is disabled at once, and nothing more reaches Ann.
        await ben.page.keyboard.up('Space');
        const releaseMs = await ben.page.evaluate(() => {
          const started = performance.now();
          const track = window.__openwcall.app.microphone.getSnapshot().track;
          return track && !track.enabled ? performance.now() - started : -1;
        });
        expect(releaseMs, 'the track is disabled when the key comes up').toBeGreaterThanOrEqual(0);
        await ben.page.getByText('Hold Space to talk').waitFor();
        await afterPacketsArrive(ann.page, benStream);
        expect(
          await energyFrom(ann.page, benStream),
          `round ${round}: Ann hears nothing after release`,
        ).toBeLessThan(1e-6);
        recordTiming('push-to-talk-room', { round, pressToHeardMs: heardMs, releaseMs });
      }

      // Remembered per browser: after a reload Ben rejoins with push to talk still on.
      await ben.page.reload();
      // A reload comes back into the same room (the seat is kept within the reconnect grace).
      await ben.page.getByRole('heading', { name: room }).waitFor();
      await waitConnected(ann.page, 1);
      await openAudioSettings(ben.page);
      expect(await ben.page.getByRole('checkbox', { name: 'Push to talk' }).isChecked()).toBe(true);
      const benAgain = await streamOf(ben);
      await poll(
        () => inboundAudio(ann.page),
        (list) => list.some((s) => s.remoteStreamId === benAgain && s.bytesReceived > 0),
        { what: 'packets from the rejoined Ben' },
      );
      await afterPacketsArrive(ann.page, benAgain);
      expect(await energyFrom(ann.page, benAgain), 'silent after the reload').toBeLessThan(1e-6);
    } finally {
      await closeAll(people);
    }
  }, 90_000);

  it('in a 1:1 call, sends audio only while the key is held', async () => {
    const people: Person[] = [];
    try {
      // A suffix: the room test's Ben may still be listed online (its grace) and ring nobody.
      const [ann, ben] = await Promise.all([
        signUp(browser(), unique('Ann')),
        signUp(browser(), unique('Ben')),
      ]);
      people.push(ann, ben);
      await startCall(ann, ben);
      await expectAudioFlowing(ann.page, 1);
      const benStream = await streamOf(ben);
      await openAudioSettings(ben.page);
      await ben.page.getByRole('checkbox', { name: 'Push to talk' }).check();
      await afterPacketsArrive(ann.page, benStream);
      expect(await energyFrom(ann.page, benStream), 'silent before Space').toBeLessThan(1e-6);
      await ben.page.keyboard.down('Space');
      await ben.page.getByText('Talking', { exact: true }).waitFor();
      await waitHears(ann.page, benStream, 'Ann hears Ben while Space is held');
      await ben.page.keyboard.up('Space');
      await afterPacketsArrive(ann.page, benStream);
      expect(await energyFrom(ann.page, benStream), 'silent after release').toBeLessThan(1e-6);
    } finally {
      await closeAll(people);
    }
  }, 90_000);
});
