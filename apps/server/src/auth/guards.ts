import type { PrismaClient, User } from '@openwcall/db';
import type { PublicUser } from '@openwcall/shared';
import type { FastifyRequest } from 'fastify';
import { type AdminPolicy, loginIsLive } from '../accounts/accounts';
import { AppError } from '../errors';
import type { AccessClaims, AccessTokens } from './access-token';

/** Reads `Authorization: Bearer <jwt>` and returns its claims, or throws UNAUTHENTICATED. */
export async function requireClaims(
  request: FastifyRequest,
  tokens: AccessTokens,
): Promise<AccessClaims> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1]) throw new AppError('UNAUTHENTICATED', 'Missing bearer token.');
  return tokens.claims(match[1]);
}

/** The user a bearer token names (no database read). */
export async function requireUser(
  request: FastifyRequest,
  tokens: AccessTokens,
): Promise<PublicUser> {
  return (await requireClaims(request, tokens)).user;
}

/** The signed-in user's row; ACCOUNT_DISABLED for a disabled account, UNAUTHENTICATED for an ended login. */
export async function requireAccount(
  request: FastifyRequest,
  tokens: AccessTokens,
  prisma: PrismaClient,
): Promise<{ claims: AccessClaims; row: User }> {
  const claims = await requireClaims(request, tokens);
  const row = await prisma.user.findUnique({ where: { id: claims.user.id } });
  if (!row) throw new AppError('UNAUTHENTICATED', 'This account no longer exists.');
  if (row.disabledAt) throw new AppError('ACCOUNT_DISABLED');
  if (claims.sid !== undefined && !(await loginIsLive(prisma, row.id, claims.sid))) {
    throw new AppError('UNAUTHENTICATED', 'This login was signed out.');
  }
  return { claims, row };
}

/** As requireAccount, and FORBIDDEN unless the user is an admin now (checked per request). */
export async function requireAdmin(
  request: FastifyRequest,
  tokens: AccessTokens,
  prisma: PrismaClient,
  policy: AdminPolicy,
): Promise<{ claims: AccessClaims; row: User }> {
  const account = await requireAccount(request, tokens, prisma);
  if (!policy.isAdmin(account.row)) throw new AppError('FORBIDDEN', 'Only admins may do that.');
  return account;
}
