import type { Participant, RoomState } from '@openwcall/shared';
import { describe, expect, it } from 'vitest';
import { ExternalStore } from '../base/external-store';
import type { RoomViewState } from '../room/room-controller';
import { type CueKind, RoomCues } from './cues';

class Store<T> extends ExternalStore<T> {
  set(value: T) {
    this.setState(value);
  }
}

const person = (userId: string): Participant => ({
  userId,
  displayName: userId.toUpperCase(),
  isHost: false,
  muted: false,
  deafened: false,
  joinedAt: new Date(0).toISOString(),
});

function view(roomId: string, ids: string[]): RoomViewState {
  const room: RoomState = {
    id: roomId,
    name: roomId,
    hostId: 'me',
    locked: false,
    maxParticipants: 6,
    participants: ids.map(person),
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

describe('RoomCues', () => {
  it('announces others joining and leaving, not our own entrance', () => {
    const room = new Store<RoomViewState>(view('r1', ['me', 'ann']));
    const played: CueKind[] = [];
    const cues = new RoomCues({ room, selfId: () => 'me', play: (k) => played.push(k) });
    expect(cues.getSnapshot().text).toBe(''); // we entered: nobody "joined"
    room.set(view('r1', ['me', 'ann', 'bob']));
    expect(cues.getSnapshot()).toEqual({ text: 'BOB joined', seq: 1 });
    room.set(view('r1', ['me', 'bob']));
    expect(cues.getSnapshot()).toEqual({ text: 'ANN left', seq: 2 });
    expect(played).toEqual(['join', 'leave']);
    room.set(view('r2', ['me', 'cy'])); // another room: silent again
    expect(cues.getSnapshot().seq).toBe(2);
    cues.close();
  });
});
