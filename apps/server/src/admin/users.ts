import type { PrismaClient, User } from '@openwcall/db';
import type { AdminUser } from '@openwcall/shared';
import type { AdminPolicy } from '../accounts/accounts';
import { issueResetLink } from '../accounts/password-resets';
import type { RefreshSessions } from '../auth/refresh-sessions';
import { AppError } from '../errors';
import type { SocketCloser } from '../gateway/socket-closer';
import { recordAudit } from './audit';

/*
 * What an admin does to accounts, from the web page or the command line (actorId null).
 * Each action is written to the audit log.
 */

export interface AdminDeps {
  prisma: PrismaClient;
  policy: AdminPolicy;
  sessions: RefreshSessions;
  sockets: SocketCloser;
  webOrigins: readonly string[];
  /** Ids of users with a socket on any node; the command line knows none. */
  onlineUserIds: () => Promise<ReadonlySet<string>>;
}

export class AdminUsers {
  constructor(private readonly deps: AdminDeps) {}

  view(row: User, online: ReadonlySet<string>): AdminUser {
    return {
      id: row.id,
      email: row.email,
      displayName: row.displayName,
      isAdmin: this.deps.policy.isAdmin(row),
      adminByConfig: this.deps.policy.byConfiguration(row),
      disabled: row.disabledAt !== null,
      online: online.has(row.id),
      createdAt: row.createdAt.toISOString(),
      lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
    };
  }

  async list(): Promise<AdminUser[]> {
    const [rows, online] = await Promise.all([
      this.deps.prisma.user.findMany({ orderBy: { createdAt: 'asc' }, take: 10_000 }),
      this.deps.onlineUserIds(),
    ]);
    return rows.map((row) => this.view(row, online));
  }

  async row(userId: string): Promise<AdminUser> {
    const [row, online] = await Promise.all([this.find(userId), this.deps.onlineUserIds()]);
    return this.view(row, online);
  }

  /** Disables the account, ends its logins and closes its sockets at once. */
  async disable(actorId: string | null, userId: string): Promise<User> {
    if (actorId === userId) throw new AppError('INVALID_TARGET', 'You cannot disable yourself.');
    const target = await this.find(userId);
    const row = target.disabledAt
      ? target
      : await this.deps.prisma.user.update({
          where: { id: userId },
          data: { disabledAt: new Date() },
        });
    await this.deps.sessions.revokeAllOf(userId, { closeSockets: false });
    this.deps.sockets.closeUser(userId, 'ACCOUNT_DISABLED');
    await recordAudit(this.deps.prisma, { actorId, action: 'user.disable', targetUserId: userId });
    return row;
  }

  async enable(actorId: string | null, userId: string): Promise<User> {
    await this.find(userId);
    const row = await this.deps.prisma.user.update({
      where: { id: userId },
      data: { disabledAt: null },
    });
    await recordAudit(this.deps.prisma, { actorId, action: 'user.enable', targetUserId: userId });
    return row;
  }

  async resetLink(actorId: string | null, userId: string) {
    await this.find(userId);
    const link = await issueResetLink(this.deps.prisma, this.deps.webOrigins, userId);
    await recordAudit(this.deps.prisma, {
      actorId,
      action: 'user.reset-link',
      targetUserId: userId,
    });
    return link;
  }

  async promote(actorId: string | null, userId: string): Promise<User> {
    await this.find(userId);
    const row = await this.deps.prisma.user.update({
      where: { id: userId },
      data: { isAdmin: true },
    });
    await recordAudit(this.deps.prisma, { actorId, action: 'user.promote', targetUserId: userId });
    return row;
  }

  async demote(actorId: string | null, userId: string): Promise<User> {
    const target = await this.find(userId);
    if (this.deps.policy.byConfiguration(target)) {
      throw new AppError(
        'FORBIDDEN',
        `${target.email} is an admin through ADMIN_EMAILS; remove it there to demote.`,
      );
    }
    const row = await this.deps.prisma.user.update({
      where: { id: userId },
      data: { isAdmin: false },
    });
    await recordAudit(this.deps.prisma, { actorId, action: 'user.demote', targetUserId: userId });
    return row;
  }

  private async find(userId: string): Promise<User> {
    const row = await this.deps.prisma.user.findUnique({ where: { id: userId } });
    if (!row) throw new AppError('USER_NOT_FOUND');
    return row;
  }
}
