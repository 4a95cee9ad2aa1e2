#!/usr/bin/env node
// Production-like start that builds on demand: `next build` when `.next/BUILD_ID` is missing
// or older than any source that goes into the build, then `next start` on PORT (default 3000).
// Signals are forwarded so Ctrl-C / SIGTERM stop the child and this script cleanly.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const buildIdFile = join(appDir, '.next', 'BUILD_ID');
// NEXT_PUBLIC_* values are inlined at build time, so a change in them needs a rebuild too.
const buildEnvFile = join(appDir, '.next', 'openwcall-public-env.sha256');

const inputs = [
  'src',
  'app',
  'public',
  'next.config.ts',
  'tsconfig.json',
  'package.json',
  '.env',
  '.env.local',
  '.env.production',
  '.env.production.local',
  '../../packages/shared/src',
].map((p) => join(appDir, p));

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const port = process.env.PORT || '3000';
const require = createRequire(join(appDir, 'package.json'));
const nextBin = require.resolve('next/dist/bin/next');

/** Newest mtime (ms) of a file or of any file below a directory; 0 when absent. */
function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === '.next') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function publicEnvHash() {
  const pairs = Object.keys(process.env)
    .filter((k) => k.startsWith('NEXT_PUBLIC_'))
    .sort()
    .map((k) => `${k}=${process.env[k]}`);
  return createHash('sha256').update(pairs.join('\n')).digest('hex');
}

function buildReason() {
  if (!existsSync(buildIdFile)) return 'no build yet';
  const builtAt = statSync(buildIdFile).mtimeMs;
  const changed = inputs.find((p) => newestMtime(p) > builtAt);
  if (changed) return `${changed.slice(appDir.length + 1) || changed} changed`;
  const previousEnv = existsSync(buildEnvFile) ? readFileSync(buildEnvFile, 'utf8').trim() : '';
  if (previousEnv !== publicEnvHash()) return 'NEXT_PUBLIC_* environment changed';
  return null;
}

let child = null;
let stopping = false;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    stopping = true;
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    else process.exit(130);
  });
}

// `pnpm run` wraps us in `sh -c`; when pnpm is sent SIGTERM it kills that shell but not
// us, so a changed parent pid means we were orphaned: stop instead of holding the port.
const initialParent = process.ppid;
setInterval(() => {
  if (process.ppid !== initialParent) process.emit('SIGTERM', 'SIGTERM');
}, 1000).unref();

/** Runs `next <args>`; resolves with the exit code (128 + n for a signal). */
function runNext(args) {
  return new Promise((resolvePromise) => {
    child = spawn(process.execPath, [nextBin, ...args], { cwd: appDir, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      child = null;
      resolvePromise(code ?? (signal ? 128 + (signalNumbers[signal] ?? 15) : 1));
    });
  });
}

const signalNumbers = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

const reason = buildReason();
if (reason) {
  console.log(`[web] building (${reason})`);
  const code = await runNext(['build']);
  if (code !== 0 || stopping) process.exit(code || 130);
  writeFileSync(buildEnvFile, `${publicEnvHash()}\n`);
} else {
  console.log('[web] build is up to date');
}

const startArgs = ['start', '-p', port];
if (process.env.HOSTNAME_BIND) startArgs.push('-H', process.env.HOSTNAME_BIND);
const code = await runNext(startArgs);
process.exit(stopping && code >= 128 ? 0 : code);
