import { describe, expect, it } from 'vitest';
import { fakeStream, fakeTrack } from '../rtc/testing/fakes';
import { type MicrophoneTrack, NoiseFilter, type SuppressorGraph } from './noise-filter';

function mic(id: string): MicrophoneTrack {
  return { stream: fakeStream(`stream-${id}`), track: fakeTrack(id) };
}

/** A suppressor whose graphs are recorded; `fail` makes the next build throw. */
function suppressor() {
  const built: Array<{ input: MicrophoneTrack; closed: boolean }> = [];
  let fail = false;
  let gate: Promise<void> = Promise.resolve();
  return {
    built,
    failNext: () => {
      fail = true;
    },
    hold: () => {
      let release = () => {};
      gate = new Promise((resolve) => {
        release = resolve;
      });
      return release;
    },
    build: async (input: MicrophoneTrack): Promise<SuppressorGraph> => {
      await gate;
      if (fail) {
        fail = false;
        throw new Error('no AudioWorklet');
      }
      const record = { input, closed: false };
      built.push(record);
      return {
        output: mic(`filtered-${input.track.id}`),
        close: () => {
          record.closed = true;
        },
      };
    },
  };
}

describe('NoiseFilter', () => {
  it('passes the microphone through untouched while off, and builds nothing', async () => {
    const s = suppressor();
    const filter = new NoiseFilter(s.build, false);
    const input = mic('a');
    expect(await filter.process(input)).toBe(input);
    expect(s.built).toEqual([]);
    expect(filter.getSnapshot()).toEqual({ enabled: false, active: false, failed: false });
  });

  it('sends the suppressor output while on; one graph per microphone, the old one closed', async () => {
    const s = suppressor();
    const filter = new NoiseFilter(s.build, true);
    const a = mic('a');
    const first = await filter.process(a);
    expect(first.track.id).toBe('filtered-a');
    expect(await filter.process(a), 'the same microphone again (a rejoin)').toBe(first);
    const second = await filter.process(mic('b'));
    expect(second.track.id).toBe('filtered-b');
    expect(s.built.map((g) => g.closed)).toEqual([true, false]);
    expect(filter.getSnapshot().active).toBe(true);
    filter.release();
    expect(s.built.map((g) => g.closed)).toEqual([true, true]);
    expect(filter.getSnapshot().active).toBe(false);
  });

  it('switches mid-call: returns the track to send now, on and off', async () => {
    const s = suppressor();
    const filter = new NoiseFilter(s.build, false);
    const input = mic('a');
    await filter.process(input);
    expect((await filter.setEnabled(true))?.track.id).toBe('filtered-a');
    expect(await filter.setEnabled(false)).toBe(input);
    expect(s.built.map((g) => g.closed)).toEqual([true]);
    filter.release();
    expect(await filter.setEnabled(true), 'no microphone open').toBeNull();
  });

  it('falls back to the microphone and says so when the suppressor cannot start', async () => {
    const s = suppressor();
    const filter = new NoiseFilter(s.build, true);
    s.failNext();
    const input = mic('a');
    expect(await filter.process(input)).toBe(input);
    expect(filter.getSnapshot()).toEqual({ enabled: true, active: false, failed: true });
    expect((await filter.setEnabled(true))?.track.id, 'a retry may work').toBe('filtered-a');
    expect(filter.getSnapshot().failed).toBe(false);
  });

  it('drops a graph that finished loading after the switch went off', async () => {
    const s = suppressor();
    const filter = new NoiseFilter(s.build, true);
    const release = s.hold();
    const input = mic('a');
    const pending = filter.process(input);
    expect(await filter.setEnabled(false)).toBe(input);
    release();
    expect(await pending).toBe(input);
    expect(s.built.map((g) => g.closed)).toEqual([true]);
    expect(filter.getSnapshot().active).toBe(false);
  });
});
