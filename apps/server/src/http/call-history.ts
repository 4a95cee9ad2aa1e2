import type { Database } from '@openwcall/db';
import type { CallHistoryEntry, CallState } from '@openwcall/shared';
import type { FastifyInstance } from 'fastify';
import type { AccessTokens } from '../auth/access-token';
import { requireUser } from '../auth/guards';

/** `GET /calls/history`: the signed-in user's latest direct calls, newest first. */
export function registerCallHistory(
  app: FastifyInstance,
  { db, tokens }: { db: Database; tokens: AccessTokens },
) {
  app.get('/calls/history', async (request) => {
    const me = await requireUser(request, tokens);
    const rows = await db.prisma.directCall.findMany({
      where: { OR: [{ callerId: me.id }, { calleeId: me.id }] },
      orderBy: { ringingAt: 'desc' },
      take: 50,
      include: { caller: true, callee: true },
    });
    const calls: CallHistoryEntry[] = rows.map((row) => {
      const outgoing = row.callerId === me.id;
      const peer = outgoing ? row.callee : row.caller;
      const duration =
        row.answeredAt && row.endedAt
          ? (row.endedAt.getTime() - row.answeredAt.getTime()) / 1000
          : 0;
      return {
        callId: row.id,
        direction: outgoing ? 'outgoing' : 'incoming',
        peer: { id: peer.id, displayName: peer.displayName },
        outcome: row.outcome as CallState,
        startedAt: row.ringingAt.toISOString(),
        answeredAt: row.answeredAt?.toISOString() ?? null,
        endedAt: row.endedAt?.toISOString() ?? null,
        durationSeconds: Math.max(0, Math.round(duration)),
      };
    });
    return { calls };
  });
}
