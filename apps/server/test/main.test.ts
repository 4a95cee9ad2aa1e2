import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const serverDir = join(import.meta.dirname, '..');

function run(env: Record<string, string>) {
  // The production start: builds dist/ when stale, then runs it with source maps.
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: serverDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('the server process (main.ts)', () => {
  let child: ChildProcess | undefined;
  const dirs: string[] = [];
  afterEach(() => {
    child?.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('listens, answers /health, logs JSON lines and exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'owc-main-'));
    dirs.push(dataDir);
    const proc = run({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    child = proc.child;
    let port: number | undefined;
    for (let i = 0; i < 300 && !port; i++) {
      const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(proc.output());
      if (m) port = Number(m[1]);
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(port, proc.output()).toBeDefined();
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    // The random-secret warning is loud, and every line is structured JSON.
    expect(proc.output()).toMatch(/JWT_SECRET is not set/);
    for (const line of proc.output().trim().split('\n'))
      expect(() => JSON.parse(line)).not.toThrow();

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }, 40_000);

  it('refuses to start in production without JWT_SECRET', async () => {
    const proc = run({ NODE_ENV: 'production', PORT: '0' });
    child = proc.child;
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/JWT_SECRET is required/);
  }, 20_000);
});
