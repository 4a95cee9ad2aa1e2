import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/*
 * A server node in its own process (main.ts, as `pnpm start` runs it), for the tests that
 * kill, pause or drain a node: those need a process that can really die.
 */

const serverDir = join(import.meta.dirname, '../..');

export interface NodeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
  signal(sig: NodeJS.Signals): void;
}

export async function startNodeProcess(env: Record<string, string>): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SEED_DEMO_USERS: 'false',
      STUN_URLS: '',
      AUTH_RATE_LIMIT: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
    if (m?.[1]) {
      const url = m[1];
      return {
        url,
        child,
        exited,
        output: () => output,
        signal: (sig) => child.kill(sig),
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server node did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
