import type { PrismaClient } from '@openwcall/db';
import type { RestoreSnapshot } from '../signaling/restore';

/*
 * What the database holds open at start-up. Open rooms with their open memberships, bans
 * (kicks in a room still open) and accepted calls are returned to be restored; what cannot
 * be live any more is closed here: rooms nobody sits in, memberships of closed rooms, a
 * user's older seats when the database shows them in two rooms, and calls still "ringing"
 * (nobody is ringing after a restart: they become missed).
 */
export async function loadOpenState(prisma: PrismaClient, now: Date): Promise<RestoreSnapshot> {
  await prisma.roomMembership.updateMany({
    where: { leftAt: null, room: { closedAt: { not: null } } },
    data: { leftAt: now, leftReason: 'disconnected' },
  });
  await prisma.directCall.updateMany({
    where: { outcome: 'ringing' },
    data: { outcome: 'missed', endedAt: now },
  });

  const open = await prisma.room.findMany({
    where: { closedAt: null },
    orderBy: { createdAt: 'asc' },
    include: {
      memberships: {
        where: { leftAt: null },
        orderBy: { joinedAt: 'asc' },
        include: { user: { select: { displayName: true } } },
      },
      moderationActions: { where: { action: 'kick' }, select: { targetId: true } },
    },
  });

  // One seat per user: the latest membership wins, older ones are ended.
  const latest = new Map<string, { roomId: string; joinedAt: number }>();
  for (const room of open) {
    for (const m of room.memberships) {
      const seen = latest.get(m.userId);
      if (!seen || seen.joinedAt < m.joinedAt.getTime()) {
        latest.set(m.userId, { roomId: room.id, joinedAt: m.joinedAt.getTime() });
      }
    }
  }
  const rooms: Array<RestoreSnapshot['rooms'][number]> = [];
  const emptyRooms: string[] = [];
  for (const room of open) {
    const seats = room.memberships.filter((m) => latest.get(m.userId)?.roomId === room.id);
    const stale = room.memberships.filter((m) => latest.get(m.userId)?.roomId !== room.id);
    if (stale.length > 0) {
      await prisma.roomMembership.updateMany({
        where: { id: { in: stale.map((m) => m.id) } },
        data: { leftAt: now, leftReason: 'left' },
      });
    }
    if (seats.length === 0) {
      emptyRooms.push(room.id);
      continue;
    }
    const seated = new Set(seats.map((m) => m.userId));
    rooms.push({
      id: room.id,
      name: room.name,
      // The host column follows hand-overs; a host no longer seated hands over to the earliest.
      hostId: seated.has(room.hostId) ? room.hostId : (seats[0]?.userId ?? room.hostId),
      maxParticipants: room.maxParticipants,
      locked: room.locked,
      createdAt: room.createdAt.getTime(),
      seats: seats.map((m) => ({
        userId: m.userId,
        displayName: m.user.displayName,
        joinedAt: m.joinedAt.getTime(),
      })),
      banned: [
        ...new Set(
          room.moderationActions.flatMap((a) =>
            a.targetId && !seated.has(a.targetId) ? [a.targetId] : [],
          ),
        ),
      ],
    });
  }
  if (emptyRooms.length > 0) {
    await prisma.room.updateMany({ where: { id: { in: emptyRooms } }, data: { closedAt: now } });
  }

  const accepted = await prisma.directCall.findMany({
    where: { outcome: 'accepted', endedAt: null },
    include: {
      caller: { select: { id: true, displayName: true } },
      callee: { select: { id: true, displayName: true } },
    },
  });
  // A user seated in a room cannot also be in an accepted call: the call is the stale one.
  const calls: Array<RestoreSnapshot['calls'][number]> = [];
  const busy = new Set(latest.keys());
  for (const call of accepted) {
    if (busy.has(call.callerId) || busy.has(call.calleeId)) {
      await prisma.directCall.update({
        where: { id: call.id },
        data: { outcome: 'ended', endedAt: now },
      });
      continue;
    }
    busy.add(call.callerId).add(call.calleeId);
    calls.push({
      id: call.id,
      caller: call.caller,
      callee: call.callee,
      createdAt: call.ringingAt.getTime(),
      answeredAt: (call.answeredAt ?? call.ringingAt).getTime(),
    });
  }
  return { rooms, calls };
}
