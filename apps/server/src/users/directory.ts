import type { Database } from '@openwcall/db';
import type { UserDirectoryResponse } from '@openwcall/shared';
import type { FastifyInstance } from 'fastify';
import type { AccessTokens } from '../auth/access-token';
import { requireUser } from '../auth/guards';

/**
 * The lobby lists teammates who are offline too; a self-hosted team is tens of people, so one
 * bounded page is enough and keeps the answer small for a server with many accounts.
 */
export const USER_DIRECTORY_LIMIT = 500;

/** `GET /users`: signed-in users see every account's id and display name, first 500 by name. */
export function registerUserDirectory(
  app: FastifyInstance,
  { db, tokens }: { db: Database; tokens: AccessTokens },
) {
  app.get('/users', async (request): Promise<UserDirectoryResponse> => {
    await requireUser(request, tokens);
    const users = await db.prisma.user.findMany({
      select: { id: true, displayName: true },
      // The id breaks ties between equal names, so the bound cuts the same accounts each time.
      orderBy: [{ displayName: 'asc' }, { id: 'asc' }],
      take: USER_DIRECTORY_LIMIT,
    });
    return { users };
  });
}
