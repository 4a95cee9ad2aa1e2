import { describe, expect, it } from 'vitest';
import { keyLabel, VoiceSettings } from './voice-settings';

function memory(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
  };
}

describe('VoiceSettings', () => {
  it('defaults, remembers changes, and keeps good fields when others are bad', () => {
    const storage = memory();
    const settings = new VoiceSettings(storage);
    expect(settings.getSnapshot()).toMatchObject({ pushToTalk: false, pushToTalkKey: 'Space' });
    settings.update({ pushToTalk: true, pushToTalkKey: 'KeyT' });
    expect(new VoiceSettings(storage).getSnapshot()).toMatchObject({
      pushToTalk: true,
      pushToTalkKey: 'KeyT',
    });
    const damaged = memory({ 'openwcall:voice': '{"pushToTalk":true,"pushToTalkKey":42}' });
    expect(new VoiceSettings(damaged).getSnapshot()).toMatchObject({
      pushToTalk: true,
      pushToTalkKey: 'Space',
    });
    expect(
      new VoiceSettings(memory({ 'openwcall:voice': 'not json' })).getSnapshot().pushToTalk,
    ).toBe(false);
  });

  it('checks devices before joining unless told not to, and remembers the devices', () => {
    const storage = memory();
    const settings = new VoiceSettings(storage);
    expect(settings.getSnapshot()).toMatchObject({
      checkDevices: true,
      joinMuted: false,
      inputId: '',
      outputId: '',
    });
    settings.update({ checkDevices: false, joinMuted: true, inputId: 'mic-2' });
    expect(new VoiceSettings(storage).getSnapshot()).toMatchObject({
      checkDevices: false,
      joinMuted: true,
      inputId: 'mic-2',
    });
  });

  it('labels keys as people read them', () => {
    expect(keyLabel('Space')).toBe('Space');
    expect(keyLabel('KeyT')).toBe('T');
    expect(keyLabel('Digit1')).toBe('1');
    expect(keyLabel('ControlLeft')).toBe('Control (Left)');
  });
});
