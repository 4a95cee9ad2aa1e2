import { ExternalStore } from '../base/external-store';

/** What a tab is busy with: the room it sits in or the direct call it carries. */
export type Activity =
  | { readonly kind: 'room'; readonly roomId: string }
  | { readonly kind: 'call'; readonly callId: string };

type Message =
  | { readonly type: 'hello'; readonly tab: string; readonly userId: string }
  | {
      readonly type: 'busy';
      readonly tab: string;
      readonly userId: string;
      readonly activity: Activity;
    }
  | { readonly type: 'idle'; readonly tab: string; readonly userId: string }
  | {
      readonly type: 'take' | 'released';
      readonly tab: string;
      readonly userId: string;
      readonly target: string;
      readonly activity: Activity;
    };

/** The part of BroadcastChannel used here; tests link two tabs with a fake. */
export interface TabChannel {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

export interface OtherTabsSnapshot {
  /** Another tab of this user is in a room or call (this one is not). */
  readonly elsewhere: Activity | null;
}

export interface OtherTabsOptions {
  readonly channel: TabChannel | null;
  readonly userId: string;
  readonly tabId?: string;
  /** Another tab takes over our activity: let go of it; the returned promise ends the hand-over. */
  readonly release: (activity: Activity) => Promise<void> | void;
  /** The busy tab let go: take the activity here. */
  readonly adopt: (activity: Activity) => void;
}

function isMessage(data: unknown): data is Message {
  return typeof data === 'object' && data !== null && 'type' in data && 'tab' in data;
}

/**
 * The other tabs of this browser signed in as the same user (BroadcastChannel): a second tab
 * learns that the call goes on elsewhere instead of fighting over it, and can take it over on
 * purpose.
 */
export class OtherTabs extends ExternalStore<OtherTabsSnapshot> {
  private readonly options: OtherTabsOptions;
  private readonly tab: string;
  private readonly busy = new Map<string, Activity>();
  private own: Activity | null = null;

  constructor(options: OtherTabsOptions) {
    super({ elsewhere: null });
    this.options = options;
    this.tab = options.tabId ?? Math.random().toString(36).slice(2);
    options.channel?.addEventListener('message', this.onMessage);
    this.post({ type: 'hello', tab: this.tab, userId: options.userId });
  }

  /** This tab's own activity (null when idle); the other tabs hear about every change. */
  setActivity(activity: Activity | null): void {
    if (JSON.stringify(activity) === JSON.stringify(this.own)) return;
    this.own = activity;
    this.announce();
    this.publish();
  }

  /** Asks the tab in the call to hand it over to this one. */
  takeOver(): void {
    const [target, activity] = [...this.busy.entries()][0] ?? [];
    if (!target || !activity) return;
    this.post({ type: 'take', tab: this.tab, userId: this.options.userId, target, activity });
  }

  close(): void {
    if (this.own) this.post({ type: 'idle', tab: this.tab, userId: this.options.userId });
    this.options.channel?.removeEventListener('message', this.onMessage);
    this.options.channel?.close();
  }

  private readonly onMessage = (event: { data: unknown }): void => {
    const message = event.data;
    if (!isMessage(message) || message.userId !== this.options.userId) return;
    if (message.tab === this.tab) return;
    switch (message.type) {
      case 'hello':
        this.announce();
        break;
      case 'busy':
        this.busy.set(message.tab, message.activity);
        break;
      case 'idle':
        this.busy.delete(message.tab);
        break;
      case 'take':
        if (message.target === this.tab && this.own) void this.handOver(message.tab);
        break;
      case 'released':
        if (message.target !== this.tab) break;
        this.busy.delete(message.tab);
        this.options.adopt(message.activity);
        break;
    }
    this.publish();
  };

  private async handOver(to: string): Promise<void> {
    const activity = this.own;
    if (!activity) return;
    await this.options.release(activity);
    this.post({
      type: 'released',
      tab: this.tab,
      userId: this.options.userId,
      target: to,
      activity,
    });
  }

  private announce(): void {
    const { userId } = this.options;
    this.post(
      this.own
        ? { type: 'busy', tab: this.tab, userId, activity: this.own }
        : { type: 'idle', tab: this.tab, userId },
    );
  }

  private post(message: Message): void {
    this.options.channel?.postMessage(message);
  }

  private publish(): void {
    const elsewhere = this.own ? null : ([...this.busy.values()][0] ?? null);
    const current = this.getSnapshot().elsewhere;
    if (JSON.stringify(current) === JSON.stringify(elsewhere)) return;
    this.setState({ elsewhere });
  }
}
