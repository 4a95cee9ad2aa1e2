import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '@openwcall/db';
import type { PublicUser } from '@openwcall/shared';
import { AppError } from '../errors';

/*
 * Refresh tokens: opaque random strings; only their SHA-256 is stored. Each use rotates
 * the token (the old row is revoked and points at its successor). Tokens descending from
 * one login share a family: presenting an already-rotated token means it was copied, so
 * the whole family is revoked and both holders must sign in again (RFC 6819 §5.2.2.3).
 */

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface IssuedRefresh {
  token: string;
  expiresAt: Date;
}

export interface SessionMeta {
  userAgent?: string | undefined;
  ip?: string | undefined;
}

export class RefreshSessions {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlDays: number,
  ) {}

  async issue(userId: string, meta: SessionMeta, familyId: string = randomUUID()) {
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
    return { token, expiresAt, id: row.id };
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
      await this.revokeFamily(current.familyId);
      throw new AppError(
        'UNAUTHENTICATED',
        'Refresh token reused; all sessions of this login were ended.',
      );
    }
    if (current.expiresAt.getTime() <= Date.now()) {
      throw new AppError('UNAUTHENTICATED', 'Refresh token expired.');
    }
    // Claim the row atomically so two concurrent refreshes with one token cannot both win.
    const claimed = await this.prisma.refreshSession.updateMany({
      where: { id: current.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (claimed.count !== 1) {
      await this.revokeFamily(current.familyId);
      throw new AppError(
        'UNAUTHENTICATED',
        'Refresh token reused; all sessions of this login were ended.',
      );
    }
    const next = await this.issue(current.userId, meta, current.familyId);
    await this.prisma.refreshSession.update({
      where: { id: current.id },
      data: { replacedById: next.id },
    });
    return {
      user: { id: current.user.id, displayName: current.user.displayName },
      refresh: { token: next.token, expiresAt: next.expiresAt },
    };
  }

  /** Ends the login the token belongs to (logout). Unknown tokens are ignored. */
  async revoke(token: string): Promise<void> {
    const row = await this.prisma.refreshSession.findUnique({ where: { tokenHash: hash(token) } });
    if (row) await this.revokeFamily(row.familyId);
  }

  private async revokeFamily(familyId: string) {
    await this.prisma.refreshSession.updateMany({
      where: { familyId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
  }
}
