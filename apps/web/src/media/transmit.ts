import { ExternalStore } from '../base/external-store';

/** The part of a Mesh the gate drives (rtc/mesh.ts). */
export interface GatedSender {
  /** Closed: the microphone track is disabled on every connection (silence, no energy). */
  setGated(gated: boolean): void;
  readonly isClosed: boolean;
}

export interface TransmitState {
  readonly pushToTalk: boolean;
  /** The push-to-talk key is held down. */
  readonly held: boolean;
  readonly deafened: boolean;
  /** Whether the microphone may reach the others (self mute is applied on top of this). */
  readonly open: boolean;
}

function withOpen(state: Omit<TransmitState, 'open'>): TransmitState {
  return { ...state, open: !state.deafened && (!state.pushToTalk || state.held) };
}

/**
 * Whether the microphone is sent, on top of self mute: push-to-talk sends only while its key is
 * held, deafen sends nothing. Every mesh of a room or call is attached, so one switch covers
 * both. Disabling the track takes effect on the next audio frame (10–20 ms), well within the
 * 100 ms people notice, and needs no renegotiation.
 */
export class TransmitGate extends ExternalStore<TransmitState> {
  private readonly senders = new Set<GatedSender>();

  constructor(pushToTalk: boolean) {
    super(withOpen({ pushToTalk, held: false, deafened: false }));
  }

  attach(sender: GatedSender): void {
    this.senders.add(sender);
    sender.setGated(!this.getSnapshot().open);
  }

  setPushToTalk(pushToTalk: boolean): void {
    this.change({ pushToTalk, held: false });
  }

  press(): void {
    if (this.getSnapshot().pushToTalk) this.change({ held: true });
  }

  release(): void {
    this.change({ held: false });
  }

  setDeafened(deafened: boolean): void {
    this.change({ deafened });
  }

  private change(patch: Partial<Omit<TransmitState, 'open'>>): void {
    const before = this.getSnapshot();
    const next = withOpen({ ...before, ...patch });
    if (
      next.pushToTalk === before.pushToTalk &&
      next.held === before.held &&
      next.deafened === before.deafened
    ) {
      return;
    }
    this.setState(next);
    for (const sender of [...this.senders]) {
      if (sender.isClosed) this.senders.delete(sender);
      else sender.setGated(!next.open);
    }
  }
}
