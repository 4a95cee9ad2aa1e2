import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/*
 * PGlite takes no lock on its data directory: a second process opening it would run a
 * second PostgreSQL on the same files and corrupt them. This pid file is the lock: created
 * exclusively, taken over when the process that wrote it is gone (kill -9, a crash).
 */

export const LOCK_FILE = 'openwcall.lock';

/** The embedded database's directory is held by another live process (the server, usually). */
export class DatabaseBusyError extends Error {
  readonly code = 'DATABASE_BUSY';

  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by another process (pid ${pid}), probably the running server. Stop it first, or use DATABASE_URL.`,
    );
    this.name = 'DatabaseBusyError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else; still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory's lock; resolves with its release. Reentrant within one process. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return async () => {
        const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
        if (owner === process.pid) await unlink(path).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    // The same process reopening its directory (tests restarting a server in-process).
    if (owner === process.pid) return async () => undefined;
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
      throw new DatabaseBusyError(dataDir, owner);
    }
    await unlink(path).catch(() => undefined); // stale: its process is gone
  }
  throw new Error(`could not lock ${dataDir}`);
}
