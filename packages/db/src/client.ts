// `@openwcall/db/client`: the one place that opens databases. Importing it connects to
// nothing; drivers are loaded on demand so a Postgres deployment never loads PGlite's
// WebAssembly and the other way round.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { lockDataDir } from './dir-lock';
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
    {
      // Only the message and code: pg's error carries its whole Client (kilobytes per line).
      onPoolError: (err) =>
        opts.logger?.warn(
          { err: { message: err.message, code: (err as { code?: string }).code } },
          'idle database connection failed',
        ),
    },
  );
  const prisma = new PrismaClient({ adapter });
  let closing: Promise<void> | undefined;
  const listeners = new Set<() => Promise<void>>();
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
    async listen(channel, onPayload) {
      const stop = await listenOnPostgres(pg, url, channel, onPayload, opts);
      const tracked = async () => {
        listeners.delete(tracked);
        await stop();
      };
      listeners.add(tracked);
      return tracked;
    },
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
    close() {
      closing ??= (async () => {
        await Promise.all([...listeners].map((stop) => stop()));
        await prisma.$disconnect();
      })();
      return closing;
    },
  };
}

async function openPglite(dataDir: string | undefined, opts: DatabaseOptions): Promise<Database> {
  const dir = dataDir ?? defaultPgliteDir;
  const inMemory = dir.startsWith('memory://');
  // PGlite creates the data directory itself but not its parents.
  if (!inMemory) await mkdir(resolve(dir), { recursive: true });
  // PGlite is a ~10 MB WebAssembly build of PostgreSQL. V8's optimising tier recompiles its
  // hot functions and keeps both versions: ~60 MB more resident for no measurable gain on
  // this server's small queries (README "Memory"). The baseline compiler alone is enough.
  // Set before the module is compiled; it only concerns WebAssembly.
  setFlagsFromString('--liftoff-only');
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('pglite-prisma-adapter'),
  ]);
  const started = Date.now();
  const startParams = [...PGlite.defaultStartParams, ...pgliteMemorySettings];
  if (!inMemory && !existsSync(join(resolve(dir), 'PG_VERSION')))
    await initPgliteDir(resolve(dir), startParams);
  // One process per directory: DatabaseBusyError names the one holding it.
  const unlock = inMemory ? async () => undefined : await lockDataDir(resolve(dir));
  let pglite: Awaited<ReturnType<typeof PGlite.create>>;
  try {
    pglite = await PGlite.create(inMemory ? dir : resolve(dir), { startParams });
  } catch (err) {
    await unlock();
    throw err;
  }
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
    listen: async (channel, onPayload) => {
      const stop = await pglite.listen(channel, onPayload);
      return async () => {
        if (!pglite.closed) await stop();
      };
    },
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
    close() {
      closing ??= (async () => {
        await prisma.$disconnect();
        if (!pglite.closed) await pglite.close();
        await unlock();
      })();
      return closing;
    },
  };
}

/**
 * LISTEN on a connection of its own (a pooled one would be handed back). A failed
 * connection (the server restarting) is reopened after a second; notifications sent
 * meanwhile are lost, which callers accept (they are hints, not records).
 */
async function listenOnPostgres(
  pg: typeof import('pg').default,
  url: string,
  channel: string,
  onPayload: (payload: string) => void,
  opts: DatabaseOptions,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: import('pg').Client | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const quoted = `"${channel.replaceAll('"', '""')}"`;
  const open = async () => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (msg) => {
      if (msg.channel === channel) onPayload(msg.payload ?? '');
    });
    next.on('error', (err) => {
      opts.logger?.warn({ err, channel }, 'database listener failed; reopening');
      void next.end().catch(() => undefined);
      if (client === next) client = undefined;
      schedule();
    });
    await next.connect();
    await next.query(`LISTEN ${quoted}`);
    if (stopped) await next.end();
    else client = next;
  };
  const schedule = () => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      open().catch(() => schedule());
    }, 1000);
    retry.unref?.();
  };
  await open();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
    client = undefined;
  };
}

/*
 * PostgreSQL's defaults are sized for a server with many sessions; PGlite is one session in
 * one process, and every buffer below lives in its WebAssembly memory, touched at start-up.
 * Measured idle (README "Memory"): 128 MB shared_buffers alone is most of the embedded mode's
 * cost. 16 MB of shared buffers still holds this schema's working set many times over; the
 * operating system's page cache sits behind it for the data files.
 */
const pgliteMemorySettings = [
  ['shared_buffers', '16MB'],
  ['wal_buffers', '1MB'],
  ['temp_buffers', '2MB'],
  ['work_mem', '2MB'],
  ['maintenance_work_mem', '16MB'],
  ['max_connections', '5'],
].flatMap(([name, value]) => ['-c', `${name}=${value}`]);

/** Creates a fresh data directory in a child process, so initdb's memory leaves with it. */
function initPgliteDir(dataDir: string, startParams: string[]): Promise<void> {
  const script = fileURLToPath(new URL('./pglite-initdb.mjs', import.meta.url));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--liftoff-only', script, dataDir, JSON.stringify(startParams)],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`PGlite initdb failed (${signal ?? code}): ${stderr.trim()}`)),
    );
  });
}
