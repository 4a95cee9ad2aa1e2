import { io as connect, type Socket } from 'socket.io-client';
import { AccessTokens } from '../src/auth/access-token';
import { spawnBenchNode } from './processes';
import { BENCH_JWT_SECRET } from './secret';
import { printTable } from './table';

/*
 * `pnpm bench storm`: STORM_USERS (2,000) people sign in at once (a morning, or every client
 * reconnecting after a deploy). Each sign-in is a presence change everyone must see, so the
 * naive fan-out is users² messages. Measured for the server with its fan-out batching
 * (FANOUT_BATCH_MS=50, the default) and without it (0), in the same run: time until every
 * socket is authenticated, time until every socket's presence view holds every user, and the
 * presence:list messages the clients received in total. Bounded: a run that has not
 * converged after STORM_TIMEOUT_S (120) says so.
 */

const tokens = new AccessTokens(BENCH_JWT_SECRET, 3600);
const USERS = Number(process.env.STORM_USERS ?? 2000);
const TIMEOUT_MS = Number(process.env.STORM_TIMEOUT_S ?? 120) * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  batchMs: number;
  authedMs: number;
  convergedMs: number | undefined;
  messages: number;
}

async function storm(batchMs: number): Promise<Row> {
  const node = await spawnBenchNode('ours', { BENCH_FANOUT_BATCH_MS: String(batchMs) });
  const { url } = node;
  const sockets: Socket[] = [];
  const views: Array<Set<string>> = [];
  let messages = 0;
  let complete = 0;
  const ids = Array.from({ length: USERS }, (_, i) => `storm-${i}`);
  const signed = await Promise.all(ids.map((id) => tokens.sign({ id, displayName: id })));
  const started = performance.now();
  try {
    await Promise.all(
      ids.map(async (_, i) => {
        const view = new Set<string>();
        views.push(view);
        const socket = connect(url, {
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
        });
        sockets.push(socket);
        socket.on(
          'presence:list',
          (p: { full: boolean; users: Array<{ userId: string; status: string }> }) => {
            messages += 1;
            const before = view.size;
            if (p.full) view.clear();
            for (const u of p.users) {
              if (u.status === 'offline') view.delete(u.userId);
              else view.add(u.userId);
            }
            if (view.size === USERS && before !== USERS) complete += 1;
            else if (view.size !== USERS && before === USERS) complete -= 1;
          },
        );
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        const ack = await socket
          .timeout(TIMEOUT_MS)
          .emitWithAck('auth:hello', { token: signed[i] });
        if (!ack.ok) throw new Error(`auth failed: ${JSON.stringify(ack)}`);
      }),
    );
    const authedMs = performance.now() - started;
    let convergedMs: number | undefined;
    while (performance.now() - started < TIMEOUT_MS) {
      if (complete === USERS) {
        convergedMs = performance.now() - started;
        break;
      }
      await sleep(20);
    }
    // Let stragglers arrive, so the message count is the whole storm's.
    await sleep(500);
    return { batchMs, authedMs, convergedMs, messages };
  } finally {
    for (const s of sockets) s.disconnect();
    await node.stop();
  }
}

export async function stormBench() {
  const rows: Row[] = [];
  for (const batchMs of [50, 0]) rows.push(await storm(batchMs));
  const [batched, naive] = rows;
  printTable(
    `5. Sign-in storm: ${USERS} users sign in at once (one server; clients in this process)`,
    ['FANOUT_BATCH_MS', 'all authenticated', 'all see everyone', 'presence:list messages'],
    rows.map((r) => [
      String(r.batchMs),
      `${(r.authedMs / 1000).toFixed(2)} s`,
      r.convergedMs === undefined
        ? `not in ${TIMEOUT_MS / 1000} s`
        : `${(r.convergedMs / 1000).toFixed(2)} s`,
      String(r.messages),
    ]),
  );
  if (batched && naive && batched.convergedMs !== undefined && naive.convergedMs !== undefined) {
    console.log(
      `batched / naive: ${(batched.convergedMs / naive.convergedMs).toFixed(2)}x time to converge, ${(batched.messages / naive.messages).toFixed(3)}x messages`,
    );
  }
}
