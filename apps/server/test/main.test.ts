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

  it('refuses a browser origin not in WEB_ORIGIN and logs that origin once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'owc-main-'));
    dirs.push(dataDir);
    const proc = run({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      WEB_ORIGIN: 'http://localhost:3000',
    });
    child = proc.child;
    let port: number | undefined;
    for (let i = 0; i < 300 && !port; i++) {
      const m = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(proc.output());
      if (m) port = Number(m[1]);
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(port, proc.output()).toBeDefined();
    const base = `http://127.0.0.1:${port}`;
    const preflight = (origin: string) =>
      fetch(`${base}/auth/login`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      }).then((r) => r.headers.get('access-control-allow-origin'));
    const handshake = (origin: string) =>
      fetch(`${base}/socket.io/?EIO=4&transport=polling`, { headers: { origin } }).then(
        (r) => r.status,
      );
    const wrong = 'http://127.0.0.1:3000';
    expect(await preflight(wrong)).toBeNull();
    expect(await handshake(wrong)).toBe(403);
    expect(await handshake(wrong)).toBe(403);
    expect(await preflight('http://localhost:3000')).toBe('http://localhost:3000');
    expect(await handshake('http://localhost:3000')).toBe(200);
    // Log lines reach us through a pipe: wait for the warning, then count.
    for (let i = 0; i < 50 && !proc.output().includes('not in WEB_ORIGIN'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const refused = proc
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { origin?: string; msg?: string })
      .filter((line) => line.origin !== undefined);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.origin).toBe(wrong);
    expect(refused[0]?.msg).toMatch(/not in WEB_ORIGIN/);
  }, 40_000);

  it('refuses to start in production without JWT_SECRET', async () => {
    const proc = run({ NODE_ENV: 'production', PORT: '0' });
    child = proc.child;
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/JWT_SECRET is required/);
  }, 20_000);
});
