// Applies the committed migrations (no Prisma CLI needed, see src/migrate.ts).
//
//   pnpm --filter @openwcall/db prisma:migrate
//
// Target: DATABASE_URL when set, otherwise the embedded PGlite database in DATA_DIR
// (default <repo root>/.data/pglite), the same rule the server uses.
import { openDatabase } from '../src/client';
import { consoleLogger } from './console-logger';

const db = await openDatabase({
  url: process.env.DATABASE_URL || undefined,
  dataDir: process.env.DATA_DIR || undefined,
  logger: consoleLogger,
});
try {
  const applied = await db.migrate();
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await db.close();
}
