import type { PrismaClient } from './generated/prisma/client';
import { hashPassword } from './passwords';

/** Password of every demo user (documented in the README; local development only). */
export const DEMO_PASSWORD = 'openwcall-demo';

export const DEMO_USERS: ReadonlyArray<{ email: string; displayName: string }> = [
  { email: 'alice@example.com', displayName: 'Alice' },
  { email: 'bob@example.com', displayName: 'Bob' },
  { email: 'carol@example.com', displayName: 'Carol' },
];

/**
 * Creates the demo users that do not exist yet; existing rows (and their password
 * hashes) are left alone. Returns the emails created by this call.
 */
export async function seedDemoUsers(prisma: PrismaClient): Promise<string[]> {
  const existing = await prisma.user.findMany({
    where: { email: { in: DEMO_USERS.map((u) => u.email) } },
    select: { email: true },
  });
  const have = new Set(existing.map((u) => u.email));
  const missing = DEMO_USERS.filter((u) => !have.has(u.email));
  if (missing.length === 0) return [];
  const data = await Promise.all(
    missing.map(async (u) => ({ ...u, passwordHash: await hashPassword(DEMO_PASSWORD) })),
  );
  // skipDuplicates: a concurrent seed may have inserted the same users meanwhile.
  await prisma.user.createMany({ data, skipDuplicates: true });
  return missing.map((u) => u.email);
}
