import type { Invitation, Prisma, PrismaClient } from '@openwcall/db';
import type { Invite } from '@openwcall/shared';
import { hashLinkToken, linkUrl, newLinkToken } from '../accounts/link-tokens';
import { AppError } from '../errors';

/*
 * Invite links: an admin makes one with a use limit (or none) and an expiry; registration
 * with it counts one use in the same transaction that creates the account.
 */

type Db = PrismaClient | Prisma.TransactionClient;
type InvitationWithCreator = Invitation & {
  createdBy: { id: string; displayName: string } | null;
};

export async function createInvitation(
  prisma: Db,
  webOrigins: readonly string[],
  input: { maxUses: number | null; expiresInHours: number; createdById: string | null },
): Promise<Invite> {
  const token = newLinkToken();
  const row = await prisma.invitation.create({
    data: {
      tokenHash: hashLinkToken(token),
      maxUses: input.maxUses,
      expiresAt: new Date(Date.now() + input.expiresInHours * 3_600_000),
      createdById: input.createdById,
    },
    include: { createdBy: { select: { id: true, displayName: true } } },
  });
  return inviteView(row, linkUrl(webOrigins, 'invite', token));
}

/** Why an invitation cannot be used now, or null when it can. */
function problemWith(row: Invitation | null, now = Date.now()): string | null {
  if (!row) return 'This invitation link is unknown.';
  if (row.revokedAt) return 'This invitation link was revoked by an admin.';
  if (row.expiresAt.getTime() <= now) return 'This invitation link has expired.';
  if (row.maxUses !== null && row.uses >= row.maxUses)
    return 'This invitation link has been used up.';
  return null;
}

/** A usable invitation, or INVITE_INVALID saying why not. */
export async function lookupInvitation(prisma: Db, token: string): Promise<Invitation> {
  const row = await prisma.invitation.findUnique({ where: { tokenHash: hashLinkToken(token) } });
  const problem = problemWith(row);
  if (problem || !row) throw new AppError('INVITE_INVALID', problem ?? undefined);
  return row;
}

/**
 * Counts one use, atomically: the conditional UPDATE admits exactly as many racing
 * registrations as uses are left. Call inside the transaction that creates the account,
 * so a failed registration gives its use back.
 */
export async function consumeInvitation(tx: Db, token: string): Promise<void> {
  const tokenHash = hashLinkToken(token);
  const claimed = await tx.$executeRaw`
    UPDATE invitations SET uses = uses + 1
    WHERE token_hash = ${tokenHash} AND revoked_at IS NULL AND expires_at > now()
      AND (max_uses IS NULL OR uses < max_uses)`;
  if (claimed === 1) return;
  const row = await tx.invitation.findUnique({ where: { tokenHash } });
  throw new AppError('INVITE_INVALID', problemWith(row) ?? 'This invitation link has expired.');
}

export async function listInvitations(prisma: Db): Promise<Invite[]> {
  const rows = await prisma.invitation.findMany({
    orderBy: { createdAt: 'desc' },
    take: 500,
    include: { createdBy: { select: { id: true, displayName: true } } },
  });
  return rows.map((row) => inviteView(row, null));
}

/** Revokes an invitation; null when there is none with that id. Revoking twice is a no-op. */
export async function revokeInvitation(prisma: Db, id: string): Promise<Invitation | null> {
  const row = await prisma.invitation.findUnique({ where: { id } });
  if (!row) return null;
  if (row.revokedAt) return row;
  return prisma.invitation.update({ where: { id }, data: { revokedAt: new Date() } });
}

export function inviteView(row: InvitationWithCreator, url: string | null): Invite {
  return {
    id: row.id,
    url,
    maxUses: row.maxUses,
    uses: row.uses,
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdBy: row.createdBy,
  };
}

export const usesLeft = (row: Invitation): number | null =>
  row.maxUses === null ? null : Math.max(0, row.maxUses - row.uses);
