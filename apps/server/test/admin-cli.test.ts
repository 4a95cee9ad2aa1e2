import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@openwcall/db/testing';
import { describe, expect, it } from 'vitest';
import { TestClient } from './support/clients';
import { authed, backends, json, login, post, startServer } from './support/server';

/* The admin command line as an operator runs it: a real process on the server's config. */

const serverDir = join(import.meta.dirname, '..');

function cli(env: Record<string, string>, ...args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/admin/cli.ts', ...args], {
    cwd: serverDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() })),
  );
}

const PASSWORD = 'operator password 1';
const WEB = { WEB_ORIGIN: 'https://talk.example.test' };

/** The checks both database kinds share; `db` names the database in the env. */
async function exercise(db: Record<string, string>, serverEnv: Record<string, string>) {
  const env = { ...db, ...WEB };
  const created = await cli(
    env,
    'create-user',
    '--email',
    'Op@Example.test',
    '--name',
    'Op',
    '--password',
    PASSWORD,
    '--admin',
  );
  expect(created).toMatchObject({ code: 0, stderr: '' });
  expect(created.stdout).toMatch(/^created op@example\.test \(\w+\), admin$/);

  const again = await cli(
    env,
    'create-user',
    '--email',
    'op@example.test',
    '--name',
    'Op',
    '--password',
    PASSWORD,
  );
  expect(again.code).toBe(1);
  expect(again.stderr).toBe('error: An account with that email already exists.');

  const usage = await cli(
    env,
    'create-user',
    '--email',
    'x@example.test',
    '--name',
    'X',
    '--password',
    'short',
  );
  expect(usage.code).toBe(2);
  expect(usage.stderr).toMatch(/^error: --password: .*\nusage: admin/);

  await cli(
    env,
    'create-user',
    '--email',
    'user@example.test',
    '--name',
    'Ursula',
    '--password',
    PASSWORD,
  );
  const link = await cli(env, 'reset-link', '--email', 'user@example.test');
  expect(link.code).toBe(0);
  expect(link.stdout).toMatch(/^https:\/\/talk\.example\.test\/reset\/[\w-]{40,}$/);
  expect(await cli(env, 'disable', '--email', 'user@example.test')).toMatchObject({
    code: 0,
    stdout: 'disabled user@example.test',
  });
  const missing = await cli(env, 'enable', '--email', 'nobody@example.test');
  expect(missing.code).toBe(1);
  expect(missing.stderr).toBe('error: No user with the email nobody@example.test.');

  // What the command line did is what the server sees.
  const server = await startServer('pglite', { ...serverEnv, ...WEB, REGISTRATION: 'closed' });
  try {
    const op = await login(server.url, 'op@example.test', PASSWORD);
    const disabled = await post(`${server.url}/auth/login`, {
      email: 'user@example.test',
      password: PASSWORD,
    });
    expect((await json(disabled)).error.code).toBe('ACCOUNT_DISABLED');
    const token = link.stdout.split('/reset/')[1];
    expect((await json(await fetch(`${server.url}/auth/password-reset/${token}`))).valid).toBe(
      true,
    );
    const { entries } = await json(
      await authed('GET', `${server.url}/api/admin/audit`, op.accessToken),
    );
    expect(
      entries.map((e: { action: string; actor: unknown; target: { email: string } }) => [
        e.action,
        e.actor,
        e.target.email,
      ]),
    ).toEqual([
      ['user.disable', null, 'user@example.test'],
      ['user.reset-link', null, 'user@example.test'],
      ['user.create', null, 'user@example.test'],
      ['user.create', null, 'op@example.test'],
    ]);
    return server;
  } catch (err) {
    await server.close();
    throw err;
  }
}

describe('admin command line', () => {
  it('on the embedded database in DATA_DIR, and refuses clearly while the server holds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'owc-cli-'));
    const dataDir = join(dir, 'pglite');
    try {
      const server = await exercise({ DATA_DIR: dataDir }, { DATA_DIR: dataDir });
      try {
        const busy = await cli({ DATA_DIR: dataDir }, 'enable', '--email', 'user@example.test');
        expect(busy.code).toBe(1);
        expect(busy.stderr).toBe(
          `error: The embedded database in ${dataDir} is in use by another process (pid ${process.pid}), probably the running server. Stop it first, or use DATABASE_URL.`,
        );
      } finally {
        await server.close();
      }
      // Once the server is gone, the directory is free again.
      expect(
        (await cli({ DATA_DIR: dataDir }, 'enable', '--email', 'user@example.test')).code,
      ).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it.runIf(backends.includes('postgres'))(
    'on PostgreSQL (DATABASE_URL)',
    async () => {
      const target = await createTestDatabase('postgres');
      try {
        const url = target.url ?? '';
        const env = { DATABASE_URL: url, ...WEB };
        const server = await exercise({ DATABASE_URL: url }, { DATABASE_URL: url });
        try {
          // Beside a running server: a disable from the command line closes the sockets at once.
          await cli(
            env,
            'create-user',
            '--email',
            'live@example.test',
            '--name',
            'Liv',
            '--password',
            PASSWORD,
          );
          const live = await login(server.url, 'live@example.test', PASSWORD);
          const socket = new TestClient(server.url, live.user, live.accessToken);
          await socket.authenticate();
          const closed = Promise.all([
            socket.next('error', () => true, 30_000),
            socket.closedByServer(30_000),
          ]);
          expect((await cli(env, 'disable', '--email', 'live@example.test')).code).toBe(0);
          const exitedAt = Date.now();
          const [error] = await closed;
          expect(error.code).toBe('ACCOUNT_DISABLED');
          expect(Date.now() - exitedAt).toBeLessThan(1000);
        } finally {
          await server.close();
        }
      } finally {
        await target.dispose();
      }
    },
    180_000,
  );
});
