import type { PrismaClient } from './generated/prisma/client';

/** Structural subset of pino's logger, so the server can pass `app.log` as is. */
export interface DatabaseLogger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string. When absent, an embedded PGlite database is used. */
  url?: string | undefined;
  /**
   * PGlite data directory (created if missing), or `memory://` for a throwaway database.
   * Ignored when `url` is set. Default: `<repo root>/.data/pglite`.
   */
  dataDir?: string | undefined;
  logger?: DatabaseLogger | undefined;
}

export interface Database {
  prisma: PrismaClient;
  kind: 'postgres' | 'pglite';
  /** Applies pending committed migrations; returns the names applied now (empty if none). */
  migrate(): Promise<string[]>;
  /**
   * Calls `onPayload` for every `NOTIFY channel` (`pg_notify`) from any process on this
   * database, until the returned stop is called or the database closes. Postgres: one
   * dedicated connection, reopened after a failure.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Rejects when the database cannot answer `SELECT 1`. */
  ping(): Promise<void>;
  /** Disconnects Prisma and closes the pool or the embedded database. Idempotent. */
  close(): Promise<void>;
}
