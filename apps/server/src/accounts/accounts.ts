import { hashPassword, isUniqueViolation, type PrismaClient, type User } from '@openwcall/db';
import { AppError } from '../errors';
import { consumeInvitation } from '../invitations/invitations';

/*
 * Account records: creation (registration, admins, the command line), who is an admin,
 * and the "still allowed in" check of disabled accounts.
 */

/** Serializes account creation so "the first user of an empty install" is exactly one. */
const CREATE_ACCOUNT_LOCK = 72_210_011;

export interface NewAccount {
  email: string;
  displayName: string;
  password: string;
  /** Registration with an invite link: one use is counted in the same transaction. */
  invite?: string | undefined;
  /** Created as an admin (the command line's --admin). */
  isAdmin?: boolean;
}

/**
 * Creates a user; EMAIL_TAKEN when the email exists, INVITE_INVALID when the invite
 * cannot be used. The first user of an empty database is stored as an admin.
 */
export async function createAccount(prisma: PrismaClient, input: NewAccount): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CREATE_ACCOUNT_LOCK})`;
      if (input.invite !== undefined) await consumeInvitation(tx, input.invite);
      const first = (await tx.user.findFirst({ select: { id: true } })) === null;
      return tx.user.create({
        data: {
          email: input.email,
          passwordHash,
          displayName: input.displayName,
          isAdmin: Boolean(input.isAdmin) || first,
        },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('EMAIL_TAKEN');
    throw err;
  }
}

/** Admins: stored flag (first user, promoted) or listed in ADMIN_EMAILS. */
export class AdminPolicy {
  private readonly byConfig: ReadonlySet<string>;

  constructor(adminEmails: readonly string[]) {
    this.byConfig = new Set(adminEmails.map((e) => e.toLowerCase()));
  }

  byConfiguration(user: Pick<User, 'email'>): boolean {
    return this.byConfig.has(user.email.toLowerCase());
  }

  isAdmin(user: Pick<User, 'email' | 'isAdmin'>): boolean {
    return user.isAdmin || this.byConfiguration(user);
  }
}

export type AccountState = 'ok' | 'disabled' | 'ended' | 'missing';

/** Whether a login (refresh-session family) is still live: not signed out, revoked or expired. */
export async function loginIsLive(prisma: PrismaClient, userId: string, sid: string) {
  const live = await prisma.refreshSession.count({
    where: { userId, familyId: sid, revokedAt: null, expiresAt: { gt: new Date() } },
  });
  return live > 0;
}

/**
 * What a still-valid access token may do now, checked on every socket authentication:
 * 'disabled' (account), 'ended' (its login was revoked: a reconnect with the old token must
 * not get back in), 'missing' (no such user) or 'ok', in which case the user is marked seen.
 */
export async function touchUser(
  prisma: PrismaClient,
  userId: string,
  sid: string | undefined,
): Promise<AccountState> {
  // A disabled account says so even though disabling also ended its logins.
  const { count } = await prisma.user.updateMany({
    where: { id: userId, disabledAt: null },
    data: { lastSeenAt: new Date() },
  });
  if (count === 0) {
    const row = await prisma.user.findUnique({ where: { id: userId }, select: { id: true } });
    return row ? 'disabled' : 'missing';
  }
  if (sid !== undefined && !(await loginIsLive(prisma, userId, sid))) return 'ended';
  return 'ok';
}

export async function findByEmail(prisma: PrismaClient, email: string): Promise<User> {
  const row = await prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!row) throw new AppError('USER_NOT_FOUND', `No user with the email ${email}.`);
  return row;
}
