// Applies the committed prisma/migrations/*/migration.sql files without the Prisma CLI
// (`prisma migrate deploy` needs a native engine that cannot be downloaded offline).
//
// Bookkeeping uses Prisma's own `_prisma_migrations` table and checksum (sha256 of the
// file), so a database migrated here is also valid for `prisma migrate deploy|status`
// on a machine that has the engine, and the other way round.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { ClientBase } from 'pg';
import { migrationsDir } from './paths';
import type { DatabaseLogger } from './types';

export interface SqlExecutor {
  query<R>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs a script of one or more statements without parameters. */
  exec(sql: string): Promise<void>;
}

/** One session (not a pool: the advisory lock belongs to a session). */
export interface MigrationConnection extends SqlExecutor {
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

// Same key as Prisma's migrate commands, so this also excludes a concurrent
// `prisma migrate deploy`.
const ADVISORY_LOCK_KEY = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export function pgConnection(client: ClientBase): MigrationConnection {
  const exec: SqlExecutor = {
    async query<R>(sql: string, params?: unknown[]) {
      return (await client.query(sql, params)).rows as R[];
    },
    async exec(sql) {
      await client.query(sql);
    },
  };
  return {
    ...exec,
    async transaction(fn) {
      await client.query('BEGIN');
      try {
        const result = await fn(exec);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    },
  };
}

export function pgliteConnection(db: PGlite): MigrationConnection {
  const wrap = (target: Pick<PGlite, 'query' | 'exec'>): SqlExecutor => ({
    async query<R>(sql: string, params?: unknown[]) {
      return (await target.query<R>(sql, params)).rows;
    },
    async exec(sql) {
      await target.exec(sql);
    },
  });
  return { ...wrap(db), transaction: (fn) => db.transaction((tx) => fn(wrap(tx))) };
}

/** The committed migrations, in name (= timestamp) order. */
export async function readMigrations(dir: string = migrationsDir): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/**
 * Applies each pending migration once, in order, each in its own transaction together
 * with its `_prisma_migrations` row. Serialized across processes by an advisory lock, so
 * two servers starting at once apply everything exactly once. Refuses to run when an
 * applied migration was edited afterwards or a previous (Prisma CLI) run failed midway.
 * Returns the names applied by this call.
 */
export async function applyMigrations(
  conn: MigrationConnection,
  options: { migrations?: Migration[]; logger?: DatabaseLogger | undefined } = {},
): Promise<string[]> {
  const migrations = options.migrations ?? (await readMigrations());
  await conn.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
  try {
    await conn.exec(CREATE_TABLE);
    const rows = await conn.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"
       WHERE rolled_back_at IS NULL ORDER BY started_at`,
    );
    const applied = new Map(rows.map((r) => [r.migration_name, r]));

    const failed = rows.filter((r) => r.finished_at === null).map((r) => r.migration_name);
    if (failed.length > 0) {
      throw new MigrationError(
        `migration(s) ${failed.join(', ')} failed earlier and were not rolled back; ` +
          'fix the database by hand and mark them rolled back before migrating again',
      );
    }
    const changed = migrations
      .filter((m) => applied.has(m.name) && applied.get(m.name)?.checksum !== m.checksum)
      .map((m) => m.name);
    if (changed.length > 0) {
      throw new MigrationError(
        `migration(s) ${changed.join(', ')} were modified after being applied ` +
          '(checksum mismatch); never edit a committed migration, add a new one',
      );
    }
    const known = new Set(migrations.map((m) => m.name));
    const unknown = rows.map((r) => r.migration_name).filter((name) => !known.has(name));
    if (unknown.length > 0) {
      options.logger?.warn(
        { migrations: unknown },
        'database has migrations that are not in this build (newer code ran against it?)',
      );
    }

    const done: string[] = [];
    for (const m of migrations) {
      if (applied.has(m.name)) continue;
      const started = Date.now();
      await conn.transaction(async (tx) => {
        await tx.exec(m.sql);
        await tx.query(
          `INSERT INTO "_prisma_migrations"
             (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
      });
      options.logger?.info(
        { migration: m.name, ms: Date.now() - started },
        'database migration applied',
      );
      done.push(m.name);
    }
    return done;
  } finally {
    await conn.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]);
  }
}
