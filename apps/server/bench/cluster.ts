import { io as connect, type Socket } from 'socket.io-client';
import { AccessTokens } from '../src/auth/access-token';
import { dropPrefix } from '../test/support/redis-keys';
import { type BenchNode, spawnBenchNode } from './processes';
import { BENCH_JWT_SECRET } from './secret';

/*
 * Multi-node benchmarks (`pnpm bench cluster`, also in `pnpm bench`), every figure measured in
 * this run:
 *   1. webrtc:ice relay latency p50/p99 at 500, 2,000 and 5,000 msg/s: bare Socket.IO relay,
 *      our embedded (in-memory) node, and two nodes on Redis with the pair on the same node
 *      and split over the two; nothing may be lost.
 *   2. joins per second at exact capacity with Redis (12 sockets over two nodes racing for
 *      3 seats, repeated).
 * Needs Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379); uses its own key prefix.
 */

const tokens = new AccessTokens(BENCH_JWT_SECRET, 3600);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `owcbench:${process.pid}:`;

type Node = BenchNode;

const spawnNode = (kind: 'ours' | 'bare', redis: boolean): Promise<Node> =>
  spawnBenchNode(kind, redis ? { BENCH_REDIS_URL: redisUrl, BENCH_REDIS_PREFIX: prefix } : {});

async function open(node: Node, userId: string, bare: boolean): Promise<Socket> {
  const socket = connect(node.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const token = bare ? userId : await tokens.sign({ id: userId, displayName: userId });
  const ack = await socket.timeout(30_000).emitWithAck('auth:hello', { token });
  if (!ack.ok) throw new Error(`auth failed: ${JSON.stringify(ack)}`);
  return socket;
}

interface Pair {
  from: Socket;
  to: Socket;
  toId: string;
  roomId: string;
}

async function pairs(a: Node, b: Node, count: number, tag: string, bare: boolean): Promise<Pair[]> {
  const out: Pair[] = [];
  for (let i = 0; i < count; i++) {
    const host = await open(a, `${tag}-h${i}`, bare);
    const guest = await open(b, `${tag}-g${i}`, bare);
    let roomId = `bare-${i}`;
    if (!bare) {
      roomId = (await host.emitWithAck('room:create', { name: `B${i}` })).room.id;
      const joined = await guest.emitWithAck('room:join', { roomId });
      if (!joined.ok) throw new Error(JSON.stringify(joined));
    }
    out.push({ from: guest, to: host, toId: `${tag}-h${i}`, roomId });
  }
  return out;
}

const TAIL = ' 1 udp 2122260223 192.168.1.23 54321 typ host generation 0 ufrag Xy7Q network-id 1';

async function relay(list: Pair[], rate: number, seconds: number) {
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let seq = 0;
  const onIce = (p: { candidate: { candidate: string } | null }) => {
    const text = p.candidate?.candidate ?? '';
    const id = Number(text.slice(10, text.indexOf(' ')));
    const at = sentAt.get(id);
    if (at !== undefined) {
      latencies.push(performance.now() - at);
      sentAt.delete(id);
    }
  };
  for (const p of list) p.to.on('webrtc:ice', onIce);
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
      const target = Math.floor((elapsed / tickMs + 1) * perTick);
      for (; due < target; due++) {
        const pair = list[next++ % list.length] as Pair;
        seq += 1;
        sentAt.set(seq, performance.now());
        pair.from.emit('webrtc:ice', {
          to: pair.toId,
          roomId: pair.roomId,
          candidate: { candidate: `candidate:${seq}${TAIL}`, sdpMid: '0', sdpMLineIndex: 0 },
        });
      }
    }, tickMs);
  });
  const deadline = Date.now() + 5000;
  while (latencies.length < seq && Date.now() < deadline) await sleep(10);
  for (const p of list) p.to.off('webrtc:ice', onIce);
  latencies.sort((x, y) => x - y);
  const pct = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((q / 100) * latencies.length))] ??
    Number.NaN;
  return { sent: seq, lost: seq - latencies.length, p50: pct(50), p99: pct(99) };
}

function table(title: string, header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(`\n${title}\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

export async function clusterBench() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const rates = [500, 2000, 5000];
  const bare = await spawnNode('bare', false);
  const embedded = await spawnNode('ours', false);
  const nodeA = await spawnNode('ours', true);
  const nodeB = await spawnNode('ours', true);
  try {
    const setups = {
      bare: await pairs(bare, bare, 20, 'bare', true),
      embedded: await pairs(embedded, embedded, 20, 'emb', false),
      'redis, same node': await pairs(nodeA, nodeA, 20, 'same', false),
      'redis, two nodes': await pairs(nodeA, nodeB, 20, 'split', false),
    };
    const rows: string[][] = [];
    for (const rate of rates) {
      const results: Record<string, Awaited<ReturnType<typeof relay>>> = {};
      for (const [name, list] of Object.entries(setups)) {
        await relay(list, rate, 1); // warm-up
        results[name] = await relay(list, rate, seconds);
      }
      const b = results.bare as Awaited<ReturnType<typeof relay>>;
      for (const [name, r] of Object.entries(results)) {
        rows.push([
          String(rate),
          name,
          `${r.p50.toFixed(3)} / ${r.p99.toFixed(3)}`,
          `${(r.p50 / b.p50).toFixed(2)}x`,
          name === 'redis, two nodes'
            ? `+${(r.p50 - (results['redis, same node']?.p50 ?? 0)).toFixed(3)} ms`
            : '',
          `${r.lost} of ${r.sent}`,
        ]);
      }
    }
    table(
      'webrtc:ice relay latency (ms)',
      [
        'msg/s',
        'setup',
        'p50 / p99',
        'p50 vs bare',
        'cross-node vs same-node p50 (≤ +1 ms)',
        'lost',
      ],
      rows,
    );

    // Joins at exact capacity: 12 sockets over two nodes race for 3 seats, repeatedly.
    const host = await open(nodeA, 'cap-host', false);
    const racers: Socket[] = [];
    for (let i = 0; i < 12; i++) racers.push(await open(i % 2 ? nodeB : nodeA, `cap-${i}`, false));
    const trials = Number(process.env.BENCH_CAPACITY_TRIALS ?? 100);
    let joins = 0;
    let exact = 0;
    const started = performance.now();
    for (let t = 0; t < trials; t++) {
      const roomId = (
        await host.emitWithAck('room:create', { name: `cap${t}`, maxParticipants: 4 })
      ).room.id;
      const acks = await Promise.all(racers.map((r) => r.emitWithAck('room:join', { roomId })));
      const admitted = acks.filter((a) => a.ok).length;
      joins += acks.length;
      if (admitted === 3) exact += 1;
      await Promise.all(
        racers.map((r, i) => (acks[i]?.ok ? r.emitWithAck('room:leave', { roomId }) : null)),
      );
    }
    const elapsed = (performance.now() - started) / 1000;
    table(
      'joins at exact capacity, two nodes on Redis',
      ['trials', 'join attempts/s', 'trials with exactly 3 admitted'],
      [[String(trials), (joins / elapsed).toFixed(0), `${exact} of ${trials}`]],
    );
    for (const s of [
      host,
      ...racers,
      ...Object.values(setups).flatMap((l) => l.flatMap((p) => [p.from, p.to])),
    ])
      s.disconnect();
  } finally {
    for (const node of [bare, embedded, nodeA, nodeB]) await node.stop();
    await dropPrefix(redisUrl, prefix);
  }
}
