import { describe, expect, it } from 'vitest';
import { topologies, useClients, useDeployment } from '../support/deployment';

/*
 * Extension `room:self:deafen` (README "Protocol extensions"): the participant's `deafened`
 * flag, broadcast with room:participant:updated, shown to late joiners, independent of mute.
 */
describe.each(topologies)('room:self:deafen on $label', (topology) => {
  const server = useDeployment(topology);
  const { client } = useClients(server);

  it('tells everyone in the room, keeps mute apart, and shows late joiners', async () => {
    const host = await client('Host');
    const b = await client('B');
    const { room } = await host.request('room:create', { name: 'Quiet' });
    const joined = await b.request('room:join', { roomId: room.id });
    expect(joined.room.participants.every((p: { deafened: boolean }) => !p.deafened)).toBe(true);

    expect(await b.request('room:self:deafen', { roomId: room.id, deafened: true })).toEqual({
      ok: true,
    });
    for (const watcher of [host, b]) {
      expect(
        await watcher.next(
          'room:participant:updated',
          (u) => u.participant.userId === b.user.id && u.participant.deafened,
        ),
      ).toEqual({
        roomId: room.id,
        participant: expect.objectContaining({ userId: b.user.id, deafened: true, muted: false }),
      });
    }

    // A late joiner sees it in room:joined.
    const c = await client('C');
    const late = await c.request('room:join', { roomId: room.id });
    expect(
      late.room.participants.find((p: { userId: string }) => p.userId === b.user.id),
    ).toMatchObject({
      deafened: true,
    });

    // Muting does not undeafen, and undeafening leaves the mute alone.
    await b.request('room:self:mute', { roomId: room.id, muted: true });
    expect(
      await c.next('room:participant:updated', (u) => u.participant.muted === true),
    ).toMatchObject({ participant: { deafened: true, muted: true } });
    await b.request('room:self:deafen', { roomId: room.id, deafened: false });
    expect(
      await c.next('room:participant:updated', (u) => u.participant.deafened === false),
    ).toMatchObject({ participant: { userId: b.user.id, deafened: false, muted: true } });
  });

  it('refuses a bad payload, an unknown room and someone not in it', async () => {
    const host = await client('Host');
    const outsider = await client('Out');
    const { room } = await host.request('room:create', { name: 'Closed' });
    expect(
      (await host.request('room:self:deafen', { roomId: room.id, deafened: 'yes' } as never)).error
        .code,
    ).toBe('VALIDATION_FAILED');
    expect(
      (await host.request('room:self:deafen', { roomId: 'no-such-room', deafened: true })).error
        .code,
    ).toBe('ROOM_NOT_FOUND');
    expect(
      (await outsider.request('room:self:deafen', { roomId: room.id, deafened: true })).error.code,
    ).toBe('NOT_IN_ROOM');
  });
});
