import { z } from 'zod';
import { ExternalStore } from '../base/external-store';

const KEY = 'openwcall:voice';

export type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

export function browserStorage(): StorageLike | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined; // Storage disabled by the browser's privacy settings.
  }
}

// Each field falls back on its own, so one bad or missing value (an older version of the app
// wrote it, or someone edited it) never resets the others.
const VoiceSettingsSchema = z.object({
  pushToTalk: z.boolean().catch(false),
  /** A KeyboardEvent.code: the physical key, so it works whatever the keyboard layout. */
  pushToTalkKey: z.string().min(1).max(32).catch('Space'),
  noiseSuppression: z.boolean().catch(true),
  echoCancellation: z.boolean().catch(true),
  autoGainControl: z.boolean().catch(true),
  /** RNNoise on top of the browser's suppression (media/noise-filter.ts); costs some CPU. */
  strongNoiseSuppression: z.boolean().catch(false),
  /** The device check before joining a room (ui/device-check.tsx). */
  checkDevices: z.boolean().catch(true),
  joinMuted: z.boolean().catch(false),
  /** The microphone and speaker last chosen; '' is the browser's default. */
  inputId: z.string().max(256).catch(''),
  outputId: z.string().max(256).catch(''),
});
export type VoiceSettingsState = z.infer<typeof VoiceSettingsSchema>;

function parse(raw: string | null | undefined): VoiceSettingsState {
  let value: unknown = {};
  try {
    value = raw ? JSON.parse(raw) : {};
  } catch {
    value = {};
  }
  return VoiceSettingsSchema.parse(typeof value === 'object' && value !== null ? value : {});
}

/** Push-to-talk, audio processing, devices and the check before joining, remembered per browser. */
export class VoiceSettings extends ExternalStore<VoiceSettingsState> {
  constructor(private readonly storage: StorageLike | undefined = browserStorage()) {
    super(parse(storage?.getItem(KEY)));
  }

  update(patch: Partial<VoiceSettingsState>): void {
    this.setState((state) => ({ ...state, ...patch }));
    try {
      this.storage?.setItem(KEY, JSON.stringify(this.getSnapshot()));
    } catch {
      // Quota or privacy mode: the choice still holds for this page.
    }
  }
}

/** What a person reads for a KeyboardEvent.code ("Space", "KeyT" → "T", "Digit1" → "1"). */
export function keyLabel(code: string): string {
  if (/^Key[A-Z]$/.test(code)) return code.slice(3);
  if (/^Digit\d$/.test(code)) return code.slice(5);
  return code.replace(/(Left|Right)$/, ' ($1)');
}
