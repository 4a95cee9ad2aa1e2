import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Empty when the browser tests are skipped. */
    webUrl: string;
    serverUrl: string;
    chromiumPath: string;
    skipReason: string;
  }
}

/** The shared server's admin (ADMIN_EMAILS); e2e/accounts.e2e.test.ts creates the account. */
export const E2E_ADMIN = {
  email: 'e2e-admin@example.test',
  password: 'e2e admin password',
  name: 'E2E Admin',
} as const;

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(webDir, '../..');
const serverDir = join(repoRoot, 'apps/server');

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function waitFor(url: string, child: ChildProcess, label: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${label} exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${label} did not answer at ${url} within ${timeoutMs} ms`);
}

export function start(
  label: string,
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
) {
  // Own process group, so teardown stops the whole tree (next start and its children).
  const child = spawn(command, args, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[e2e ${label}]`;
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (process.env.E2E_VERBOSE || /error|warn|building/i.test(text)) {
      process.stdout.write(`${prefix} ${text}`);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`${prefix} ${chunk}`));
  return child;
}

export function stop(child: ChildProcess | undefined) {
  if (!child?.pid || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

/**
 * The real server and the built web app on free ports, as `pnpm start` runs them (also
 * `pnpm bench:web`). `stop` ends both process trees.
 */
export async function startStack(): Promise<{
  serverUrl: string;
  webUrl: string;
  stop: () => void;
}> {
  const [serverPort, webPort] = [await freePort(), await freePort()];
  const serverUrl = `http://127.0.0.1:${serverPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  const children: ChildProcess[] = [];
  const teardown = () => {
    for (const child of children) stop(child);
  };

  try {
    children.push(
      // The production start (compiled, built on demand), as `pnpm start` runs it.
      start('server', process.execPath, ['scripts/start.mjs'], serverDir, {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(serverPort),
        HOST: '127.0.0.1',
        DATABASE_URL: '',
        DATA_DIR: 'memory://',
        JWT_SECRET: 'e2e-secret-0123456789-abcdefghijklmnopqr',
        WEB_ORIGIN: webUrl,
        STUN_URLS: '',
        RECONNECT_GRACE_MS: '3000',
        RING_TIMEOUT_MS: '30000',
        AUTH_RATE_LIMIT: 'off',
        SEED_DEMO_USERS: 'false',
        LOG_LEVEL: 'warn',
        // Open sign-up (the other files register freely); one known admin for the admin page.
        REGISTRATION: 'open',
        ADMIN_EMAILS: E2E_ADMIN.email,
      }),
    );
    mkdirSync(join(repoRoot, 'docs/screenshots'), { recursive: true });
    // scripts/start.mjs builds when the sources changed, then runs `next start`. The server URL
    // is read at request time (OPENWCALL_SERVER_URL), so one build serves any port.
    children.push(
      start('web', process.execPath, ['scripts/start.mjs'], webDir, {
        ...process.env,
        PORT: String(webPort),
        HOSTNAME_BIND: '127.0.0.1',
        OPENWCALL_SERVER_URL: serverUrl,
        NEXT_TELEMETRY_DISABLED: '1',
      }),
    );
    const [server, web] = children as [ChildProcess, ChildProcess];
    await waitFor(`${serverUrl}/health`, server, 'server', 60_000);
    await waitFor(`${webUrl}/`, web, 'web app', 180_000);
  } catch (error) {
    teardown();
    throw error;
  }

  return { serverUrl, webUrl, stop: teardown };
}

export default async function setup(project: TestProject) {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) {
    const reason = `Chromium not found at ${chromiumPath} (set CHROMIUM_PATH or apt-get install chromium)`;
    if (process.env.CI) throw new Error(`browser tests cannot run under CI: ${reason}`);
    console.warn(`[e2e] skipping browser tests: ${reason}`);
    project.provide('skipReason', reason);
    project.provide('webUrl', '');
    project.provide('serverUrl', '');
    project.provide('chromiumPath', chromiumPath);
    return;
  }

  const { serverUrl, webUrl, stop: teardown } = await startStack();
  project.provide('skipReason', '');
  project.provide('webUrl', webUrl);
  project.provide('serverUrl', serverUrl);
  project.provide('chromiumPath', chromiumPath);
  return teardown;
}
