import { type ChildProcess, execSync, fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io as connect, type Socket } from 'socket.io-client';
import { AccessTokens } from '../src/auth/access-token';
import { dropPrefix, redisUnreachable } from '../test/support/redis-keys';
import { BENCH_JWT_SECRET } from './secret';
import { printTable } from './table';

/*
 * `pnpm bench`: our signaling server against a bare Socket.IO relay, on this machine, in
 * one run. Servers run in child processes (one each, `--expose-gc`); every client lives in
 * this process and uses the same code for both servers. Prints three tables:
 *   1. webrtc:ice relay latency (p50/p99) and throughput at rising rates, and the ratios;
 *   2. server memory per authenticated idle socket at 1k/5k/10k sockets, and the ratio;
 *   3. bytes on the wire per presence change with 100 and 1000 users online.
 */

type Kind = 'ours' | 'bare';
type Usage = NodeJS.MemoryUsage;

const here = path.dirname(fileURLToPath(import.meta.url));
const tokens = new AccessTokens(BENCH_JWT_SECRET, 3600);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------
// Server processes

interface ServerHandle {
  kind: Kind;
  url: string;
  child: ChildProcess;
  memory(): Promise<Usage>;
  /** CPU time (user + system) the server process used so far, in µs. */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

async function spawnServer(kind: Kind, env: Record<string, string> = {}): Promise<ServerHandle> {
  const child = fork(path.join(here, 'server-process.ts'), [kind], {
    env: { ...process.env, ...env },
    execArgv: [
      '--expose-gc',
      '--import',
      'tsx',
      // BENCH_PROFILE=dir writes a CPU profile of each server process there.
      ...(process.env.BENCH_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code})`)));
    child.on('message', (m: { type: string; port?: number }) => {
      if (m.type === 'ready' && m.port) resolve(m.port);
    });
  });
  child.removeAllListeners('exit');
  const ask = <T>(type: string) =>
    new Promise<T>((resolve) => {
      const onMessage = (m: { type: string; usage?: T }) => {
        if (m.type === type && m.usage) {
          child.off('message', onMessage);
          resolve(m.usage);
        }
      };
      child.on('message', onMessage);
      child.send({ type });
    });
  return {
    kind,
    url: `http://127.0.0.1:${port}`,
    child,
    memory: () => ask<Usage>('memory'),
    cpu: async () => {
      const usage = await ask<NodeJS.CpuUsage>('cpu');
      return usage.user + usage.system;
    },
    stop: () =>
      new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'exit' });
      }),
  };
}

// ---------------------------------------------------------------------------------------
// Clients (the same for both servers)

interface BenchClient {
  userId: string;
  socket: Socket;
  /** Bytes of engine.io message payloads received, by Socket.IO event name. */
  bytesIn: Map<string, { bytes: number; packets: number }>;
}

async function tokenFor(kind: Kind, userId: string) {
  // The bare relay takes the token as the user id; ours verifies a real JWT.
  return kind === 'bare' ? userId : tokens.sign({ id: userId, displayName: userId });
}

async function openClient(server: ServerHandle, userId: string, countBytes = false) {
  const socket = connect(server.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  const client: BenchClient = { userId, socket, bytesIn: new Map() };
  if (countBytes) {
    socket.io.on('open', () => {
      socket.io.engine.on('data', (data: string | ArrayBuffer) => {
        const text = typeof data === 'string' ? data : '';
        const event = /^\d+\["([^"]+)"/.exec(text)?.[1] ?? 'other';
        const entry = client.bytesIn.get(event) ?? { bytes: 0, packets: 0 };
        entry.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
        entry.packets += 1;
        client.bytesIn.set(event, entry);
      });
    });
  }
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const token = await tokenFor(server.kind, userId);
  const ack = await socket.timeout(30_000).emitWithAck('auth:hello', { token });
  if (!ack.ok) throw new Error(`auth failed: ${JSON.stringify(ack)}`);
  return client;
}

async function openMany(
  server: ServerHandle,
  userIds: string[],
  parallel = 100,
  countBytes = false,
) {
  const clients: BenchClient[] = [];
  for (let i = 0; i < userIds.length; i += parallel) {
    const batch = userIds.slice(i, i + parallel);
    clients.push(...(await Promise.all(batch.map((id) => openClient(server, id, countBytes)))));
  }
  return clients;
}

function closeAll(clients: BenchClient[]) {
  for (const c of clients) c.socket.disconnect();
}

// ---------------------------------------------------------------------------------------
// 1. Relay latency and throughput

interface Pair {
  from: BenchClient;
  to: BenchClient;
  scope: { roomId: string };
}

async function makePairs(server: ServerHandle, count: number, tag: string): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (let i = 0; i < count; i++) {
    const [a, b] = await Promise.all([
      openClient(server, `${tag}-a${i}`),
      openClient(server, `${tag}-b${i}`),
    ]);
    if (!a || !b) throw new Error('pair');
    let roomId = `bare-room-${i}`;
    if (server.kind === 'ours') {
      const created = await a.socket.emitWithAck('room:create', { name: `Bench ${i}` });
      roomId = created.room.id;
      const joined = await b.socket.emitWithAck('room:join', { roomId });
      if (!joined.ok) throw new Error(JSON.stringify(joined));
    }
    pairs.push({ from: b, to: a, scope: { roomId } });
  }
  return pairs;
}

const CANDIDATE_TAIL =
  ' 1 udp 2122260223 192.168.1.23 54321 typ host generation 0 ufrag Xy7Q network-id 1';

interface RelayResult {
  sent: number;
  received: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
  /** Server CPU time spent during the run. */
  cpuMicros: number;
}

/** Sends `rate` webrtc:ice per second in total, spread over the pairs, for `seconds`. */
async function relayRun(
  server: ServerHandle,
  pairs: Pair[],
  rate: number,
  seconds: number,
): Promise<RelayResult> {
  const cpuBefore = await server.cpu();
  const sentAt = new Map<number, number>();
  const latenciesMs: number[] = [];
  let seq = 0;
  let received = 0;
  let errors = 0;
  const onIce = (p: { candidate: { candidate: string } | null }) => {
    const now = performance.now();
    const text = p.candidate?.candidate ?? '';
    const id = Number(text.slice(10, text.indexOf(' ')));
    const at = sentAt.get(id);
    if (at !== undefined) {
      latenciesMs.push(now - at);
      sentAt.delete(id);
      received += 1;
    }
  };
  const onError = () => {
    errors += 1;
  };
  for (const { to, from } of pairs) {
    to.socket.on('webrtc:ice', onIce);
    from.socket.on('error', onError);
    from.socket.on('webrtc:signal:error', onError);
  }

  const tickMs = 10;
  const perTick = (rate * tickMs) / 1000;
  const started = performance.now();
  let due = 0;
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      if (elapsed >= seconds * 1000) {
        clearInterval(timer);
        resolve();
        return;
      }
      // Catch up on ticks the timer missed so the offered rate is exact.
      const target = Math.floor((elapsed / tickMs + 1) * perTick);
      for (; due < target; due++) {
        const pair = pairs[next++ % pairs.length];
        if (!pair) continue;
        seq += 1;
        sentAt.set(seq, performance.now());
        pair.from.socket.emit('webrtc:ice', {
          to: pair.to.userId,
          ...pair.scope,
          candidate: {
            candidate: `candidate:${seq}${CANDIDATE_TAIL}`,
            sdpMid: '0',
            sdpMLineIndex: 0,
          },
        });
      }
    }, tickMs);
  });
  const elapsedSeconds = (performance.now() - started) / 1000;
  const deadline = Date.now() + 5000;
  while (received < seq && Date.now() < deadline) await sleep(10);
  for (const { to, from } of pairs) {
    to.socket.off('webrtc:ice', onIce);
    from.socket.off('error', onError);
    from.socket.off('webrtc:signal:error', onError);
  }
  const cpuMicros = (await server.cpu()) - cpuBefore;
  return { sent: seq, received, errors, seconds: elapsedSeconds, latenciesMs, cpuMicros };
}

function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function relayBench(servers: Record<Kind, ServerHandle>) {
  const pairCount = 10;
  const pairs = {
    ours: await makePairs(servers.ours, pairCount, 'relay'),
    bare: await makePairs(servers.bare, pairCount, 'relay'),
  };
  // Warm both up (JIT, buffers) before measuring.
  for (const kind of ['ours', 'bare'] as const)
    await relayRun(servers[kind], pairs[kind], 2000, 1.5);

  const rates = [200, 1000, 5000];
  const rounds = 3;
  const rows: string[][] = [];
  for (const rate of rates) {
    const merged: Record<Kind, RelayResult> = {
      ours: { sent: 0, received: 0, errors: 0, seconds: 0, latenciesMs: [], cpuMicros: 0 },
      bare: { sent: 0, received: 0, errors: 0, seconds: 0, latenciesMs: [], cpuMicros: 0 },
    };
    // Interleave short rounds so drift on the machine hits both servers alike.
    for (let round = 0; round < rounds; round++) {
      const order: Kind[] = round % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare'];
      for (const kind of order) {
        const r = await relayRun(servers[kind], pairs[kind], rate, 1.5);
        const m = merged[kind];
        m.sent += r.sent;
        m.received += r.received;
        m.errors += r.errors;
        m.seconds += r.seconds;
        m.cpuMicros += r.cpuMicros;
        m.latenciesMs.push(...r.latenciesMs);
      }
    }
    const stats = (kind: Kind) => {
      const m = merged[kind];
      const sorted = m.latenciesMs.sort((a, b) => a - b);
      return {
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        throughput: m.received / m.seconds,
        lost: m.sent - m.received,
        cpuPerMessage: m.cpuMicros / Math.max(1, m.received),
        errors: m.errors,
      };
    };
    const ours = stats('ours');
    const bare = stats('bare');
    rows.push([
      `${rate}`,
      `${bare.p50.toFixed(3)} / ${bare.p99.toFixed(3)}`,
      `${ours.p50.toFixed(3)} / ${ours.p99.toFixed(3)}`,
      `${(ours.p50 / bare.p50).toFixed(2)}x ${ours.p50 / bare.p50 <= 1.1 ? 'ok' : 'OVER'}`,
      `${(ours.p99 / bare.p99).toFixed(2)}x ${ours.p99 / bare.p99 <= 1.25 ? 'ok' : 'OVER'}`,
      `${bare.throughput.toFixed(0)} / ${ours.throughput.toFixed(0)}`,
      `${bare.cpuPerMessage.toFixed(1)} / ${ours.cpuPerMessage.toFixed(1)}`,
      `${bare.lost} / ${ours.lost} / ${ours.errors}`,
    ]);
  }
  closeAll([...pairs.ours, ...pairs.bare].flatMap((p) => [p.from, p.to]));
  printTable(
    `1. webrtc:ice relay, ${pairCount} sender→receiver pairs, ${rounds}×1.5 s per rate and server (latency in ms, send → receive, same client process)`,
    [
      'msg/s',
      'bare p50 / p99',
      'ours p50 / p99',
      'p50 ratio (≤1.10)',
      'p99 ratio (≤1.25)',
      'delivered msg/s bare / ours',
      'server CPU µs/msg bare / ours',
      'lost bare / ours / errors',
    ],
    rows,
  );
}

// ---------------------------------------------------------------------------------------
// 2. Memory per idle authenticated socket

/** The open-files limit this process runs under (each client socket is one descriptor). */
function openFilesLimit(): number {
  try {
    return Number(execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim());
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

async function memoryBench() {
  // BENCH_MEMORY_STEPS overrides the socket counts; every step needs that many descriptors in
  // this process and in the server's (the `bench` script raises the limit where it may).
  const wanted = (process.env.BENCH_MEMORY_STEPS ?? '1000,5000,10000,20000')
    .split(',')
    .map((n) => Number(n.trim()));
  // A step above the open-files limit (each socket is a descriptor here and in the server)
  // becomes the most that fits: 19,500 under a hard limit of 20,000, as on our machines.
  const limit = openFilesLimit();
  const fits = limit - 500;
  const steps = [...new Set(wanted.map((n) => Math.min(n, fits)))];
  if (steps.some((n, i) => n !== wanted[i])) {
    console.log(
      `memory: the open-files limit is ${limit} (ulimit -n), so the largest step is ${fits} sockets`,
    );
  }
  // Every socket of ours authenticates; a new user online costs a presence delta to all and
  // a full presence list to the newcomer (O(users²) in total), so sockets belong to 1000
  // distinct users (the first 1000 are all different users, later ones are further tabs).
  const distinctUsers = 1000;
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `owcbench:mem:${process.pid}:`;
  const modes: Array<{ name: string; kind: Kind; env: Record<string, string> }> = [
    { name: 'bare', kind: 'bare', env: {} },
    { name: 'ours, in memory', kind: 'ours', env: {} },
  ];
  if ((await redisUnreachable(redisUrl)) === null) {
    modes.push({
      name: 'ours, Redis',
      kind: 'ours',
      env: { BENCH_REDIS_URL: redisUrl, BENCH_REDIS_PREFIX: redisPrefix },
    });
  } else if (process.env.CI === 'true') {
    throw new Error(`memory: Redis is not reachable at ${redisUrl}`);
  } else {
    console.log(`memory: no Redis at ${redisUrl}, so no Redis column (set BENCH_REDIS_URL)`);
  }
  const results = new Map<string, Array<{ heap: number; rss: number }>>();
  for (const mode of modes) {
    const server = await spawnServer(mode.kind, mode.env);
    // Warm up lazily created state, then take the baseline with no socket connected.
    closeAll(
      await openMany(
        server,
        Array.from({ length: 50 }, (_, i) => `warm-${i}`),
      ),
    );
    await sleep(300);
    const base = await server.memory();
    const clients: BenchClient[] = [];
    const rows: Array<{ heap: number; rss: number }> = [];
    for (const n of steps) {
      const ids = Array.from(
        { length: n - clients.length },
        (_, i) => `mem-${(clients.length + i) % distinctUsers}`,
      );
      clients.push(...(await openMany(server, ids, 200)));
      await sleep(500);
      const usage = await server.memory();
      rows.push({
        heap: (usage.heapUsed + usage.external - base.heapUsed - base.external) / n,
        rss: (usage.rss - base.rss) / n,
      });
    }
    results.set(mode.name, rows);
    closeAll(clients);
    await server.stop();
  }
  if (modes.length > 2) await dropPrefix(redisUrl, redisPrefix);
  const kib = (r: { heap: number; rss: number } | undefined) =>
    r ? `${(r.heap / 1024).toFixed(1)} / ${(r.rss / 1024).toFixed(1)}` : '-';
  const ratio = (r: { heap: number } | undefined, bare: { heap: number } | undefined) => {
    if (!r || !bare) return '-';
    const x = r.heap / bare.heap;
    return `${x.toFixed(2)}x ${x <= 1.3 ? 'ok' : 'OVER'}`;
  };
  const others = modes.slice(1).map((m) => m.name);
  printTable(
    `2. Server memory per idle authenticated socket (KiB; heap+external after GC, and RSS; Δ from an empty server; ${distinctUsers} distinct users)`,
    [
      'sockets',
      'bare heap / rss',
      ...others.flatMap((name) => [`${name} heap / rss`, `${name} heap ratio (≤1.30)`]),
    ],
    steps.map((n, i) => {
      const bare = results.get('bare')?.[i];
      return [
        `${n}`,
        kib(bare),
        ...others.flatMap((name) => {
          const r = results.get(name)?.[i];
          return [kib(r), ratio(r, bare)];
        }),
      ];
    }),
  );
}

// ---------------------------------------------------------------------------------------
// 3. Bytes per presence change

async function presenceBench() {
  const server = await spawnServer('ours');
  const clients: BenchClient[] = [];
  const rows: string[][] = [];
  for (const online of [100, 1000]) {
    const ids = Array.from(
      { length: online - clients.length },
      (_, i) => `p-${clients.length + i}`,
    );
    clients.push(...(await openMany(server, ids, 100, true)));
    await sleep(1000);
    for (const c of clients) c.bytesIn.clear();
    const changer = clients[0];
    if (!changer) throw new Error('no clients');
    const status = online === 100 ? 'away' : 'busy';
    await changer.socket.emitWithAck('presence:set', { status });
    await sleep(1000);
    let bytes = 0;
    let packets = 0;
    for (const c of clients) {
      const entry = c.bytesIn.get('presence:list');
      bytes += entry?.bytes ?? 0;
      packets += entry?.packets ?? 0;
    }
    // What a full list to everyone would have cost instead.
    const fullList = Buffer.byteLength(
      JSON.stringify([
        'presence:list',
        {
          full: true,
          users: clients.map((c) => ({
            userId: c.userId,
            displayName: c.userId,
            status: 'online',
            inCall: false,
          })),
        },
      ]),
    );
    rows.push([
      `${online}`,
      `${packets}`,
      `${bytes}`,
      `${packets ? (bytes / packets).toFixed(0) : '-'}`,
      `${fullList * online}`,
    ]);
  }
  closeAll(clients);
  await server.stop();
  printTable(
    '3. One user changes status: presence:list bytes received (engine.io payloads, all sockets)',
    ['users online', 'recipients', 'total bytes', 'bytes / recipient', 'full list to all (bytes)'],
    rows,
  );
}

// ---------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const cpus = os.cpus();
  console.log(
    `OpenWCall signaling bench — ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), ` +
      `Node ${process.version}, ${os.platform()} ${os.arch()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  // `pnpm bench [scenario...]`: all scenarios when none is named.
  const scenarios: Record<string, () => Promise<void>> = {
    relay: async () => {
      const servers = { ours: await spawnServer('ours'), bare: await spawnServer('bare') };
      await relayBench(servers);
      await Promise.all([servers.ours.stop(), servers.bare.stop()]);
    },
    memory: memoryBench,
    presence: presenceBench,
    startup: () => import('./startup').then((m) => m.startupBench()),
    cluster: () => import('./cluster').then((m) => m.clusterBench()),
    storm: () => import('./storm').then((m) => m.stormBench()),
  };
  const names = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = names.filter((n) => !(n in scenarios));
  if (unknown.length > 0)
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`,
    );
  for (const name of names.length > 0 ? names : Object.keys(scenarios)) await scenarios[name]?.();
  console.log(`\nbench finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
