import type { PrismaClient } from '@openwcall/db';
import type { PersistenceSink } from '../signaling';
import { isTransientDbError } from './outage';
import { WriteQueue, type WriteQueueOptions } from './write-queue';

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
    this.queue.push(
      'roomCreated',
      () =>
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
      `room:${r.roomId}`,
    );
  }

  roomClosed(r: Parameters<PersistenceSink['roomClosed']>[0]): void {
    this.queue.push(
      'roomClosed',
      () =>
        this.prisma.room.updateMany({ where: { id: r.roomId }, data: { closedAt: r.closedAt } }),
      `room:${r.roomId}`,
    );
  }

  membershipStarted(r: Parameters<PersistenceSink['membershipStarted']>[0]): void {
    this.queue.push(
      'membershipStarted',
      () =>
        this.prisma.roomMembership.create({
          data: { roomId: r.roomId, userId: r.userId, joinedAt: r.at },
        }),
      `room:${r.roomId}`,
    );
  }

  membershipEnded(r: Parameters<PersistenceSink['membershipEnded']>[0]): void {
    this.queue.push(
      'membershipEnded',
      () =>
        this.prisma.roomMembership.updateMany({
          where: { roomId: r.roomId, userId: r.userId, leftAt: null },
          data: { leftAt: r.at, leftReason: r.reason },
        }),
      `room:${r.roomId}`,
    );
  }

  callRinging(r: Parameters<PersistenceSink['callRinging']>[0]): void {
    this.queue.push(
      'callRinging',
      () =>
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
      `call:${r.callId}`,
    );
  }

  callUpdated(r: Parameters<PersistenceSink['callUpdated']>[0]): void {
    this.queue.push(
      'callUpdated',
      () =>
        this.prisma.directCall.updateMany({
          where: { id: r.callId },
          data: { outcome: r.state, answeredAt: r.answeredAt, endedAt: r.endedAt },
        }),
      `call:${r.callId}`,
    );
  }

  moderation(r: Parameters<PersistenceSink['moderation']>[0]): void {
    // A host leaving is recorded as the membership's end, not as moderation; the room's host
    // column follows, so a restart restores the right host.
    if (r.action === 'host-transferred') {
      const hostId = r.targetUserId;
      if (hostId !== null) {
        this.queue.push(
          'roomHostChanged',
          () => this.prisma.room.updateMany({ where: { id: r.roomId }, data: { hostId } }),
          `room:${r.roomId}`,
        );
      }
      return;
    }
    this.queue.push(
      'moderation',
      () =>
        this.prisma.moderationAction.create({
          data: {
            roomId: r.roomId,
            actorId: r.byUserId,
            targetId: r.targetUserId,
            action: r.action,
            createdAt: r.at,
          },
        }),
      `room:${r.roomId}`,
    );
    if (r.action === 'lock' || r.action === 'unlock') {
      const locked = r.action === 'lock';
      this.queue.push(
        'roomLocked',
        () => this.prisma.room.updateMany({ where: { id: r.roomId }, data: { locked } }),
        `room:${r.roomId}`,
      );
    }
  }
}
