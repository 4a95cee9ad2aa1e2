import { hashPassword, type PrismaClient } from '@openwcall/db';
import type { ResetLookupResponse } from '@openwcall/shared';
import type { RefreshSessions } from '../auth/refresh-sessions';
import { AppError } from '../errors';
import { hashLinkToken, linkUrl, newLinkToken } from './link-tokens';

/*
 * One-time password reset links, issued by an admin (no e-mail: the admin hands the link
 * over). A new link voids the user's older ones; using one ends every login of the user.
 */

export const RESET_LINK_TTL_MS = 24 * 3_600_000;

export async function issueResetLink(
  prisma: PrismaClient,
  webOrigins: readonly string[],
  userId: string,
): Promise<{ url: string; expiresAt: Date }> {
  const token = newLinkToken();
  const expiresAt = new Date(Date.now() + RESET_LINK_TTL_MS);
  const now = new Date();
  await prisma.$transaction([
    prisma.passwordReset.updateMany({
      where: { userId, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    }),
    prisma.passwordReset.create({ data: { userId, tokenHash: hashLinkToken(token), expiresAt } }),
  ]);
  return { url: linkUrl(webOrigins, 'reset', token), expiresAt };
}

export async function lookupResetLink(
  prisma: PrismaClient,
  token: string,
): Promise<ResetLookupResponse> {
  const row = await prisma.passwordReset.findUnique({
    where: { tokenHash: hashLinkToken(token) },
    include: { user: { select: { displayName: true } } },
  });
  if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now()) {
    throw new AppError('RESET_LINK_INVALID');
  }
  return { valid: true, displayName: row.user.displayName, expiresAt: row.expiresAt.toISOString() };
}

/** Sets the new password once per link (the claim is one conditional UPDATE). */
export async function useResetLink(
  prisma: PrismaClient,
  sessions: RefreshSessions,
  token: string,
  newPassword: string,
): Promise<void> {
  const passwordHash = await hashPassword(newPassword);
  const tokenHash = hashLinkToken(token);
  const row = await prisma.passwordReset.findUnique({ where: { tokenHash } });
  if (!row) throw new AppError('RESET_LINK_INVALID');
  const claimed = await prisma.passwordReset.updateMany({
    where: { id: row.id, usedAt: null, expiresAt: { gt: new Date() } },
    data: { usedAt: new Date() },
  });
  if (claimed.count !== 1) throw new AppError('RESET_LINK_INVALID');
  await prisma.user.update({ where: { id: row.userId }, data: { passwordHash } });
  await sessions.revokeAllOf(row.userId);
}
