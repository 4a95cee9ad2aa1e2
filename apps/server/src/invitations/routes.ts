import type { PrismaClient } from '@openwcall/db';
import { type InviteLookupResponse, LinkTokenSchema } from '@openwcall/shared';
import type { FastifyInstance } from 'fastify';
import { parseBody } from '../http/validation';
import { lookupInvitation, usesLeft } from './invitations';

/** Public: what the sign-up page of an invite link shows before anyone registers. */
export function registerInvitationRoutes(app: FastifyInstance, prisma: PrismaClient) {
  app.get<{ Params: { token: string } }>(
    '/auth/invites/:token',
    async (request): Promise<InviteLookupResponse> => {
      const row = await lookupInvitation(prisma, parseBody(LinkTokenSchema, request.params.token));
      return { valid: true, expiresAt: row.expiresAt.toISOString(), usesLeft: usesLeft(row) };
    },
  );
}
