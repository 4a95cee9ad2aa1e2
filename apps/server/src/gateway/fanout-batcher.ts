import type { PresenceEntry, RoomSummary } from '@openwcall/shared';
import type { EmitEffect } from '../signaling';

/*
 * Fan-out to every signed-in socket is the one cost that grows with the square of the users:
 * each sign-in, status change or room change is one message to everyone. A storm of 1,000
 * sign-ins was 500,000 presence messages, which stalled the event loop for seconds (sockets
 * then missed their auth deadline). So this node gathers those broadcasts for `windowMs` and
 * sends one of each per window:
 *   - presence deltas are merged (the latest entry of a user wins) into one `presence:list`;
 *     a user whose sign-in is in the batch (its own delta excluded it) gets the batch without
 *     its own entry, as PROTOCOL.md says ("delta to everyone else");
 *   - room lists are full snapshots: the list is read again when the window closes, so a
 *     window never sends an older list than another node's newer one.
 * Messages to one socket, one user or one room are not batched (they are not the square).
 */

type Send = (
  to: { authenticated: true; exceptUsers?: readonly string[] } | { user: string },
  event: 'presence:list' | 'room:list',
  payload: unknown,
) => void;

export class FanoutBatcher {
  private presence = new Map<string, PresenceEntry>();
  /** Users whose sign-in delta is in the batch (it was sent to everyone but them). */
  private newcomers = new Set<string>();
  private roomsDirty = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly send: Send,
    private readonly roomList: () => Promise<RoomSummary[]>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Takes a broadcast effect into the batch; false when it is not one this batches. */
  add(effect: EmitEffect): boolean {
    if (!('authenticated' in effect.to)) return false;
    if (effect.event === 'presence:list' && !effect.payload.full) {
      for (const entry of effect.payload.users) this.presence.set(entry.userId, entry);
      if (effect.to.exceptUser !== undefined) this.newcomers.add(effect.to.exceptUser);
    } else if (effect.event === 'room:list' && effect.to.exceptUser === undefined) {
      this.roomsDirty = true;
    } else return false;
    this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
    return true;
  }

  /** Sends what is gathered now (also at shutdown, so nothing gathered is lost). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const presence = [...this.presence.values()];
    const newcomers = [...this.newcomers];
    const rooms = this.roomsDirty;
    this.presence = new Map();
    this.newcomers = new Set();
    this.roomsDirty = false;
    if (presence.length > 0) {
      this.send({ authenticated: true, exceptUsers: newcomers }, 'presence:list', {
        full: false,
        users: presence,
      });
      for (const userId of newcomers) {
        const others = presence.filter((entry) => entry.userId !== userId);
        if (others.length > 0)
          this.send({ user: userId }, 'presence:list', { full: false, users: others });
      }
    }
    if (rooms) {
      try {
        this.send({ authenticated: true }, 'room:list', { rooms: await this.roomList() });
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
