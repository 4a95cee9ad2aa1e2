import type { Database, PrismaClient } from '@openwcall/db';
import { z } from 'zod';
import type { SocketCloser } from '../gateway/socket-closer';

/*
 * The command line changes accounts from another process: a `disable` there reaches the
 * running servers through PostgreSQL's NOTIFY, so they close that user's sockets at once as
 * the admin page does. (The embedded database admits one process, so it never needs this.)
 */

export const ACCOUNT_EVENTS_CHANNEL = 'openwcall_accounts';

const AccountEventSchema = z.object({ kind: z.literal('disabled'), userId: z.string() });
type AccountEvent = z.infer<typeof AccountEventSchema>;

export async function announceAccountEvent(prisma: PrismaClient, event: AccountEvent) {
  await prisma.$executeRaw`SELECT pg_notify(${ACCOUNT_EVENTS_CHANNEL}, ${JSON.stringify(event)})`;
}

/** Every node hears every notification, so each closes only its own sockets. */
export function listenForAccountEvents(
  db: Database,
  localSockets: SocketCloser,
  log: { warn(o: object, m: string): void },
): Promise<() => Promise<void>> {
  return db.listen(ACCOUNT_EVENTS_CHANNEL, (payload) => {
    let event: AccountEvent;
    try {
      event = AccountEventSchema.parse(JSON.parse(payload));
    } catch (err) {
      log.warn({ err, payload }, 'ignored a malformed account event');
      return;
    }
    localSockets.closeUser(event.userId, 'ACCOUNT_DISABLED');
  });
}
