// `@openwcall/db/testing`: fresh, isolated databases for tests of any package.
//
//   describe.each(databaseBackends())('%s', (kind) => {
//     let t: TestDatabase;
//     beforeEach(async () => { t = await createTestDatabase(kind); });
//     afterEach(() => t.dispose());
//     it('...', async () => { const db = await openDatabase(t); await db.migrate(); ... });
//   });
import { randomBytes } from 'node:crypto';

export type BackendKind = 'pglite' | 'postgres';

export interface TestDatabase {
  /** Set for postgres: a brand-new database on the server of DATABASE_URL. */
  url?: string;
  /** Set for pglite: `memory://`, so every openDatabase() gets a new empty database. */
  dataDir?: string;
  /** Drops the database (postgres). Safe to call twice. */
  dispose(): Promise<void>;
}

let notedSkip = false;

/**
 * Backends to run database tests against: PGlite always, Postgres when DATABASE_URL is
 * set. On CI (CI set) a missing DATABASE_URL is an error: CI must exercise Postgres.
 */
export function databaseBackends(): BackendKind[] {
  if (process.env.DATABASE_URL) return ['pglite', 'postgres'];
  if (process.env.CI) {
    throw new Error(
      'DATABASE_URL is not set but CI is: CI must run the database tests against PostgreSQL. ' +
        'Set DATABASE_URL=postgresql://user@host:5432/postgres (a role allowed to CREATE DATABASE).',
    );
  }
  if (!notedSkip) {
    notedSkip = true;
    console.warn('DATABASE_URL not set: Postgres tests skipped, PGlite only');
  }
  return ['pglite'];
}

export async function createTestDatabase(kind: BackendKind): Promise<TestDatabase> {
  if (kind === 'pglite') return { dataDir: 'memory://', dispose: async () => {} };

  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('createTestDatabase("postgres") needs DATABASE_URL');
  const name = `openwcall_test_${randomBytes(6).toString('hex')}`;
  await runAdmin(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let disposed: Promise<void> | undefined;
  return {
    url: url.toString(),
    dispose() {
      // FORCE: a test that forgot to close its pool must not leak the database.
      disposed ??= runAdmin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      return disposed;
    },
  };
}

/** Runs one statement on the maintenance database named by DATABASE_URL. */
async function runAdmin(adminUrl: string, sql: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
