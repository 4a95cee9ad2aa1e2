import { ClientEvent, ServerEvent } from '@openwcall/shared';
import { ExternalStore } from '../base/external-store';
import type { SignalingClient } from '../signaling/client';
import type { DirectCallView } from './direct-call';

export interface CallMuteDeps {
  readonly call: { getSnapshot(): DirectCallView; subscribe(listener: () => void): () => void };
  readonly client: Pick<SignalingClient, 'on' | 'request'>;
  readonly onError?: (error: unknown) => void;
}

/**
 * Mute state across a 1:1 call (extension `call:self:mute` / `call:direct:muted`): tells the
 * other party when we mute or unmute, and holds whether the other party is muted now.
 */
export class CallMute extends ExternalStore<{
  readonly callId: string | null;
  readonly peerMuted: boolean;
}> {
  private readonly unsubscribes: Array<() => void>;
  private sent: string | null = null;

  constructor(private readonly deps: CallMuteDeps) {
    super({ callId: null, peerMuted: false });
    this.unsubscribes = [
      deps.call.subscribe(() => this.sync()),
      deps.client.on(ServerEvent.CallMuted, ({ callId, userId, muted }) => {
        const view = deps.call.getSnapshot();
        if (view.phase !== 'active' || view.callId !== callId || userId !== view.peer.id) return;
        this.setState({ callId, peerMuted: muted });
      }),
    ];
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
  }

  private sync(): void {
    const view = this.deps.call.getSnapshot();
    if (view.phase !== 'active') {
      this.sent = null;
      if (this.getSnapshot().callId !== null) this.setState({ callId: null, peerMuted: false });
      return;
    }
    if (this.getSnapshot().callId !== view.callId) {
      this.setState({ callId: view.callId, peerMuted: false });
    }
    const key = `${view.callId}:${view.selfMuted}`;
    // A call starts unmuted on both sides: only changes need telling.
    if (this.sent === null && !view.selfMuted) {
      this.sent = key;
      return;
    }
    if (this.sent === key) return;
    this.sent = key;
    this.deps.client
      .request(ClientEvent.CallSelfMute, { callId: view.callId, muted: view.selfMuted })
      .catch((error: unknown) => this.deps.onError?.(error));
  }
}
