import { hashPassword, type PrismaClient, verifyPassword } from '@openwcall/db';
import {
  ChangePasswordBodySchema,
  LinkTokenSchema,
  type MeResponse,
  PasswordResetBodySchema,
  type SessionsResponse,
  UpdateMeBodySchema,
} from '@openwcall/shared';
import type { FastifyInstance } from 'fastify';
import type { AccessTokens } from '../auth/access-token';
import { requireAccount } from '../auth/guards';
import type { RefreshSessions } from '../auth/refresh-sessions';
import { clearedRefreshCookie } from '../auth/routes';
import { AppError } from '../errors';
import { parseBody } from '../http/validation';
import type { AdminPolicy } from './accounts';
import { lookupResetLink, useResetLink } from './password-resets';

export interface AccountRouteDeps {
  prisma: PrismaClient;
  tokens: AccessTokens;
  sessions: RefreshSessions;
  policy: AdminPolicy;
  /** Live state (presence, seat, calls) takes the new display name. */
  onRenamed: (userId: string, displayName: string) => void;
}

/** The signed-in user's own account (ACCOUNTS-API.md "Signed-in user") and reset links. */
export function registerAccountRoutes(
  app: FastifyInstance,
  { prisma, tokens, sessions, policy, onRenamed }: AccountRouteDeps,
) {
  app.get('/me', async (request): Promise<MeResponse> => {
    const { row } = await requireAccount(request, tokens, prisma);
    return {
      user: { id: row.id, displayName: row.displayName },
      email: row.email,
      isAdmin: policy.isAdmin(row),
      createdAt: row.createdAt.toISOString(),
    };
  });

  // Tokens issued from now on carry the new name, and sockets already signed in take it at
  // once: presence, the room's tile and the call read it from the live session.
  app.patch('/me', async (request) => {
    const { row } = await requireAccount(request, tokens, prisma);
    const body = parseBody(UpdateMeBodySchema, request.body);
    const updated = await prisma.user.update({
      where: { id: row.id },
      data: { displayName: body.displayName },
    });
    onRenamed(updated.id, updated.displayName);
    return { user: { id: updated.id, displayName: updated.displayName } };
  });

  app.post('/me/password', async (request, reply) => {
    const { row, claims } = await requireAccount(request, tokens, prisma);
    const body = parseBody(ChangePasswordBodySchema, request.body);
    if (!(await verifyPassword(row.passwordHash, body.currentPassword))) {
      throw new AppError('INVALID_CREDENTIALS', 'The current password is wrong.');
    }
    await prisma.user.update({
      where: { id: row.id },
      data: { passwordHash: await hashPassword(body.newPassword) },
    });
    await sessions.revokeAllOf(row.id, { keep: claims.sid });
    return reply.status(204).send();
  });

  app.get('/me/sessions', async (request): Promise<SessionsResponse> => {
    const { row, claims } = await requireAccount(request, tokens, prisma);
    return { sessions: await sessions.list(row.id, claims.sid) };
  });

  app.delete<{ Params: { id: string } }>('/me/sessions/:id', async (request, reply) => {
    const { row } = await requireAccount(request, tokens, prisma);
    if (!(await sessions.revokeLogin(row.id, request.params.id))) {
      throw new AppError('NOT_FOUND', 'No such signed-in device.');
    }
    return reply.status(204).send();
  });

  app.delete('/me/sessions', async (request, reply) => {
    const { row } = await requireAccount(request, tokens, prisma);
    // Every login, and every socket of the user, this one included.
    await sessions.revokeAllOf(row.id);
    return reply.status(204).header('set-cookie', clearedRefreshCookie).send();
  });

  app.get<{ Params: { token: string } }>('/auth/password-reset/:token', async (request) => {
    const token = parseBody(LinkTokenSchema, request.params.token);
    return lookupResetLink(prisma, token);
  });

  app.post('/auth/password-reset', async (request, reply) => {
    const body = parseBody(PasswordResetBodySchema, request.body);
    await useResetLink(prisma, sessions, body.token, body.newPassword);
    return reply.status(204).send();
  });
}
