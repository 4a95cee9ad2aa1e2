import { ExternalStore } from '../base/external-store';

export interface JoinCheckState {
  /** The room waiting on "Join now" (the device check is open), or null. */
  readonly roomId: string | null;
}

export interface JoinCheckDeps {
  readonly join: (roomId: string, options: { muted: boolean }) => Promise<void>;
  readonly settings: () => { readonly checkDevices: boolean; readonly joinMuted: boolean };
  readonly rememberJoinMuted: (muted: boolean) => void;
  /** Opens the microphone for the check; the join then takes this same one (Microphone.acquire). */
  readonly openMicrophone: () => Promise<unknown>;
  /** Lets go of the microphone after a cancel, unless a call took it meanwhile. */
  readonly releaseMicrophone: () => void;
}

export type JoinOutcome = 'joined' | 'cancelled';

/**
 * A join from the lobby or an invite link goes through the device check first (as Meet's
 * green room) unless the person turned it off. `request` resolves once the join is done or the
 * check was cancelled, and rejects with the server's refusal, so each caller reports it where
 * the person acted (a notice in the lobby, the invite page's own text).
 */
export class JoinCheck extends ExternalStore<JoinCheckState> {
  private pending: {
    readonly roomId: string;
    readonly settle: (outcome: Promise<JoinOutcome>) => void;
  } | null = null;

  constructor(private readonly deps: JoinCheckDeps) {
    super({ roomId: null });
  }

  request(roomId: string): Promise<JoinOutcome> {
    const { checkDevices, joinMuted } = this.deps.settings();
    if (!checkDevices) return this.deps.join(roomId, { muted: joinMuted }).then(() => 'joined');
    this.pending?.settle(Promise.resolve('cancelled'));
    return new Promise<JoinOutcome>((resolve) => {
      this.pending = { roomId, settle: resolve };
      this.setState({ roomId });
      this.deps.openMicrophone().catch(() => {
        // The check says there is no microphone; joining still works, listen only.
      });
    });
  }

  /** "Join now": the choice of muted is remembered for the next check. */
  confirm(muted: boolean): void {
    const pending = this.take();
    if (!pending) return;
    this.deps.rememberJoinMuted(muted);
    pending.settle(this.deps.join(pending.roomId, { muted }).then(() => 'joined'));
  }

  cancel(): void {
    const pending = this.take();
    if (!pending) return;
    this.deps.releaseMicrophone();
    pending.settle(Promise.resolve('cancelled'));
  }

  private take() {
    const pending = this.pending;
    this.pending = null;
    if (pending) this.setState({ roomId: null });
    return pending;
  }
}
