// Real deployment parts for browser tests: a network namespace of the test's own (so the page is
// opened on an address that is not localhost), a throwaway self-signed certificate, nginx running
// the committed deploy/ template, and a server + web app pair configured for it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, start, stop, waitFor } from './global-setup';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function commandExists(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why a root-and-tools test cannot run here ('' when it can). Under CI=true that is an error. */
export function missingPrerequisite(tools: readonly string[], { root = true } = {}): string {
  let reason = '';
  if (root && process.getuid?.() !== 0) reason = 'needs root (network namespaces)';
  else {
    const missing = tools.filter((t) => !commandExists(t));
    if (missing.length > 0) reason = `missing ${missing.join(', ')} (apt-get install it)`;
  }
  if (reason && process.env.CI) throw new Error(`cannot run under CI: ${reason}`);
  if (reason) console.warn(`[e2e] skipping: ${reason}`);
  return reason;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' });

/** A namespace joined to the host by a veth pair: hostAddr on the host side, nsAddr inside. */
export interface Netns {
  readonly name: string;
  /** The veth ends: `hostIf` stays on the host, `nsIf` is inside the namespace. */
  readonly hostIf: string;
  readonly nsIf: string;
  /** The first three octets of this namespace's /24 (its /30 is `.0`; the rest is free). */
  readonly subnet: string;
  readonly hostAddr: string;
  readonly nsAddr: string;
  /** Executable that runs Chromium inside the namespace (for playwright's executablePath). */
  readonly chromium: string;
  remove(): void;
}

export function createNetns(
  dir: string,
  chromiumPath: string,
  {
    /** Second octets to pick the /24 from, [min, max): tests that renumber use their own range. */
    secondOctet = [200, 250] as const,
  }: { secondOctet?: readonly [number, number] } = {},
): Netns {
  const tag = randomBytes(3).toString('hex');
  const name = `owc-${tag}`;
  const hostIf = `owh${tag}`;
  const nsIf = `own${tag}`;
  const subnet = `10.${randomInt(...secondOctet)}.${randomInt(0, 255)}`;
  const hostAddr = `${subnet}.1`;
  const nsAddr = `${subnet}.2`;
  const remove = () => {
    for (const args of [
      ['netns', 'del', name],
      ['link', 'del', hostIf],
    ]) {
      try {
        run('ip', args);
      } catch {
        // Not created, or gone with the namespace.
      }
    }
  };
  try {
    run('ip', ['netns', 'add', name]);
    run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    run('ip', ['link', 'set', nsIf, 'netns', name]);
    run('ip', ['addr', 'add', `${hostAddr}/30`, 'dev', hostIf]);
    run('ip', ['link', 'set', hostIf, 'up']);
    run('ip', ['netns', 'exec', name, 'ip', 'addr', 'add', `${nsAddr}/30`, 'dev', nsIf]);
    run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up']);
    run('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (error) {
    remove();
    throw error;
  }
  const chromium = join(dir, 'chromium-in-netns.sh');
  writeFileSync(chromium, `#!/bin/sh\nexec ip netns exec ${name} ${chromiumPath} "$@"\n`, {
    mode: 0o755,
  });
  return { name, hostIf, nsIf, subnet, hostAddr, nsAddr, chromium, remove };
}

export interface Certificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly pem: string;
  /** base64 SHA-256 of the SubjectPublicKeyInfo, for --ignore-certificate-errors-spki-list. */
  readonly spki: string;
}

export function selfSignedCertificate(dir: string, ip: string): Certificate {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${ip}`,
    '-addext',
    `subjectAltName=IP:${ip}`,
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  const spki = execFileSync(
    'sh',
    [
      '-c',
      `openssl x509 -in "${certFile}" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`,
    ],
    { encoding: 'utf8' },
  ).trim();
  return { certFile, keyFile, pem: execFileSync('cat', [certFile], { encoding: 'utf8' }), spki };
}

/** Renders a deploy/ template with the committed render.sh (only ${OPENWCALL_*} replaced). */
export function renderTemplate(template: string, vars: Record<string, string>): string {
  return execFileSync('sh', [join(repoRoot, 'deploy/render.sh'), join(repoRoot, template)], {
    env: { ...process.env, ...vars },
    encoding: 'utf8',
  });
}

/** nginx as a child process with its own main config, pid, logs and temp paths. */
export async function startNginx(dir: string, siteConf: string): Promise<() => Promise<void>> {
  const prefix = join(dir, 'nginx');
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  writeFileSync(join(prefix, 'site.conf'), siteConf);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${join(prefix, `${t}_temp`)};`)
    .join('\n');
  const main = `worker_processes 1;
user root root;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'logs/error.log')} warn;
events { worker_connections 512; }
http {
  access_log off;
${temp}
  include ${join(prefix, 'site.conf')};
}
`;
  const mainFile = join(prefix, 'nginx.conf');
  writeFileSync(mainFile, main);
  const args = ['-p', prefix, '-e', join(prefix, 'logs/error.log'), '-c', mainFile];
  execFileSync('nginx', [...args, '-t', '-q'], { stdio: 'pipe' });
  const child = spawn('nginx', [...args, '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (c: Buffer) => process.stderr.write(`[e2e nginx] ${c}`));
  await new Promise((r) => setTimeout(r, 300));
  if (child.exitCode !== null) throw new Error(`nginx exited with code ${child.exitCode}`);
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
}

/** `next start` of the already-built web app on host:port (wait for it with waitFor). */
export function startWeb(port: number, serverUrlForWeb: string, host = '127.0.0.1'): ChildProcess {
  return start('web', process.execPath, ['scripts/start.mjs'], join(repoRoot, 'apps/web'), {
    ...process.env,
    PORT: String(port),
    HOSTNAME_BIND: host,
    OPENWCALL_SERVER_URL: serverUrlForWeb,
    NEXT_TELEMETRY_DISABLED: '1',
  });
}

export interface AppPair {
  readonly serverUrl: string;
  readonly webUrl: string;
  stop(): void;
}

/** The server and the web app on free ports of `host`, behind whatever proxy the test runs. */
export async function startAppPair(options: {
  /** Address both listen on; default 127.0.0.1. */
  host?: string;
  /** WEB_ORIGIN; default: the web app's own URL. */
  webOrigin?: string;
  /** OPENWCALL_SERVER_URL; default: the server's URL. */
  serverUrlForWeb?: string;
  serverEnv?: Record<string, string>;
}): Promise<AppPair> {
  const host = options.host ?? '127.0.0.1';
  const [serverPort, webPort] = [await freePort(host), await freePort(host)];
  const serverUrl = `http://${host}:${serverPort}`;
  const webUrl = `http://${host}:${webPort}`;
  const children: ChildProcess[] = [];
  const stopAll = () => {
    for (const child of children) stop(child);
  };
  try {
    const serverDir = join(repoRoot, 'apps/server');
    children.push(
      start('server', join(serverDir, 'node_modules/.bin/tsx'), ['src/main.ts'], serverDir, {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(serverPort),
        HOST: host,
        DATABASE_URL: '',
        DATA_DIR: 'memory://',
        JWT_SECRET: 'e2e-secret-0123456789-abcdefghijklmnopqr',
        WEB_ORIGIN: options.webOrigin ?? webUrl,
        STUN_URLS: '',
        AUTH_RATE_LIMIT: 'off',
        SEED_DEMO_USERS: 'false',
        LOG_LEVEL: 'warn',
        ...options.serverEnv,
      }),
    );
    children.push(startWeb(webPort, options.serverUrlForWeb ?? serverUrl, host));
    const [server, web] = children as [ChildProcess, ChildProcess];
    await waitFor(`${serverUrl}/health`, server, 'server', 60_000);
    await waitFor(`${webUrl}/`, web, 'web app', 180_000);
  } catch (error) {
    stopAll();
    throw error;
  }
  return { serverUrl, webUrl, stop: stopAll };
}

export function tempDir(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `owc-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** coturn as a child process, serving the server's TURN_SECRET credentials on 127.0.0.1. */
export async function startCoturn(
  dir: string,
  secret: string,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  // A relay port range of our own, so parallel runs do not collide.
  const minPort = randomInt(20_000, 60_000);
  const child = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=openwcall.test',
      // Both relays sit on 127.0.0.1, so the relayed peers are loopback addresses.
      '--allow-loopback-peers',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--fingerprint',
      `--min-port=${minPort}`,
      `--max-port=${minPort + 200}`,
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      `--userdb=${join(dir, 'turndb')}`,
      '--log-file=stdout',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
    if (process.env.E2E_VERBOSE) process.stdout.write(`[e2e coturn] ${c}`);
  });
  child.stderr?.on('data', (c: Buffer) => process.stderr.write(`[e2e coturn] ${c}`));
  const deadline = Date.now() + 10_000;
  while (!/Total General servers/i.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`coturn did not start: ${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
