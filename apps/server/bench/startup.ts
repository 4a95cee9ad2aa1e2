import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io as connect, type Socket } from 'socket.io-client';
import { AccessTokens } from '../src/auth/access-token';
import { freePort, procMemory, stopChild, waitHealthy } from './processes';
import { BENCH_JWT_SECRET } from './secret';
import { printTable } from './table';

/*
 * `pnpm bench startup`: the real server process as `pnpm start` runs it (compiled,
 * scripts/start.mjs) and as it used to (`node --import tsx src/main.ts`, kept here only as
 * the baseline), in both database modes, in one run:
 *   - start → first 200 from /health, cold (fresh data dir / database) and warm (existing);
 *   - VmRSS and RssAnon (/proc/<pid>/status) 10 s after the warm start, idle;
 *   - VmRSS with 1,000 and 10,000 idle authenticated sockets, and the slope per socket.
 * PostgreSQL mode uses a throwaway database on BENCH_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards; skipped with a printed
 * reason when that server is not reachable.
 */

const serverDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const tokens = new AccessTokens(BENCH_JWT_SECRET, 3600);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type Start = 'compiled' | 'tsx';
type Db = 'pglite' | 'postgres';
interface Row {
  start: Start;
  db: Db;
  coldMs: number;
  warmMs: number;
  idleRss: number;
  idleAnon: number;
  rss1k: number;
  rss10k: number;
}

async function startServer(start: Start, dbEnv: Record<string, string>) {
  const port = await freePort();
  const args = start === 'compiled' ? ['scripts/start.mjs'] : ['--import', 'tsx', 'src/main.ts'];
  const began = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      JWT_SECRET: BENCH_JWT_SECRET,
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_RATE_LIMIT: 'off',
      AUTH_TIMEOUT_MS: '600000',
      RECONNECT_GRACE_MS: '0',
      STUN_URLS: '',
      // 10,000 sockets come from one address and 1,000 users: lift the per-IP and per-user caps.
      MAX_SOCKETS_PER_IP: '100000',
      MAX_SOCKETS_PER_USER: '100',
      ...dbEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(child, url, { label: `${start} server` });
  return { child, url, ms: performance.now() - began };
}

const stop = (child: ChildProcess) => stopChild(child, 10_000);

async function openSockets(url: string, from: number, to: number, sockets: Socket[]) {
  // 1000 distinct users (later sockets are further tabs), as in the memory scenario: every
  // newcomer costs a presence delta to all, which is not what this scenario measures.
  for (let i = from; i < to; i += 200) {
    const batch = Array.from({ length: Math.min(200, to - i) }, async (_, j) => {
      const id = `idle-${(i + j) % 1000}`;
      const socket = connect(url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      sockets.push(socket);
      const token = await tokens.sign({ id, displayName: id });
      const ack = await socket.timeout(60_000).emitWithAck('auth:hello', { token });
      if (!ack.ok) throw new Error(`auth failed: ${JSON.stringify(ack)}`);
    });
    await Promise.all(batch);
  }
}

function psql(sql: string) {
  execFileSync('psql', [adminUrl, '-qAtc', sql], { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function measure(start: Start, db: Db): Promise<Row> {
  let dbEnv: Record<string, string>;
  let cleanup: () => void;
  if (db === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'owc-bench-pglite-'));
    dbEnv = { DATA_DIR: dir };
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  } else {
    const name = `owc_bench_${process.pid}_${start}`;
    psql(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    dbEnv = { DATABASE_URL: url.href };
    cleanup = () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  try {
    const cold = await startServer(start, dbEnv);
    await stop(cold.child);
    const warm = await startServer(start, dbEnv);
    const pid = warm.child.pid ?? 0;
    await sleep(10_000);
    const idle = procMemory(pid);
    const sockets: Socket[] = [];
    try {
      await openSockets(warm.url, 0, 1000, sockets);
      await sleep(1000);
      const at1k = procMemory(pid).rss;
      await openSockets(warm.url, 1000, 10_000, sockets);
      await sleep(1000);
      const at10k = procMemory(pid).rss;
      return {
        start,
        db,
        coldMs: cold.ms,
        warmMs: warm.ms,
        idleRss: idle.rss,
        idleAnon: idle.anon,
        rss1k: at1k,
        rss10k: at10k,
      };
    } finally {
      for (const s of sockets) s.disconnect();
      await stop(warm.child);
    }
  } finally {
    cleanup();
  }
}

function postgresReachable() {
  try {
    psql('SELECT 1');
    return true;
  } catch (err) {
    console.log(`\nstartup: PostgreSQL mode skipped (${adminUrl} not reachable: ${err})`);
    return false;
  }
}

export async function startupBench() {
  // Measure the compiled start with an up-to-date build (a rebuild is ~0.2 s, not the point).
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: serverDir });
  const dbs: Db[] = postgresReachable() ? ['postgres', 'pglite'] : ['pglite'];
  const rows: Row[] = [];
  for (const start of ['compiled', 'tsx'] as const)
    for (const db of dbs) rows.push(await measure(start, db));

  const mb = (b: number) => (b / 2 ** 20).toFixed(0);
  const find = (start: Start, db: Db) => rows.find((r) => r.start === start && r.db === db);
  printTable(
    '4. Start-up and idle memory of the real server process (VmRSS / RssAnon from /proc; MB)',
    [
      'start',
      'database',
      'cold → healthy',
      'warm → healthy',
      'idle VmRSS',
      'idle RssAnon',
      'RSS 1k sockets',
      'RSS 10k sockets',
      'KiB / socket',
    ],
    rows.map((r) => [
      r.start,
      r.db,
      `${r.coldMs.toFixed(0)} ms`,
      `${r.warmMs.toFixed(0)} ms`,
      mb(r.idleRss),
      mb(r.idleAnon),
      mb(r.rss1k),
      mb(r.rss10k),
      ((r.rss10k - r.rss1k) / 9000 / 1024).toFixed(1),
    ]),
  );
  const ratios: string[][] = [];
  for (const start of ['compiled', 'tsx'] as const) {
    const lite = find(start, 'pglite');
    const pg = find(start, 'postgres');
    if (!lite || !pg) continue;
    const idle = lite.idleRss / pg.idleRss;
    const loaded = lite.rss10k / pg.rss10k;
    ratios.push([
      start,
      `${idle.toFixed(2)}x ${idle <= 1.5 ? 'ok' : 'OVER'}`,
      `${loaded.toFixed(2)}x ${loaded <= 1.5 ? 'ok' : 'OVER'}`,
    ]);
  }
  for (const db of dbs) {
    const compiled = find('compiled', db);
    const tsx = find('tsx', db);
    if (!compiled || !tsx) continue;
    ratios.push([
      `compiled / tsx (${db})`,
      `${(compiled.idleRss / tsx.idleRss).toFixed(2)}x RSS`,
      `${(compiled.warmMs / tsx.warmMs).toFixed(2)}x warm start`,
    ]);
  }
  printTable(
    'Ratios (embedded / PostgreSQL ≤ 1.50 idle and with 10k sockets; compiled / tsx)',
    ['', 'idle', '10k sockets / start'],
    ratios,
  );
}
