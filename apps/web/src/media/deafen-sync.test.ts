import type { Participant, RoomState } from '@openwcall/shared';
import { describe, expect, it } from 'vitest';
import { ExternalStore } from '../base/external-store';
import type { RoomViewState } from '../room/room-controller';
import { syncDeafenToRoom } from './deafen-sync';
import { TransmitGate } from './transmit';

class Store<T> extends ExternalStore<T> {
  set(value: T) {
    this.setState(value);
  }
}

function me(deafened: boolean): Participant {
  return {
    userId: 'me',
    displayName: 'Me',
    isHost: true,
    muted: false,
    deafened,
    joinedAt: new Date(0).toISOString(),
  };
}

function inRoom(deafened: boolean): RoomViewState {
  const room: RoomState = {
    id: 'r1',
    name: 'R',
    hostId: 'me',
    locked: false,
    maxParticipants: 6,
    participants: [me(deafened)],
  };
  return {
    phase: 'in-room',
    room,
    peers: [],
    selfMuted: false,
    mutedByHost: false,
    noMicrophone: false,
    enteredAt: 0,
  };
}

describe('syncDeafenToRoom', () => {
  it('asks once per change, and on entering a room already deafened', async () => {
    const room = new Store<RoomViewState>({ ...inRoom(false), phase: 'idle', room: null });
    const transmit = new TransmitGate(false);
    const sent: unknown[] = [];
    const client = {
      request: async (event: string, payload: unknown) => {
        sent.push([event, payload]);
        return {};
      },
    };
    syncDeafenToRoom({ room, transmit, client: client as never, selfId: () => 'me' });
    transmit.setDeafened(true);
    expect(sent).toEqual([]); // not in a room: nothing to tell
    room.set(inRoom(false));
    room.set({ ...inRoom(false) }); // an unrelated change while the request is in flight
    expect(sent).toEqual([['room:self:deafen', { roomId: 'r1', deafened: true }]]);
    room.set(inRoom(true)); // the server's room:participant:updated
    transmit.setDeafened(false);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(['room:self:deafen', { roomId: 'r1', deafened: false }]);
  });
});
