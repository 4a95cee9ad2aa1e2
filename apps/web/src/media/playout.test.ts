import { describe, expect, it } from 'vitest';
import { Playout } from './playout';

class FakeElement {
  volume = 1;
  muted = false;
  autoplay = false;
  srcObject: unknown = null;
  play = async () => {};
  pause = () => {};
}

function fakeContext() {
  const gains: Array<{ gain: { value: number } }> = [];
  const node = () => ({ connect: () => {}, disconnect: () => {} });
  const context = {
    state: 'running',
    destination: node(),
    createGain: () => {
      const gain = { ...node(), gain: { value: 1 } };
      gains.push(gain);
      return gain;
    },
    createAnalyser: () => ({ ...node(), fftSize: 0, getFloatTimeDomainData: () => {} }),
    createMediaStreamSource: () => node(),
    resume: async () => {},
  };
  return { context: context as unknown as AudioContext, gains };
}

const stream = { getAudioTracks: () => [{}] } as unknown as MediaStream;

describe('Playout', () => {
  it('plays up to 100 % on the element, above through a gain, and deafen mutes both', () => {
    const { context, gains } = fakeContext();
    const element = new FakeElement();
    const playout = new Playout({
      createContext: () => context,
      createElement: () => element as unknown as HTMLAudioElement,
    });
    playout.setVolume('ben', 0.5);
    playout.play('ben', stream);
    expect(element).toMatchObject({ volume: 0.5, muted: false, srcObject: stream });
    expect(gains).toHaveLength(0); // no Web Audio at or below 100 %

    playout.setVolume('ben', 1.8);
    expect(element.muted).toBe(true);
    const [master, personal] = gains;
    expect(personal?.gain.value).toBe(1.8);
    expect(playout.boostLevels('ben')).not.toBeNull();

    playout.setDeafened(true);
    expect(master?.gain.value).toBe(0);
    expect(element.muted).toBe(true);
    playout.setVolume('ben', 1);
    expect(element).toMatchObject({ volume: 1, muted: true }); // still deafened
    expect(playout.boostLevels('ben')).toBeNull();
    playout.setDeafened(false);
    expect(element.muted).toBe(false);

    playout.setVolume('ben', 0);
    expect(element.volume).toBe(0);
    playout.stop('ben');
    expect(element.srcObject).toBeNull();
  });
});
