import {
  type CallHistoryEntry,
  ClientEvent,
  type PresenceEntry,
  type PresenceStatus,
  type PublicUser,
  type RoomSummary,
  ServerEvent,
} from '@openwcall/shared';
import { toAppError } from '../base/errors';
import { ExternalStore } from '../base/external-store';
import type { SignalingClient } from '../signaling/client';

export interface LobbyState {
  /**
   * Everyone: online users from the snapshot, offline ones from deltas and from the account
   * directory (GET /users), so teammates who never came online this session are listed too.
   */
  readonly people: readonly PresenceEntry[];
  readonly rooms: readonly RoomSummary[];
  /** False until the first `presence:list` / `room:list` arrived. */
  readonly loaded: boolean;
  readonly history: readonly CallHistoryEntry[] | null;
  readonly historyError: string | null;
}

type Client = Pick<SignalingClient, 'on' | 'request'>;

const STATUS_ORDER: Record<PresenceStatus, number> = { online: 0, busy: 1, away: 2, offline: 3 };

function sortPeople(people: Iterable<PresenceEntry>): PresenceEntry[] {
  return [...people].sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.displayName.localeCompare(b.displayName),
  );
}

/** Presence, open rooms and call history, live from the server. */
export class LobbyStore extends ExternalStore<LobbyState> {
  private readonly unsubscribes: Array<() => void>;

  constructor(
    private readonly client: Client,
    private readonly loadHistory: () => Promise<CallHistoryEntry[]>,
    private readonly loadDirectory: () => Promise<PublicUser[]> = async () => [],
  ) {
    super({ people: [], rooms: [], loaded: false, history: null, historyError: null });
    this.unsubscribes = [
      client.on(ServerEvent.PresenceList, ({ full, users }) => {
        this.setState((state) => {
          const byId = new Map(full ? [] : state.people.map((p) => [p.userId, p] as const));
          // A full snapshot lists only online users; keep who we knew as offline.
          if (full) {
            for (const person of state.people) {
              byId.set(person.userId, { ...person, status: 'offline', inCall: false });
            }
          }
          for (const user of users) byId.set(user.userId, user);
          return { ...state, people: sortPeople(byId.values()), loaded: true };
        });
      }),
      client.on(ServerEvent.RoomList, ({ rooms }) => {
        this.setState((state) => ({ ...state, rooms, loaded: true }));
      }),
    ];
  }

  statusOf(userId: string): PresenceStatus {
    return this.getSnapshot().people.find((p) => p.userId === userId)?.status ?? 'online';
  }

  async setStatus(status: 'online' | 'away' | 'busy'): Promise<void> {
    await this.client.request(ClientEvent.PresenceSet, { status });
  }

  async refreshHistory(): Promise<void> {
    try {
      const history = await this.loadHistory();
      this.setState((state) => ({ ...state, history, historyError: null }));
    } catch (error) {
      this.setState((state) => ({ ...state, historyError: toAppError(error).message }));
    }
  }

  /** Adds accounts not seen online as offline; a failure leaves the online list as it is. */
  async refreshDirectory(): Promise<void> {
    let users: PublicUser[];
    try {
      users = await this.loadDirectory();
    } catch {
      return;
    }
    this.setState((state) => {
      const byId = new Map(state.people.map((p) => [p.userId, p] as const));
      for (const user of users) {
        if (byId.has(user.id)) continue;
        byId.set(user.id, {
          userId: user.id,
          displayName: user.displayName,
          status: 'offline',
          inCall: false,
        });
      }
      return { ...state, people: sortPeople(byId.values()) };
    });
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
  }
}
