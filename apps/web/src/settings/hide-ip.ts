import { ExternalStore } from '../base/external-store';

const KEY = 'openwcall:hide-ip';

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

function browserStorage(): StorageLike | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined; // Storage disabled by the browser's privacy settings.
  }
}

/**
 * "Hide my IP address" (as Signal's "always relay calls"): when on, connections use TURN relay
 * candidates only, so peers see the relay's address instead of this device's. Remembered per
 * browser; it applies to connections made after the change.
 */
export class HideIpSetting extends ExternalStore<boolean> {
  constructor(private readonly storage: StorageLike | undefined = browserStorage()) {
    super(storage?.getItem(KEY) === 'true');
  }

  set(on: boolean): void {
    this.storage?.setItem(KEY, String(on));
    this.setState(on);
  }
}
