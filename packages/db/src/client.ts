// `@openwcall/db/client`: the one place that opens databases. Importing it connects to
// nothing; drivers are loaded on demand so a Postgres deployment never loads PGlite's
// WebAssembly and the other way round.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PrismaClient } from './generated/prisma/client';
import { applyMigrations, pgConnection, pgliteConnection } from './migrate';
import { defaultPgliteDir } from './paths';
import type { Database, DatabaseOptions } from './types';

export type { Database, DatabaseLogger, DatabaseOptions } from './types';

/**
 * `url` set: PostgreSQL through `pg` (a lazy pool: the first query connects).
 * No `url`: embedded PGlite in `dataDir` (default `<repo root>/.data/pglite`; `memory://`
 * for a throwaway database). The directory is created if missing.
 */
export async function openDatabase(opts: DatabaseOptions = {}): Promise<Database> {
  return opts.url ? openPostgres(opts.url, opts) : openPglite(opts.dataDir, opts);
}

async function openPostgres(url: string, opts: DatabaseOptions): Promise<Database> {
  const [{ PrismaPg }, { default: pg }] = await Promise.all([
    import('@prisma/adapter-pg'),
    import('pg'),
  ]);
  const adapter = new PrismaPg(
    { connectionString: url },
    { onPoolError: (err) => opts.logger?.warn({ err }, 'idle database connection failed') },
  );
  const prisma = new PrismaClient({ adapter });
  let closing: Promise<void> | undefined;
  opts.logger?.info({ kind: 'postgres' }, 'database opened');
  return {
    prisma,
    kind: 'postgres',
    async migrate() {
      // A dedicated session: the advisory lock must stay on one connection.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await applyMigrations(pgConnection(client), { logger: opts.logger });
      } finally {
        await client.end();
      }
    },
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
    close() {
      closing ??= prisma.$disconnect();
      return closing;
    },
  };
}

async function openPglite(dataDir: string | undefined, opts: DatabaseOptions): Promise<Database> {
  const dir = dataDir ?? defaultPgliteDir;
  const inMemory = dir.startsWith('memory://');
  // PGlite creates the data directory itself but not its parents.
  if (!inMemory) await mkdir(resolve(dir), { recursive: true });
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('pglite-prisma-adapter'),
  ]);
  const started = Date.now();
  const pglite = await PGlite.create(inMemory ? dir : resolve(dir));
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  let closing: Promise<void> | undefined;
  opts.logger?.info(
    { kind: 'pglite', dataDir: inMemory ? dir : resolve(dir), ms: Date.now() - started },
    'database opened',
  );
  return {
    prisma,
    kind: 'pglite',
    // PGlite is a single session, so the advisory lock is trivially held; it still
    // keeps the code path identical to Postgres.
    migrate: () => applyMigrations(pgliteConnection(pglite), { logger: opts.logger }),
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
    close() {
      closing ??= (async () => {
        await prisma.$disconnect();
        if (!pglite.closed) await pglite.close();
      })();
      return closing;
    },
  };
}
