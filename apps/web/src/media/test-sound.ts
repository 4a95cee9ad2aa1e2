// "Play test sound" of the device check: a short chime as a WAV file made on the spot, played
// by an <audio> element, because only a media element can be sent to a chosen speaker
// (HTMLMediaElement.setSinkId) in every browser that can choose one.

const RATE = 24_000;

/** 16-bit mono PCM WAV of a two-note chime (A5 then E6), ~0.7 s, with soft edges. */
export function chimeWav(): ArrayBuffer {
  const notes = [
    [880, 0.3],
    [1318.5, 0.4],
  ] as const;
  const total = notes.reduce((sum, [, seconds]) => sum + Math.round(seconds * RATE), 0);
  const buffer = new ArrayBuffer(44 + total * 2);
  const view = new DataView(buffer);
  const text = (offset: number, value: string) => {
    for (let i = 0; i < value.length; i++) view.setUint8(offset + i, value.charCodeAt(i));
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + total * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, RATE, true);
  view.setUint32(28, RATE * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, total * 2, true);
  let offset = 44;
  for (const [frequency, seconds] of notes) {
    const count = Math.round(seconds * RATE);
    for (let i = 0; i < count; i++) {
      const t = i / RATE;
      // 10 ms attack, exponential decay: a bell rather than a beep, and no clicks.
      const envelope = Math.min(1, t / 0.01) * Math.exp(-t * 5);
      const sample = Math.sin(2 * Math.PI * frequency * t) * envelope * 0.3;
      view.setInt16(offset, Math.round(sample * 32767), true);
      offset += 2;
    }
  }
  return buffer;
}

type SinkAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

/** Plays the chime on `outputId` ('' = default speaker); resolves once it has played out. */
export async function playTestSound(outputId: string): Promise<void> {
  const url = URL.createObjectURL(new Blob([chimeWav()], { type: 'audio/wav' }));
  const audio: SinkAudio = new Audio(url);
  try {
    if (outputId && audio.setSinkId) await audio.setSinkId(outputId);
    const ended = new Promise<void>((resolve, reject) => {
      audio.addEventListener('ended', () => resolve(), { once: true });
      audio.addEventListener('error', () => reject(new Error('the test sound could not play')), {
        once: true,
      });
    });
    await audio.play();
    await ended;
  } finally {
    URL.revokeObjectURL(url);
  }
}
