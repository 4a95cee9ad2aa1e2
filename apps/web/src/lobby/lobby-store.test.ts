import { ClientEvent, ServerEvent } from '@openwcall/shared';
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../base/errors';
import { FakeClient } from '../signaling/testing/fakes';
import { LobbyStore } from './lobby-store';

const entry = (userId: string, status: 'online' | 'away' | 'busy' | 'offline', inCall = false) => ({
  userId,
  displayName: userId,
  status,
  inCall,
});

describe('LobbyStore', () => {
  it('applies the full presence snapshot, then deltas; keeps people who went offline', () => {
    const client = new FakeClient();
    const lobby = new LobbyStore(client, async () => []);
    expect(lobby.getSnapshot().loaded).toBe(false);
    client.emit(ServerEvent.PresenceList, {
      full: true,
      users: [entry('zed', 'online'), entry('amy', 'away')],
    });
    expect(lobby.getSnapshot().people.map((p) => p.userId)).toEqual(['zed', 'amy']);
    client.emit(ServerEvent.PresenceList, { full: false, users: [entry('zed', 'offline')] });
    client.emit(ServerEvent.PresenceList, { full: false, users: [entry('bob', 'busy', true)] });
    expect(lobby.getSnapshot().people).toEqual([
      entry('bob', 'busy', true),
      entry('amy', 'away'),
      entry('zed', 'offline'),
    ]);
    expect(lobby.statusOf('amy')).toBe('away');
  });

  it('tracks room summaries and sets the own status', async () => {
    const client = new FakeClient();
    const lobby = new LobbyStore(client, async () => []);
    const room = {
      id: 'r1',
      name: 'Ops',
      hostId: 'u1',
      participantCount: 2,
      maxParticipants: 6,
      locked: true,
    };
    client.emit(ServerEvent.RoomList, { rooms: [room] });
    expect(lobby.getSnapshot()).toMatchObject({ rooms: [room], loaded: true });
    await lobby.setStatus('busy');
    expect(client.requested(ClientEvent.PresenceSet)).toEqual([{ status: 'busy' }]);
  });

  it('loads call history and shows a failure as a message', async () => {
    const load = vi.fn().mockRejectedValueOnce(new AppError('NETWORK')).mockResolvedValueOnce([]);
    const lobby = new LobbyStore(new FakeClient(), load);
    expect(lobby.getSnapshot().history).toBeNull();
    await lobby.refreshHistory();
    expect(lobby.getSnapshot().historyError).toMatch(/Cannot reach the server/);
    await lobby.refreshHistory();
    expect(lobby.getSnapshot()).toMatchObject({ history: [], historyError: null });
  });

  it('lists directory accounts not seen online as offline, without overriding presence', async () => {
    const client = new FakeClient();
    const lobby = new LobbyStore(
      client,
      async () => [],
      async () => [
        { id: 'amy', displayName: 'amy' },
        { id: 'gus', displayName: 'gus' },
      ],
    );
    client.emit(ServerEvent.PresenceList, { full: true, users: [entry('amy', 'online')] });
    await lobby.refreshDirectory();
    expect(lobby.getSnapshot().people).toEqual([entry('amy', 'online'), entry('gus', 'offline')]);
    // Gus comes online: the delta wins over the directory's offline entry.
    client.emit(ServerEvent.PresenceList, { full: false, users: [entry('gus', 'online')] });
    expect(lobby.statusOf('gus')).toBe('online');
    // A later full snapshot keeps directory people as offline.
    client.emit(ServerEvent.PresenceList, { full: true, users: [entry('amy', 'online')] });
    expect(lobby.statusOf('gus')).toBe('offline');
  });

  it('keeps the online list when the directory cannot be loaded', async () => {
    const client = new FakeClient();
    const lobby = new LobbyStore(
      client,
      async () => [],
      async () => Promise.reject(new AppError('NETWORK')),
    );
    client.emit(ServerEvent.PresenceList, { full: true, users: [entry('amy', 'online')] });
    await lobby.refreshDirectory();
    expect(lobby.getSnapshot().people).toEqual([entry('amy', 'online')]);
  });
});
