import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '@openwcall/db';
import type { LoginSession, PublicUser } from '@openwcall/shared';
import { AppError } from '../errors';
import type { ClosingCode, SocketCloser } from '../gateway/socket-closer';

/*
 * Refresh tokens: opaque random strings; only their SHA-256 is stored. Each use rotates
 * the token (the old row is revoked and points at its successor). Tokens descending from
 * one login share a family: presenting an already-rotated token means it was copied, so
 * the whole family is revoked and both holders must sign in again (RFC 6819 §5.2.2.3).
 *
 * A family is what the user sees as one "login" (one device): its id is the access
 * token's `sid`, and revoking it closes the sockets signed in with it.
 */

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface IssuedRefresh {
  token: string;
  expiresAt: Date;
  /** The login (family) id, the access token's `sid`. */
  familyId: string;
}

export interface SessionMeta {
  userAgent?: string | undefined;
  ip?: string | undefined;
}

const REUSED = 'Refresh token reused; all sessions of this login were ended.';

export class RefreshSessions {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlDays: number,
    private readonly sockets: SocketCloser,
  ) {}

  async issue(
    userId: string,
    meta: SessionMeta,
    familyId: string = randomUUID(),
  ): Promise<IssuedRefresh & { id: string }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.ttlDays * 86_400_000);
    const row = await this.prisma.refreshSession.create({
      data: {
        userId,
        tokenHash: hash(token),
        familyId,
        expiresAt,
        userAgent: meta.userAgent?.slice(0, 256) ?? null,
        ip: meta.ip ?? null,
      },
    });
    return { token, expiresAt, familyId, id: row.id };
  }

  /** Exchanges a refresh token for a new one; returns the user it belongs to. */
  async rotate(
    token: string,
    meta: SessionMeta,
  ): Promise<{ user: PublicUser; refresh: IssuedRefresh }> {
    const current = await this.prisma.refreshSession.findUnique({
      where: { tokenHash: hash(token) },
      include: { user: true },
    });
    if (!current) throw new AppError('UNAUTHENTICATED', 'Unknown refresh token.');
    if (current.revokedAt) {
      await this.revokeFamilies([current.familyId]);
      throw new AppError('UNAUTHENTICATED', REUSED);
    }
    if (current.expiresAt.getTime() <= Date.now()) {
      throw new AppError('UNAUTHENTICATED', 'Refresh token expired.');
    }
    if (current.user.disabledAt) throw new AppError('ACCOUNT_DISABLED');
    // Claim the row atomically so two concurrent refreshes with one token cannot both win.
    const claimed = await this.prisma.refreshSession.updateMany({
      where: { id: current.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (claimed.count !== 1) {
      await this.revokeFamilies([current.familyId]);
      throw new AppError('UNAUTHENTICATED', REUSED);
    }
    const next = await this.issue(current.userId, meta, current.familyId);
    await this.prisma.refreshSession.update({
      where: { id: current.id },
      data: { replacedById: next.id },
    });
    return {
      user: { id: current.user.id, displayName: current.user.displayName },
      refresh: next,
    };
  }

  /** Ends the login the token belongs to (logout). Unknown tokens are ignored. */
  async revoke(token: string): Promise<void> {
    const row = await this.prisma.refreshSession.findUnique({ where: { tokenHash: hash(token) } });
    if (row) await this.revokeFamilies([row.familyId]);
  }

  /** Ends one login of a user; false when the user has no such live login. */
  async revokeLogin(userId: string, familyId: string): Promise<boolean> {
    const live = await this.prisma.refreshSession.count({
      where: { userId, familyId, revokedAt: null, expiresAt: { gt: new Date() } },
    });
    if (live === 0) return false;
    await this.revokeFamilies([familyId]);
    return true;
  }

  /**
   * Ends every login of a user but `keep` (a password change keeps the current one).
   * `code` is what their sockets are told; `closeSockets: false` when the caller closes
   * all the user's sockets itself (disabling an account).
   */
  async revokeAllOf(
    userId: string,
    options: { keep?: string | undefined; code?: ClosingCode; closeSockets?: boolean } = {},
  ): Promise<void> {
    const rows = await this.prisma.refreshSession.findMany({
      where: {
        userId,
        revokedAt: null,
        ...(options.keep ? { familyId: { not: options.keep } } : {}),
      },
      select: { familyId: true },
      distinct: ['familyId'],
    });
    const familyIds = rows.map((r) => r.familyId);
    await this.revokeFamilies(familyIds, options.code, false);
    if (options.closeSockets === false) return;
    const code = options.code ?? 'UNAUTHENTICATED';
    // Nothing kept: every socket of the user goes, including those of logins that ended
    // earlier but whose access token is still valid.
    if (options.keep) this.sockets.closeLogins(familyIds, code);
    else this.sockets.closeUser(userId, code);
  }

  /** The user's live logins, newest first; `current` is the asking login. */
  async list(userId: string, current: string | undefined): Promise<LoginSession[]> {
    const live = await this.prisma.refreshSession.findMany({
      where: { userId, revokedAt: null, expiresAt: { gt: new Date() } },
      orderBy: { createdAt: 'desc' },
    });
    const firsts = await this.prisma.refreshSession.groupBy({
      by: ['familyId'],
      where: { familyId: { in: live.map((r) => r.familyId) } },
      _min: { createdAt: true },
    });
    const startedAt = new Map(firsts.map((f) => [f.familyId, f._min.createdAt]));
    const seen = new Set<string>();
    const sessions: LoginSession[] = [];
    for (const row of live) {
      if (seen.has(row.familyId)) continue;
      seen.add(row.familyId);
      sessions.push({
        id: row.familyId,
        userAgent: row.userAgent,
        ip: row.ip,
        createdAt: (startedAt.get(row.familyId) ?? row.createdAt).toISOString(),
        // Each refresh makes a new row, so the newest row's creation is the last use.
        lastUsedAt: row.createdAt.toISOString(),
        current: row.familyId === current,
      });
    }
    return sessions.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  private async revokeFamilies(
    familyIds: string[],
    code: ClosingCode = 'UNAUTHENTICATED',
    closeSockets = true,
  ) {
    if (familyIds.length === 0) return;
    await this.prisma.refreshSession.updateMany({
      where: { familyId: { in: familyIds }, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (closeSockets) this.sockets.closeLogins(familyIds, code);
  }
}
