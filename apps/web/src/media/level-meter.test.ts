import { describe, expect, it } from 'vitest';
import { levelOf } from './level-meter';
import { chimeWav } from './test-sound';

describe('levelOf', () => {
  it('maps RMS onto a decibel scale from -60 dBFS to full scale', () => {
    expect(levelOf(0)).toBe(0);
    expect(levelOf(0.0005)).toBe(0); // below -60 dBFS
    expect(levelOf(0.001)).toBeCloseTo(0);
    expect(levelOf(0.0316)).toBeCloseTo(0.5, 2); // -30 dBFS, ordinary speech
    expect(levelOf(1)).toBe(1);
    expect(levelOf(2)).toBe(1);
  });
});

describe('chimeWav', () => {
  it('is a mono 16-bit PCM WAV of about 0.7 s that starts and ends quietly', () => {
    const wav = chimeWav();
    const view = new DataView(wav);
    const ascii = (at: number) => String.fromCharCode(...new Uint8Array(wav, at, 4));
    expect([ascii(0), ascii(8), ascii(12), ascii(36)]).toEqual(['RIFF', 'WAVE', 'fmt ', 'data']);
    const rate = view.getUint32(24, true);
    const samples = view.getUint32(40, true) / 2;
    expect(view.getUint16(22, true)).toBe(1);
    expect(samples / rate).toBeCloseTo(0.7, 2);
    expect(Math.abs(view.getInt16(44, true))).toBeLessThan(100);
    let peak = 0;
    for (let i = 0; i < samples; i++)
      peak = Math.max(peak, Math.abs(view.getInt16(44 + i * 2, true)));
    expect(peak).toBeGreaterThan(5_000);
  });
});
