import { describe, expect, it, vi } from 'vitest';
import { AudioLevels, rms, windowFor } from './audio-levels';

class FakeAnalyser {
  fftSize = 0;
  level = 0;
  getFloatTimeDomainData(buffer: Float32Array) {
    buffer.fill(this.level);
  }
}

function fakeContext() {
  const analysers: FakeAnalyser[] = [];
  const context = {
    state: 'running',
    resume: vi.fn(async () => {}),
    close: vi.fn(async () => {}),
    createMediaStreamSource: () => ({ connect: vi.fn(), disconnect: vi.fn() }),
    createAnalyser: () => {
      const analyser = new FakeAnalyser();
      analysers.push(analyser);
      return analyser;
    },
  };
  return { context: context as unknown as AudioContext, analysers };
}

const stream = (id: string) =>
  ({ id, getAudioTracks: () => [{ id: `${id}-t` }] }) as unknown as MediaStream;

describe('AudioLevels', () => {
  it('computes the RMS of a buffer', () => {
    expect(rms([])).toBe(0);
    expect(rms([0.5, -0.5])).toBeCloseTo(0.5);
  });

  it('reads a window as long as the interval between reads, so short sounds are not missed', () => {
    expect(windowFor(48_000, 100)).toBe(8192);
    expect(windowFor(44_100, 100)).toBe(8192);
    expect(windowFor(48_000, 10)).toBe(512);
    expect(windowFor(undefined, 100)).toBe(8192);
    expect(windowFor(48_000, 60_000)).toBe(32_768);
    const { context, analysers } = fakeContext();
    const levels = new AudioLevels({ createContext: () => context, intervalMs: 100 });
    levels.track('peer', stream('s'));
    expect(analysers[0]?.fftSize).toBeGreaterThanOrEqual(4800);
    levels.close();
  });

  it('marks loud streams as speaking, with a short hold', () => {
    const { context, analysers } = fakeContext();
    let now = 0;
    const levels = new AudioLevels({
      createContext: () => context,
      threshold: 0.1,
      holdMs: 300,
      intervalMs: 60_000,
      now: () => now,
    });
    levels.track('a', stream('a'));
    levels.track('b', stream('b'));
    const [a, b] = analysers as [FakeAnalyser, FakeAnalyser];
    a.level = 0.3;
    b.level = 0.01;
    levels.sample();
    expect([...levels.getSnapshot()]).toEqual(['a']);
    a.level = 0;
    now = 200;
    levels.sample();
    expect(levels.getSnapshot().has('a')).toBe(true);
    now = 400;
    levels.sample();
    expect(levels.getSnapshot().size).toBe(0);
    levels.close();
  });

  it('untracks streams and ignores streams without audio', () => {
    const { context, analysers } = fakeContext();
    const levels = new AudioLevels({ createContext: () => context, intervalMs: 60_000 });
    levels.track('none', { getAudioTracks: () => [] } as unknown as MediaStream);
    expect(analysers).toHaveLength(0);
    levels.track('a', stream('a'));
    (analysers[0] as FakeAnalyser).level = 1;
    levels.sample();
    levels.untrack('a');
    expect(levels.getSnapshot().size).toBe(0);
    levels.close();
  });
});
