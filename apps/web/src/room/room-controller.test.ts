import type { Participant, RoomState } from '@openwcall/shared';
import { ClientEvent, ServerEvent } from '@openwcall/shared';
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../base/errors';
import { Mesh } from '../rtc';
import {
  FakeSignalingNetwork,
  type FakeTrack,
  fakePeerConnectionFactory,
  fakeStream,
  fakeTrack,
  settle,
} from '../rtc/testing/fakes';
import { FakeClient } from '../signaling/testing/fakes';
import { RoomController } from './room-controller';

const me = { id: 'u-me', displayName: 'Me' };

function participant(userId: string, extra: Partial<Participant> = {}): Participant {
  return {
    userId,
    displayName: userId.toUpperCase(),
    isHost: false,
    muted: false,
    deafened: false,
    joinedAt: new Date(0).toISOString(),
    ...extra,
  };
}

function roomWith(...participants: Participant[]): RoomState {
  return {
    id: 'r1',
    name: 'Ops',
    hostId: participants.find((p) => p.isHost)?.userId ?? participants[0]?.userId ?? '',
    locked: false,
    maxParticipants: 6,
    participants,
  };
}

function setup() {
  const client = new FakeClient();
  const network = new FakeSignalingNetwork();
  const factory = fakePeerConnectionFactory();
  const track = fakeTrack('mic');
  const media = {
    acquire: vi.fn(async () => ({ stream: fakeStream('s'), track })),
    release: vi.fn(),
  };
  const meshes: Mesh[] = [];
  const notices = { info: vi.fn(), error: vi.fn() };
  const controller = new RoomController({
    client,
    media,
    notices,
    self: () => me,
    createMesh: (scope, local) => {
      const mesh = new Mesh({
        localUserId: me.id,
        scope,
        signaling: network.channel(me.id),
        createPeerConnection: factory.create,
        iceServers: [],
        localTrack: local?.track ?? null,
        localStream: local?.stream ?? null,
      });
      meshes.push(mesh);
      return mesh;
    },
  });
  return { client, network, factory, media, meshes, notices, controller, track };
}

const host = participant('u-host', { isHost: true });

async function joined(s: ReturnType<typeof setup>, room = roomWith(host, participant(me.id))) {
  s.client.answer(ClientEvent.RoomJoin, () => ({ room }));
  await s.controller.join('r1');
  await settle();
}

describe('RoomController', () => {
  it('opens the microphone, joins, and offers to everyone already in the room', async () => {
    const s = setup();
    await joined(s, roomWith(host, participant('u-b'), participant(me.id)));
    expect(s.media.acquire).toHaveBeenCalledTimes(1);
    expect(s.controller.getSnapshot()).toMatchObject({ phase: 'in-room', selfMuted: false });
    expect(
      s.controller
        .getSnapshot()
        .peers.map((p) => p.userId)
        .sort(),
    ).toEqual(['u-b', 'u-host']);
    expect(s.network.countSent(me.id, 'offer')).toBe(2);
  });

  it('shows the room a task before it creates the connections', async () => {
    const s = setup();
    s.client.answer(ClientEvent.RoomJoin, () => ({ room: roomWith(host, participant(me.id)) }));
    await s.controller.join('r1');
    expect(s.controller.getSnapshot().phase).toBe('in-room');
    expect(s.factory.created).toHaveLength(0);
    await settle();
    expect(s.factory.created).toHaveLength(1);
    expect(s.network.countSent(me.id, 'offer')).toBe(1);
  });

  it('enters once when room:joined arrives before the ack', async () => {
    const s = setup();
    const room = roomWith(host, participant(me.id));
    s.client.answer(ClientEvent.RoomJoin, () => {
      s.client.emit(ServerEvent.RoomJoined, { room });
      return { room };
    });
    await s.controller.join('r1');
    await settle();
    expect(s.meshes).toHaveLength(1);
    expect(s.factory.created).toHaveLength(1);
    expect(s.factory.created[0]?.senders[0]?.track).toBe(s.track);
  });

  it('reports a refused join and releases the microphone', async () => {
    const s = setup();
    s.client.fail(ClientEvent.RoomJoin, 'ROOM_BANNED');
    await expect(s.controller.join('r1')).rejects.toMatchObject({ code: 'ROOM_BANNED' });
    expect(s.media.release).toHaveBeenCalled();
    expect(s.controller.getSnapshot().phase).toBe('idle');
  });

  it('follows participants joining, updating and leaving', async () => {
    const s = setup();
    await joined(s);
    s.client.emit(ServerEvent.ParticipantJoined, { roomId: 'r1', participant: participant('u-c') });
    expect(s.controller.getSnapshot().room?.participants.map((p) => p.userId)).toContain('u-c');
    expect(s.controller.getSnapshot().peers.map((p) => p.userId)).toContain('u-c');
    s.client.emit(ServerEvent.ParticipantUpdated, {
      roomId: 'r1',
      participant: participant('u-c', { muted: true }),
    });
    expect(
      s.controller.getSnapshot().room?.participants.find((p) => p.userId === 'u-c')?.muted,
    ).toBe(true);
    s.client.emit(ServerEvent.ParticipantLeft, { roomId: 'r1', userId: 'u-c', reason: 'left' });
    expect(s.controller.getSnapshot().peers.map((p) => p.userId)).not.toContain('u-c');
    // Events of other rooms change nothing.
    s.client.emit(ServerEvent.ParticipantJoined, { roomId: 'r2', participant: participant('u-x') });
    expect(s.controller.getSnapshot().peers.map((p) => p.userId)).not.toContain('u-x');
  });

  it('self mute disables the track and tells the server', async () => {
    const s = setup();
    await joined(s);
    await s.controller.setMuted(true);
    expect((s.track as unknown as FakeTrack).enabled).toBe(false);
    expect(s.controller.getSnapshot().selfMuted).toBe(true);
    expect(s.client.requested(ClientEvent.RoomSelfMute)).toEqual([{ roomId: 'r1', muted: true }]);
  });

  it('a muted join sends a silent track from the first offer and tells the server', async () => {
    const s = setup();
    s.client.answer(ClientEvent.RoomJoin, () => ({ room: roomWith(host, participant(me.id)) }));
    await s.controller.join('r1', { muted: true });
    await settle();
    expect((s.track as unknown as FakeTrack).enabled).toBe(false);
    expect(s.factory.created[0]?.senders[0]?.track).toBe(s.track);
    expect(s.controller.getSnapshot().selfMuted).toBe(true);
    expect(s.client.requested(ClientEvent.RoomSelfMute)).toEqual([{ roomId: 'r1', muted: true }]);
  });

  it('a host mute stops sending; unmuting oneself resumes it', async () => {
    const s = setup();
    await joined(s);
    await s.network.deliverAll();
    const pc = s.factory.created[0];
    s.client.emit(ServerEvent.HostAction, {
      roomId: 'r1',
      action: 'mute',
      targetUserId: me.id,
      byUserId: 'u-host',
    });
    await settle();
    expect(s.controller.getSnapshot()).toMatchObject({ selfMuted: true, mutedByHost: true });
    expect(s.meshes[0]?.getSnapshot().sending).toBe(false);
    expect(pc?.senders[0]?.track).toBeNull();
    expect(s.notices.info).toHaveBeenCalledWith('Muted by the host.');

    await s.controller.setMuted(false);
    await settle();
    expect(s.controller.getSnapshot()).toMatchObject({ selfMuted: false, mutedByHost: false });
    expect(pc?.senders[0]?.track).toBe(s.track);
    expect((s.track as unknown as FakeTrack).enabled).toBe(true);
  });

  it('a kick sends us back to the lobby with a message', async () => {
    const s = setup();
    await joined(s);
    s.client.emit(ServerEvent.HostAction, {
      roomId: 'r1',
      action: 'kick',
      targetUserId: me.id,
      byUserId: 'u-host',
    });
    expect(s.controller.getSnapshot().phase).toBe('idle');
    expect(s.factory.created[0]?.closed).toBe(true);
    expect(s.media.release).toHaveBeenCalled();
    expect(s.notices.info).toHaveBeenCalledWith(expect.stringContaining('removed you'));
  });

  it('shows lock changes and host transfer', async () => {
    const s = setup();
    await joined(s);
    s.client.emit(ServerEvent.HostAction, { roomId: 'r1', action: 'lock', byUserId: 'u-host' });
    expect(s.controller.getSnapshot().room?.locked).toBe(true);
    s.client.emit(ServerEvent.HostAction, {
      roomId: 'r1',
      action: 'host-transferred',
      targetUserId: me.id,
    });
    const room = s.controller.getSnapshot().room;
    expect(room?.hostId).toBe(me.id);
    expect(room?.participants.find((p) => p.userId === me.id)?.isHost).toBe(true);
    expect(s.notices.info).toHaveBeenLastCalledWith('You are now the host.');
  });

  it('after a reconnect, re-joins and reconciles the mesh once (ICE restart on lost peers)', async () => {
    const s = setup();
    const room = roomWith(host, participant('u-b'), participant(me.id));
    await joined(s, room);
    await s.network.deliverAll();
    const [toHost] = s.factory.created;
    s.client.answer(ClientEvent.RoomJoin, () => {
      s.client.emit(ServerEvent.RoomJoined, { room: roomWith(host, participant(me.id)) });
      return { room: roomWith(host, participant(me.id)) };
    });
    s.client.ready({ user: me, iceServers: [], resumed: true, droppedSignals: 0 });
    await settle();
    expect(s.client.requested(ClientEvent.RoomJoin)).toHaveLength(2);
    // u-b is gone from the room: its session was dropped; the host's was restarted once.
    expect(s.controller.getSnapshot().peers.map((p) => p.userId)).toEqual(['u-host']);
    expect(toHost?.restartIceCalls).toBe(1);
  });

  it('restarts ICE on every connection when signals were lost while offline', async () => {
    const s = setup();
    // The host's side of the connection, answering our offer.
    const hostMesh = new Mesh({
      localUserId: host.userId,
      scope: { roomId: 'r1' },
      signaling: s.network.channel(host.userId),
      createPeerConnection: s.factory.create,
      iceServers: [],
      localTrack: fakeTrack('host-mic'),
    });
    hostMesh.participantJoined(me.id);
    await joined(s);
    await s.network.deliverAll();
    const toHost = s.factory.created[1];
    toHost?.setConnectionState('connected');
    s.client.answer(ClientEvent.RoomJoin, () => ({ room: roomWith(host, participant(me.id)) }));
    // A healthy connection is left alone after an ordinary reconnect …
    s.client.ready({ user: me, iceServers: [], resumed: true, droppedSignals: 0 });
    await settle();
    expect(toHost?.restartIceCalls).toBe(0);
    // … but not when one of its signals never left.
    s.client.ready({ user: me, iceServers: [], resumed: true, droppedSignals: 3 });
    await settle();
    expect(toHost?.restartIceCalls).toBe(1);
    expect(s.controller.getSnapshot().peers[0]?.state).toBe('connected');
  });

  it('says so when a connection cannot be restored', async () => {
    const s = setup();
    await joined(s);
    vi.useFakeTimers();
    const [toHost] = s.factory.created;
    toHost?.setConnectionState('connected');
    toHost?.setConnectionState('failed');
    // The default policy retries for a minute, then gives up.
    await vi.advanceTimersByTimeAsync(120_000);
    vi.useRealTimers();
    expect(s.controller.getSnapshot().peers[0]?.state).toBe('failed');
    expect(s.notices.error).toHaveBeenCalledWith(
      'The connection to U-HOST could not be restored. Leave and join the room again to retry.',
    );
  });

  it('after a reload, takes back the seat the server re-sends, offering to everyone', async () => {
    const s = setup();
    s.client.emit(ServerEvent.RoomJoined, {
      room: roomWith(host, participant('u-b'), participant(me.id, { muted: true })),
    });
    await settle();
    expect(s.media.acquire).toHaveBeenCalledTimes(1);
    expect(s.controller.getSnapshot()).toMatchObject({ phase: 'in-room', selfMuted: true });
    expect(s.network.countSent(me.id, 'offer', 'u-host')).toBe(1);
    expect(s.network.countSent(me.id, 'offer', 'u-b')).toBe(1);
    // No room:join: the seat is already ours, nobody saw us leave.
    expect(s.client.requested(ClientEvent.RoomJoin)).toEqual([]);
  });

  it('goes back to the lobby when the seat is lost for good', async () => {
    const s = setup();
    await joined(s);
    s.client.fail(ClientEvent.RoomJoin, 'ROOM_NOT_FOUND');
    s.client.ready({ user: me, iceServers: [], resumed: true, droppedSignals: 0 });
    await settle();
    expect(s.controller.getSnapshot().phase).toBe('idle');
    expect(s.notices.info).toHaveBeenCalledWith(expect.stringContaining('lost your place'));
  });

  it('leaves: closes connections, releases the mic, tells the server', async () => {
    const s = setup();
    await joined(s);
    await s.controller.leave();
    expect(s.client.requested(ClientEvent.RoomLeave)).toEqual([{ roomId: 'r1' }]);
    expect(s.factory.created.every((pc) => pc.closed)).toBe(true);
    expect(s.media.release).toHaveBeenCalled();
    await expect(s.controller.muteParticipant('u-host')).rejects.toBeInstanceOf(AppError);
  });
});
