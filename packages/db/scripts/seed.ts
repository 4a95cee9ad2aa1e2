// Migrates, then creates the demo users (alice, bob, carol @example.com; password
// `openwcall-demo`) that are missing. Safe to run repeatedly.
//
//   pnpm --filter @openwcall/db prisma:seed
//
// Target: DATABASE_URL when set, otherwise the embedded PGlite database in DATA_DIR
// (default <repo root>/.data/pglite).
import { openDatabase } from '../src/client';
import { DEMO_PASSWORD, seedDemoUsers } from '../src/seed';
import { consoleLogger } from './console-logger';

const db = await openDatabase({
  url: process.env.DATABASE_URL || undefined,
  dataDir: process.env.DATA_DIR || undefined,
  logger: consoleLogger,
});
try {
  await db.migrate();
  const created = await seedDemoUsers(db.prisma);
  console.log(
    created.length
      ? `created ${created.join(', ')} (password: ${DEMO_PASSWORD})`
      : 'demo users already exist',
  );
} finally {
  await db.close();
}
