import { z } from 'zod';
import { ExternalStore } from '../base/external-store';
import { browserStorage, type StorageLike } from './voice-settings';

const KEY = 'openwcall:volumes';

export interface PeerVolume {
  /** 0–200 (%). */
  readonly percent: number;
  /** "Mute for me": silent here only, the volume is kept for when it is turned off. */
  readonly mutedForMe: boolean;
}

export const DEFAULT_VOLUME: PeerVolume = { percent: 100, mutedForMe: false };

const StoredSchema = z.record(
  z.string(),
  z.object({
    percent: z.number().min(0).max(200),
    mutedForMe: z.boolean(),
  }),
);

function load(storage: StorageLike | undefined): Readonly<Record<string, PeerVolume>> {
  try {
    const parsed = StoredSchema.safeParse(JSON.parse(storage?.getItem(KEY) ?? '{}'));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Each other person's volume, by user id, remembered per browser across sessions. */
export class PeerVolumes extends ExternalStore<Readonly<Record<string, PeerVolume>>> {
  constructor(private readonly storage: StorageLike | undefined = browserStorage()) {
    super(load(storage));
  }

  get(userId: string): PeerVolume {
    return this.getSnapshot()[userId] ?? DEFAULT_VOLUME;
  }

  /** The gain to play `userId` with (0–2). */
  gain(userId: string): number {
    const volume = this.get(userId);
    return volume.mutedForMe ? 0 : volume.percent / 100;
  }

  setPercent(userId: string, percent: number): void {
    const clamped = Math.round(Math.min(200, Math.max(0, percent)));
    this.change(userId, { percent: clamped });
  }

  setMutedForMe(userId: string, mutedForMe: boolean): void {
    this.change(userId, { mutedForMe });
  }

  private change(userId: string, patch: Partial<PeerVolume>): void {
    const next = { ...this.get(userId), ...patch };
    const all = { ...this.getSnapshot() };
    // People left at the default take no space in storage.
    if (next.percent === DEFAULT_VOLUME.percent && !next.mutedForMe) delete all[userId];
    else all[userId] = next;
    this.setState(all);
    try {
      this.storage?.setItem(KEY, JSON.stringify(all));
    } catch {
      // Quota or privacy mode: the volume still holds for this page.
    }
  }
}
