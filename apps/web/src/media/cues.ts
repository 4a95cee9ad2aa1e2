import type { Participant } from '@openwcall/shared';
import { ExternalStore } from '../base/external-store';
import type { RoomViewState } from '../room/room-controller';

export type CueKind = 'join' | 'leave';

export interface CueDeps {
  readonly room: { getSnapshot(): RoomViewState; subscribe(listener: () => void): () => void };
  readonly selfId: () => string | undefined;
  /** Plays the short sound; the page's AudioContext in the app (see playCue). */
  readonly play?: (kind: CueKind) => void;
}

/** The latest announcement for screen readers; `seq` makes a repeat of the same text new. */
export interface Announcement {
  readonly text: string;
  readonly seq: number;
}

/**
 * Join and leave cues in a room: a short sound and an announcement ("Bob joined", "Bob left")
 * for an aria-live region. Derived from the room's participant list, so every way in or out
 * (join, leave, kick, disconnect) is covered; entering or leaving a room ourselves is silent.
 */
export class RoomCues extends ExternalStore<Announcement> {
  private roomId: string | null = null;
  private known = new Map<string, string>();
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: CueDeps) {
    super({ text: '', seq: 0 });
    this.unsubscribe = deps.room.subscribe(() => this.sync());
    this.sync();
  }

  close(): void {
    this.unsubscribe();
  }

  private sync(): void {
    const { phase, room } = this.deps.room.getSnapshot();
    if (phase !== 'in-room' || !room) {
      this.roomId = null;
      this.known = new Map();
      return;
    }
    const self = this.deps.selfId();
    const now = new Map(
      room.participants
        .filter((p: Participant) => p.userId !== self)
        .map((p) => [p.userId, p.displayName]),
    );
    if (this.roomId !== room.id) {
      this.roomId = room.id;
      this.known = now;
      return;
    }
    const joined = [...now].filter(([id]) => !this.known.has(id)).map(([, name]) => name);
    const left = [...this.known].filter(([id]) => !now.has(id)).map(([, name]) => name);
    this.known = now;
    if (joined.length === 0 && left.length === 0) return;
    const parts = [...joined.map((n) => `${n} joined`), ...left.map((n) => `${n} left`)];
    this.setState((previous) => ({ text: parts.join('. '), seq: previous.seq + 1 }));
    this.deps.play?.(joined.length > 0 ? 'join' : 'leave');
  }
}

/** Two short notes, rising for a join and falling for a leave; synthesised, no files. */
export function playCue(context: AudioContext, kind: CueKind): void {
  if (context.state === 'suspended') void context.resume().catch(() => {});
  const notes = kind === 'join' ? [523.25, 783.99] : [659.25, 440];
  const start = context.currentTime + 0.02;
  notes.forEach((frequency, index) => {
    const t0 = start + index * 0.11;
    const gain = context.createGain();
    gain.gain.setValueAtTime(0, t0);
    gain.gain.linearRampToValueAtTime(0.06, t0 + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.1);
    gain.connect(context.destination);
    const oscillator = context.createOscillator();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    oscillator.connect(gain);
    oscillator.start(t0);
    oscillator.stop(t0 + 0.11);
  });
}
