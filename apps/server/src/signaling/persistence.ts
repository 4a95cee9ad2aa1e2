import type { CallState, HostActionKind, LeaveReason } from '@openwcall/shared';

/*
 * What the database keeps (PROTOCOL.md: rooms, call records and moderation actions are
 * stored). The service calls the sink fire-and-forget after each state change is
 * committed, in the order things happened. A method may be async: the promise is not
 * awaited and a rejection is only logged. The real sink queues and retries so a slow or down database
 * never stalls signaling.
 */

export interface RoomCreatedRecord {
  roomId: string;
  name: string;
  hostId: string;
  maxParticipants: number;
  createdAt: Date;
}

export interface MembershipRecord {
  roomId: string;
  userId: string;
  at: Date;
}

export interface CallRingingRecord {
  callId: string;
  callerId: string;
  calleeId: string;
  startedAt: Date;
}

export interface CallUpdatedRecord {
  callId: string;
  state: Exclude<CallState, 'ringing'>;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
}

export interface ModerationRecord {
  roomId: string;
  action: HostActionKind;
  /** The host who acted; for 'host-transferred', the host who left. */
  byUserId: string;
  targetUserId: string | null;
  at: Date;
}

export interface PersistenceSink {
  roomCreated(record: RoomCreatedRecord): void;
  roomClosed(record: { roomId: string; closedAt: Date }): void;
  membershipStarted(record: MembershipRecord): void;
  membershipEnded(record: MembershipRecord & { reason: LeaveReason }): void;
  callRinging(record: CallRingingRecord): void;
  callUpdated(record: CallUpdatedRecord): void;
  moderation(record: ModerationRecord): void;
}

export const noopPersistence: PersistenceSink = {
  roomCreated() {},
  roomClosed() {},
  membershipStarted() {},
  membershipEnded() {},
  callRinging() {},
  callUpdated() {},
  moderation() {},
};

export type PersistenceEvent = {
  [M in keyof PersistenceSink]: { method: M; record: Parameters<PersistenceSink[M]>[0] };
}[keyof PersistenceSink];

/** Keeps every call, in order, for tests. */
export class RecordingPersistence implements PersistenceSink {
  readonly events: PersistenceEvent[] = [];

  roomCreated(record: RoomCreatedRecord): void {
    this.events.push({ method: 'roomCreated', record });
  }
  roomClosed(record: { roomId: string; closedAt: Date }): void {
    this.events.push({ method: 'roomClosed', record });
  }
  membershipStarted(record: MembershipRecord): void {
    this.events.push({ method: 'membershipStarted', record });
  }
  membershipEnded(record: MembershipRecord & { reason: LeaveReason }): void {
    this.events.push({ method: 'membershipEnded', record });
  }
  callRinging(record: CallRingingRecord): void {
    this.events.push({ method: 'callRinging', record });
  }
  callUpdated(record: CallUpdatedRecord): void {
    this.events.push({ method: 'callUpdated', record });
  }
  moderation(record: ModerationRecord): void {
    this.events.push({ method: 'moderation', record });
  }

  of<M extends keyof PersistenceSink>(method: M): Array<Parameters<PersistenceSink[M]>[0]> {
    return this.events
      .filter((event) => event.method === method)
      .map((event) => event.record as Parameters<PersistenceSink[M]>[0]);
  }
}
