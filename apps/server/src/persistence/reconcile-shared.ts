import type { PrismaClient } from '@openwcall/db';
import { recordKey, type SignalingStore } from '../store/store';

/*
 * With REDIS_URL the live state is in Redis and the database only records it. If Redis loses
 * its data (restarted without persistence, flushed, a new instance), the rooms and calls it
 * held are gone for everyone, but their database rows would stay open for ever: rooms without
 * closed_at, memberships without left_at, accepted calls never ended. A node runs this when it
 * starts and after it was fenced (which is how a node notices an emptied Redis): whatever the
 * database has open and the shared state does not know is closed as a disconnect.
 *
 * Safe against live writes: a room or call is committed to Redis before its database row is
 * queued, so a row read here whose record Redis lacks is one that has ended (or never will
 * come back); the updates only touch rows still open and are idempotent across nodes.
 */
export async function closeWhatSharedStateForgot(
  prisma: PrismaClient,
  store: SignalingStore,
  now: Date,
): Promise<{ rooms: number; calls: number }> {
  const [rooms, calls] = await Promise.all([
    prisma.room.findMany({ where: { closedAt: null }, select: { id: true } }),
    prisma.directCall.findMany({
      where: { outcome: { in: ['ringing', 'accepted'] } },
      select: { id: true, outcome: true },
    }),
  ]);
  const live = async (keys: ReturnType<typeof recordKey>[]) =>
    keys.length === 0 ? [] : (await store.read(keys)).map((entry) => entry.version > 0);

  const roomLive = await live(rooms.map((r) => recordKey('room', r.id)));
  const goneRooms = rooms.filter((_, i) => !roomLive[i]).map((r) => r.id);
  if (goneRooms.length > 0) {
    await prisma.roomMembership.updateMany({
      where: { roomId: { in: goneRooms }, leftAt: null },
      data: { leftAt: now, leftReason: 'disconnected' },
    });
    await prisma.room.updateMany({
      where: { id: { in: goneRooms }, closedAt: null },
      data: { closedAt: now },
    });
  }

  const callLive = await live(calls.map((c) => recordKey('call', c.id)));
  const goneCalls = calls.filter((_, i) => !callLive[i]);
  const ended = goneCalls.filter((c) => c.outcome === 'accepted').map((c) => c.id);
  const missed = goneCalls.filter((c) => c.outcome === 'ringing').map((c) => c.id);
  if (ended.length > 0) {
    await prisma.directCall.updateMany({
      where: { id: { in: ended }, outcome: 'accepted' },
      data: { outcome: 'ended', endedAt: now },
    });
  }
  if (missed.length > 0) {
    await prisma.directCall.updateMany({
      where: { id: { in: missed }, outcome: 'ringing' },
      data: { outcome: 'missed', endedAt: now },
    });
  }
  return { rooms: goneRooms.length, calls: goneCalls.length };
}
