import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { startBareServer } from './bare-server';
import { BENCH_JWT_SECRET } from './secret';

/*
 * A benchmark server in its own process (so client work never shares its CPU), driven over
 * IPC by bench/run.ts: `ready { port }` once listening; `memory` → GC, then memoryUsage;
 * `cpu` → cpuUsage.
 * Run with `node --expose-gc --import tsx bench/server-process.ts ours|bare`.
 */

type Message = { type: 'memory' } | { type: 'cpu' } | { type: 'exit' };

async function main() {
  const kind = process.argv[2];
  let port: number;
  let close: () => Promise<void>;
  if (kind === 'bare') {
    ({ port, close } = await startBareServer());
  } else if (kind === 'ours') {
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      JWT_SECRET: BENCH_JWT_SECRET,
      DATA_DIR: 'memory://',
      AUTH_RATE_LIMIT: 'off',
      SEED_DEMO_USERS: 'false',
      STUN_URLS: '',
      RECONNECT_GRACE_MS: '0',
      MAX_ROOM_PARTICIPANTS: '6',
      // The bench sends far above the per-socket budgets on purpose.
      RATE_SIGNAL_PER_SEC: '1000000',
      RATE_SIGNAL_BURST: '1000000',
      RATE_EVENTS_PER_SEC: '1000000',
      RATE_EVENTS_BURST: '1000000',
      AUTH_TIMEOUT_MS: '600000',
      RATE_FANOUT_PER_SEC: '1000000',
      RATE_FANOUT_BURST: '1000000',
      // Every bench socket comes from 127.0.0.1, up to 10,000 of them.
      MAX_SOCKETS_PER_IP: '1000000',
      MAX_SOCKETS_PER_USER: '1000',
      ...(process.env.BENCH_FANOUT_BATCH_MS !== undefined
        ? { FANOUT_BATCH_MS: process.env.BENCH_FANOUT_BATCH_MS }
        : {}),
      // bench/cluster.ts: several of these processes as nodes of one deployment.
      ...(process.env.BENCH_REDIS_URL
        ? {
            REDIS_URL: process.env.BENCH_REDIS_URL,
            REDIS_PREFIX: process.env.BENCH_REDIS_PREFIX ?? 'owcbench:',
          }
        : {}),
    });
    const app = await buildApp(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
    close = () => app.close();
  } else {
    throw new Error(`usage: server-process.ts ours|bare (got ${kind})`);
  }

  process.on('message', async (message: Message) => {
    if (message.type === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (!gc) throw new Error('run with --expose-gc');
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 50));
      }
      process.send?.({ type: 'memory', usage: process.memoryUsage() });
    } else if (message.type === 'cpu') {
      process.send?.({ type: 'cpu', usage: process.cpuUsage() });
    } else if (message.type === 'exit') {
      await close();
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready', port });
}

void main();
