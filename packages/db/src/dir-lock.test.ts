import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseBusyError, LOCK_FILE, lockDataDir } from './dir-lock';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'owc-lock-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A process of someone else's, alive until `stop()`. */
function otherProcess() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    pid: child.pid as number,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('the PGlite data directory lock', () => {
  it('is taken, reentrant within the process, and released', async () => {
    const dir = freshDir();
    const release = await lockDataDir(dir);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    await (await lockDataDir(dir))(); // a reopen in this process does not release it
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    await release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses while another live process holds it, and takes it over once that one is gone', async () => {
    const dir = freshDir();
    const other = otherProcess();
    writeFileSync(join(dir, LOCK_FILE), `${other.pid}\n`);
    const busy = await lockDataDir(dir).catch((err: unknown) => err);
    expect(busy).toBeInstanceOf(DatabaseBusyError);
    expect((busy as DatabaseBusyError).pid).toBe(other.pid);
    await other.stop(); // as a kill -9 leaves it: the file stays behind
    const release = await lockDataDir(dir);
    await release();
  });
});
