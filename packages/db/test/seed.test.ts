import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/client';
import { isUniqueViolation } from '../src/errors';
import { hashPassword, verifyPassword } from '../src/passwords';
import { DEMO_PASSWORD, DEMO_USERS, seedDemoUsers } from '../src/seed';
import { createTestDatabase, databaseBackends, type TestDatabase } from '../src/testing';
import type { Database } from '../src/types';

describe.each(databaseBackends())('data on %s', (kind) => {
  // One migrated database per backend (opening PGlite costs seconds); tests use
  // disjoint rows.
  let t: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    db = await openDatabase(t);
    await db.migrate();
  });
  afterAll(async () => {
    await db?.close();
    await t?.dispose();
  });

  it('seeds the demo users once; a second run changes nothing', async () => {
    expect(await seedDemoUsers(db.prisma)).toEqual(DEMO_USERS.map((u) => u.email));
    const emails = DEMO_USERS.map((u) => u.email);
    const first = await db.prisma.user.findMany({
      where: { email: { in: emails } },
      orderBy: { email: 'asc' },
    });
    expect(first.map((u) => [u.email, u.displayName])).toEqual([
      ['alice@example.com', 'Alice'],
      ['bob@example.com', 'Bob'],
      ['carol@example.com', 'Carol'],
    ]);

    expect(await seedDemoUsers(db.prisma)).toEqual([]);
    const second = await db.prisma.user.findMany({
      where: { email: { in: emails } },
      orderBy: { email: 'asc' },
    });
    expect(second).toEqual(first);
    for (const u of second) {
      expect(await verifyPassword(u.passwordHash, DEMO_PASSWORD)).toBe(true);
      expect(await verifyPassword(u.passwordHash, 'wrong')).toBe(false);
    }
  });

  it('enforces unique emails in the database', async () => {
    const data = {
      email: `dup-${kind}@example.com`,
      passwordHash: await hashPassword('x'),
      displayName: 'Dup',
    };
    await db.prisma.user.create({ data });
    const err = await db.prisma.user.create({ data }).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
    expect(await db.prisma.user.count({ where: { email: data.email } })).toBe(1);
  });

  it('accepts app-supplied ids for rooms and calls and cascades user deletion', async () => {
    const [host, peer] = await Promise.all(
      ['host', 'peer'].map(async (name) =>
        db.prisma.user.create({
          data: { email: `${name}-${kind}@example.com`, passwordHash: 'h', displayName: name },
        }),
      ),
    );
    if (!host || !peer) throw new Error('unreachable');
    await db.prisma.room.create({
      data: { id: `room-${kind}`, name: 'Standup', hostId: host.id, maxParticipants: 6 },
    });
    await db.prisma.roomMembership.create({ data: { roomId: `room-${kind}`, userId: peer.id } });
    await db.prisma.moderationAction.create({
      data: { roomId: `room-${kind}`, actorId: host.id, targetId: peer.id, action: 'kick' },
    });
    const call = await db.prisma.directCall.create({
      data: { id: `call-${kind}`, callerId: host.id, calleeId: peer.id },
    });
    expect(call.outcome).toBe('ringing');

    await db.prisma.user.delete({ where: { id: peer.id } });
    const action = await db.prisma.moderationAction.findFirstOrThrow({
      where: { roomId: `room-${kind}` },
    });
    expect(action.targetId).toBeNull();
    expect(await db.prisma.roomMembership.count({ where: { roomId: `room-${kind}` } })).toBe(0);
    expect(await db.prisma.directCall.count({ where: { id: `call-${kind}` } })).toBe(0);
  });
});
