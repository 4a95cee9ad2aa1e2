import { describe, expect, it } from 'vitest';
import { signedInClient } from '../support/clients';
import { backends, useTestServer } from '../support/server';

describe.each(backends)('signaling smoke on %s', (backend) => {
  const server = useTestServer(backend);

  it('two people meet in a room and exchange an offer', async () => {
    const alice = await signedInClient(server.url, 'Alice');
    const bob = await signedInClient(server.url, 'Bob');
    const created = await alice.request('room:create', { name: 'Standup' });
    expect(created.ok).toBe(true);
    const roomId = created.room.id;
    const joined = await bob.request('room:join', { roomId });
    expect(joined.room.participants.map((p: { userId: string }) => p.userId)).toEqual([
      alice.user.id,
      bob.user.id,
    ]);
    await alice.next('room:participant:joined', (p) => p.participant.userId === bob.user.id);
    expect(await bob.request('webrtc:offer', { to: alice.user.id, roomId, sdp: 'v=0' })).toEqual({
      ok: true,
    });
    expect(await alice.next('webrtc:offer')).toEqual({ from: bob.user.id, roomId, sdp: 'v=0' });
    alice.close();
    bob.close();
  });
});
