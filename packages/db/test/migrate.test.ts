import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/client';
import {
  applyMigrations,
  type MigrationConnection,
  MigrationError,
  pgConnection,
  pgliteConnection,
  readMigrations,
} from '../src/migrate';
import {
  type BackendKind,
  createTestDatabase,
  databaseBackends,
  type TestDatabase,
} from '../src/testing';

/** A raw single-session connection to the test database, for migrator-level tests. */
async function connect(kind: BackendKind, t: TestDatabase) {
  if (kind === 'postgres') {
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    return { conn: pgConnection(client), close: () => client.end() };
  }
  const db = await PGlite.create(t.dataDir);
  return { conn: pgliteConnection(db), close: () => db.close() };
}

async function tableNames(conn: MigrationConnection): Promise<string[]> {
  const rows = await conn.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

describe.each(databaseBackends())('migrations on %s', (kind) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(kind);
  });
  afterEach(() => t.dispose());

  it('applies every committed migration once on an empty database, then is a no-op', async () => {
    const committed = (await readMigrations()).map((m) => m.name);
    expect(committed.length).toBeGreaterThan(0);
    const db = await openDatabase(t);
    try {
      expect(await db.migrate()).toEqual(committed);
      expect(await db.migrate()).toEqual([]);
      const rows = await db.prisma.$queryRaw<{ migration_name: string; finished: boolean }[]>`
        SELECT migration_name, finished_at IS NOT NULL AS finished FROM "_prisma_migrations"`;
      expect(rows).toEqual(committed.map((name) => ({ migration_name: name, finished: true })));
      expect(await db.prisma.user.count()).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('refuses to run when an applied migration was edited', async () => {
    const db = await openDatabase(t);
    try {
      await db.migrate();
      await db.prisma.$executeRaw`UPDATE "_prisma_migrations" SET checksum = repeat('0', 64)`;
      await expect(db.migrate()).rejects.toThrow(/checksum mismatch/);
      await expect(db.migrate()).rejects.toBeInstanceOf(MigrationError);
    } finally {
      await db.close();
    }
  });

  it('rolls a failing migration back entirely and records nothing', async () => {
    const { conn, close } = await connect(kind, t);
    try {
      const good = { name: '1_good', sql: 'CREATE TABLE a (id int);', checksum: 'a' };
      const bad = {
        name: '2_bad',
        sql: 'CREATE TABLE b (id int); SELECT * FROM no_such_table;',
        checksum: 'b',
      };
      await expect(applyMigrations(conn, { migrations: [good, bad] })).rejects.toThrow(
        /no_such_table/,
      );
      expect(await tableNames(conn)).toEqual(['_prisma_migrations', 'a']);
      const rows = await conn.query<{ migration_name: string }>(
        'SELECT migration_name FROM "_prisma_migrations"',
      );
      expect(rows.map((r) => r.migration_name)).toEqual(['1_good']);
      // Fixed and retried: continues where it stopped.
      const fixed = { ...bad, sql: 'CREATE TABLE b (id int);' };
      expect(await applyMigrations(conn, { migrations: [good, fixed] })).toEqual(['2_bad']);
    } finally {
      await close();
    }
  });

  it.runIf(kind === 'postgres')(
    'applies once when two processes migrate at the same time',
    async () => {
      const [a, b] = await Promise.all([openDatabase(t), openDatabase(t)]);
      try {
        const results = await Promise.all([a.migrate(), b.migrate(), a.migrate(), b.migrate()]);
        const committed = (await readMigrations()).map((m) => m.name);
        expect(results.flat().sort()).toEqual(committed);
        expect(results.filter((r) => r.length > 0)).toHaveLength(1);
        const [{ n }] = await a.prisma.$queryRaw<[{ n: number }]>`
        SELECT count(*)::int AS n FROM "_prisma_migrations"`;
        expect(n).toBe(committed.length);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    },
  );
});
