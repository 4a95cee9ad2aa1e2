import type { PrismaClient } from '@openwcall/db';
import type { PersistenceSink } from '../signaling';
import { WriteQueue, type WriteQueueOptions } from './write-queue';

/**
 * Prisma codes for a constraint violated by the data itself: retrying cannot help.
 * Anything else (connection refused, timeouts, a dropped pool) is an outage and retried.
 */
const PERMANENT_CODES = new Set(['P2002', 'P2003', 'P2025', 'P2000', 'P2011']);

export function isTransientDbError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return !(typeof code === 'string' && PERMANENT_CODES.has(code));
}

/**
 * The database side of signaling: rooms, memberships, direct calls and moderation actions,
 * written through a WriteQueue so that a slow or unreachable database never stalls a
 * socket handler.
 */
export class PrismaPersistence implements PersistenceSink {
  readonly queue: WriteQueue;

  constructor(
    private readonly prisma: PrismaClient,
    options: WriteQueueOptions = {},
  ) {
    this.queue = new WriteQueue({ isTransient: isTransientDbError, ...options });
  }

  roomCreated(r: Parameters<PersistenceSink['roomCreated']>[0]): void {
    this.queue.push('roomCreated', () =>
      this.prisma.room.upsert({
        where: { id: r.roomId },
        create: {
          id: r.roomId,
          name: r.name,
          hostId: r.hostId,
          maxParticipants: r.maxParticipants,
          createdAt: r.createdAt,
        },
        update: {},
      }),
    );
  }

  roomClosed(r: Parameters<PersistenceSink['roomClosed']>[0]): void {
    this.queue.push('roomClosed', () =>
      this.prisma.room.updateMany({ where: { id: r.roomId }, data: { closedAt: r.closedAt } }),
    );
  }

  membershipStarted(r: Parameters<PersistenceSink['membershipStarted']>[0]): void {
    this.queue.push('membershipStarted', () =>
      this.prisma.roomMembership.create({
        data: { roomId: r.roomId, userId: r.userId, joinedAt: r.at },
      }),
    );
  }

  membershipEnded(r: Parameters<PersistenceSink['membershipEnded']>[0]): void {
    this.queue.push('membershipEnded', () =>
      this.prisma.roomMembership.updateMany({
        where: { roomId: r.roomId, userId: r.userId, leftAt: null },
        data: { leftAt: r.at, leftReason: r.reason },
      }),
    );
  }

  callRinging(r: Parameters<PersistenceSink['callRinging']>[0]): void {
    this.queue.push('callRinging', () =>
      this.prisma.directCall.upsert({
        where: { id: r.callId },
        create: {
          id: r.callId,
          callerId: r.callerId,
          calleeId: r.calleeId,
          outcome: 'ringing',
          ringingAt: r.startedAt,
        },
        update: {},
      }),
    );
  }

  callUpdated(r: Parameters<PersistenceSink['callUpdated']>[0]): void {
    this.queue.push('callUpdated', () =>
      this.prisma.directCall.updateMany({
        where: { id: r.callId },
        data: { outcome: r.state, answeredAt: r.answeredAt, endedAt: r.endedAt },
      }),
    );
  }

  moderation(r: Parameters<PersistenceSink['moderation']>[0]): void {
    // A host leaving is recorded as the membership's end, not as moderation; the room's host
    // column follows, so a restart restores the right host.
    if (r.action === 'host-transferred') {
      const hostId = r.targetUserId;
      if (hostId !== null) {
        this.queue.push('roomHostChanged', () =>
          this.prisma.room.updateMany({ where: { id: r.roomId }, data: { hostId } }),
        );
      }
      return;
    }
    this.queue.push('moderation', () =>
      this.prisma.moderationAction.create({
        data: {
          roomId: r.roomId,
          actorId: r.byUserId,
          targetId: r.targetUserId,
          action: r.action,
          createdAt: r.at,
        },
      }),
    );
    if (r.action === 'lock' || r.action === 'unlock') {
      const locked = r.action === 'lock';
      this.queue.push('roomLocked', () =>
        this.prisma.room.updateMany({ where: { id: r.roomId }, data: { locked } }),
      );
    }
  }
}
