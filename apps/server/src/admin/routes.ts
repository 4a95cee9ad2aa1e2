import type { PrismaClient } from '@openwcall/db';
import { AuditQuerySchema, CreateInviteBodySchema } from '@openwcall/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AdminPolicy } from '../accounts/accounts';
import type { AccessTokens } from '../auth/access-token';
import { requireAdmin } from '../auth/guards';
import { AppError } from '../errors';
import { parseBody } from '../http/validation';
import { createInvitation, listInvitations, revokeInvitation } from '../invitations/invitations';
import { listAudit, recordAudit } from './audit';
import type { AdminUsers } from './users';

export interface AdminRouteDeps {
  prisma: PrismaClient;
  tokens: AccessTokens;
  policy: AdminPolicy;
  users: AdminUsers;
  webOrigins: readonly string[];
}

type UserAction = 'disable' | 'enable' | 'promote' | 'demote';

/** `/api/admin/*` (ACCOUNTS-API.md "Admin"): admins only, each change audited. */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps) {
  const { prisma, tokens, policy, users, webOrigins } = deps;
  const admin = (request: FastifyRequest) => requireAdmin(request, tokens, prisma, policy);

  app.get('/api/admin/users', async (request) => {
    await admin(request);
    return { users: await users.list() };
  });

  for (const action of ['disable', 'enable', 'promote', 'demote'] as const satisfies UserAction[]) {
    app.post<{ Params: { id: string } }>(`/api/admin/users/:id/${action}`, async (request) => {
      const { row: me } = await admin(request);
      const changed = await users[action](me.id, request.params.id);
      return { user: await users.row(changed.id) };
    });
  }

  app.post<{ Params: { id: string } }>('/api/admin/users/:id/reset-link', async (request) => {
    const { row: me } = await admin(request);
    const link = await users.resetLink(me.id, request.params.id);
    return { url: link.url, expiresAt: link.expiresAt.toISOString() };
  });

  app.get('/api/admin/invites', async (request) => {
    await admin(request);
    return { invites: await listInvitations(prisma) };
  });

  app.post('/api/admin/invites', async (request, reply) => {
    const { row: me } = await admin(request);
    const body = parseBody(CreateInviteBodySchema, request.body);
    const invite = await createInvitation(prisma, webOrigins, { ...body, createdById: me.id });
    await recordAudit(prisma, {
      actorId: me.id,
      action: 'invite.create',
      detail: `${invite.id}: ${body.maxUses ?? 'unlimited'} uses, ${body.expiresInHours} h`,
    });
    return reply.status(201).send({ invite });
  });

  app.delete<{ Params: { id: string } }>('/api/admin/invites/:id', async (request, reply) => {
    const { row: me } = await admin(request);
    const revoked = await revokeInvitation(prisma, request.params.id);
    if (!revoked) throw new AppError('NOT_FOUND', 'No such invitation.');
    await recordAudit(prisma, { actorId: me.id, action: 'invite.revoke', detail: revoked.id });
    return reply.status(204).send();
  });

  app.get('/api/admin/audit', async (request) => {
    await admin(request);
    const { limit } = parseBody(AuditQuerySchema, request.query);
    return { entries: await listAudit(prisma, limit) };
  });
}
