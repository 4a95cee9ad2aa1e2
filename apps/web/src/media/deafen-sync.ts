import { ClientEvent } from '@openwcall/shared';
import type { RoomController } from '../room/room-controller';
import type { SignalingClient } from '../signaling/client';
import type { TransmitGate } from './transmit';

export interface DeafenSyncDeps {
  readonly room: Pick<RoomController, 'getSnapshot' | 'subscribe'>;
  readonly transmit: Pick<TransmitGate, 'getSnapshot' | 'subscribe'>;
  readonly client: Pick<SignalingClient, 'request'>;
  readonly selfId: () => string | undefined;
  readonly onError?: (error: unknown) => void;
}

/**
 * Tells the room (extension `room:self:deafen`) whenever our deafen state and our participant's
 * `deafened` differ: on the toggle, and on entering a room while already deafened. Returns the
 * unsubscribe.
 */
export function syncDeafenToRoom(deps: DeafenSyncDeps): () => void {
  // What we last asked for, so an update in flight is not asked for again on every change.
  let requested: string | null = null;
  const sync = () => {
    const { phase, room } = deps.room.getSnapshot();
    if (phase !== 'in-room' || !room) {
      requested = null;
      return;
    }
    const me = room.participants.find((p) => p.userId === deps.selfId());
    const deafened = deps.transmit.getSnapshot().deafened;
    const key = `${room.id}:${deafened}`;
    if (!me || me.deafened === deafened || requested === key) return;
    requested = key;
    deps.client
      .request(ClientEvent.RoomSelfDeafen, { roomId: room.id, deafened })
      .catch((error: unknown) => {
        if (requested === key) requested = null;
        deps.onError?.(error);
      });
  };
  const unsubscribes = [deps.room.subscribe(sync), deps.transmit.subscribe(sync)];
  sync();
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}
