import { describe, expect, it } from 'vitest';
import { addSocket, createSession, presenceChange, presenceEntry, removeSocket } from './presence';

describe('sessions', () => {
  it('tracks sockets and which one left the user with none', () => {
    let s = addSocket(addSocket(createSession('u', 'U'), 's1'), 's2');
    expect(s.sockets).toEqual(['s1', 's2']);
    s = removeSocket(s, 's1');
    expect(s.lastSocketGone).toBeNull();
    s = removeSocket(s, 's2');
    expect(s).toMatchObject({ sockets: [], lastSocketGone: 's2' });
    s = addSocket(s, 's3');
    expect(s).toMatchObject({ sockets: ['s3'], lastSocketGone: null });
  });

  it('ignores a duplicate or unknown socket', () => {
    const s = addSocket(createSession('u', 'U'), 's1');
    expect(addSocket(s, 's1').sockets).toEqual(['s1']);
    expect(removeSocket(s, 'nope')).toBe(s);
  });
});

describe('presenceChange', () => {
  const online = presenceEntry(createSession('u', 'U'), false);

  it('reports a move from one room to another', () => {
    const inRoom = { ...online, inCall: true, roomId: 'r1' };
    expect(presenceChange(inRoom, { ...inRoom, roomId: 'r2' })).toEqual({
      ...inRoom,
      roomId: 'r2',
    });
  });

  it('is null when nothing visible changed', () => {
    expect(presenceChange(online, { ...online })).toBeNull();
    expect(presenceChange(null, null)).toBeNull();
  });

  it('reports the new entry, or offline', () => {
    expect(presenceChange(null, online)).toEqual(online);
    expect(presenceChange(online, { ...online, inCall: true })).toEqual({
      ...online,
      inCall: true,
    });
    // Offline: no longer in any room.
    expect(presenceChange({ ...online, inCall: true, roomId: 'r1' }, null)).toEqual({
      ...online,
      status: 'offline',
      inCall: false,
    });
  });
});
