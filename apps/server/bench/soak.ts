import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io as connect, type Socket } from 'socket.io-client';
import { AccessTokens } from '../src/auth/access-token';
import { freePort, procMemory, stopChild, waitHealthy } from './processes';
import { BENCH_JWT_SECRET } from './secret';
import { printTable } from './table';

/*
 * `pnpm soak`: the real (compiled) server process under a long, bounded load, in both
 * database modes, printing what issue 8 and issue 12 ask to see:
 *   - SOAK_USERS (1000) authenticated sockets, 166 six-person rooms, each member relaying ICE
 *     to its room at SOAK_RATE signals/s (acked), for SOAK_MINUTES (5);
 *   - churn: SOAK_CHURN (10%) of the members per minute leave and rejoin, or drop their
 *     socket and come back on a new one within the reconnect grace;
 *   - every signal acked ok must arrive, exactly at its addressee, in its room (lost and
 *     misrouted are counted; both must be 0); rooms stay exactly full (a prober is refused
 *     ROOM_FULL every time and every room has 6 at the end);
 *   - RSS of the server every 5 s and its slope after warm-up; event-loop delay p99 (/metrics);
 *   - PostgreSQL mode only: a private PostgreSQL of the soak's own is stopped for
 *     SOAK_OUTAGE_S (60) seconds a minute in: /health must say 503 and come back, signaling
 *     must keep answering, and afterwards every room, membership, call and moderation row the
 *     soak caused (the outage minute's included) must be in the database.
 * Then the fuzzer: test/signaling/abuse.test.ts with FUZZ_PAYLOADS (100,000) payloads per
 * database mode. Everything is bounded: a watchdog ends the run at twice its planned time.
 * SOAK_MODES=embedded,postgres picks the modes; SOAK_FUZZ=0 skips the fuzzer.
 */

const serverDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const MINUTES = Number(env.SOAK_MINUTES ?? 5);
const USERS = Number(env.SOAK_USERS ?? 1000);
const RATE = Number(env.SOAK_RATE ?? 2);
const CHURN = Number(env.SOAK_CHURN ?? 0.1);
const OUTAGE_S = Number(env.SOAK_OUTAGE_S ?? 60);
const FUZZ = Number(env.SOAK_FUZZ ?? 100_000);
const MODES = (env.SOAK_MODES ?? 'embedded,postgres').split(',') as Mode[];
const ROOM_SIZE = 6;
// Generous, so a reconnect on a loaded machine is a reconnect and not a late rejoin.
const GRACE_MS = 10_000;
const METRICS_TOKEN = 'soak-metrics-token-0123456789abcdef';
const tokens = new AccessTokens(BENCH_JWT_SECRET, 4 * 3600);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Mode = 'embedded' | 'postgres';

const rssMb = (pid: number) => procMemory(pid).rss / 2 ** 20;

// ---------------------------------------------------------------------------------------
// A private PostgreSQL (so stopping it disturbs nobody else)

class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const root = '/usr/lib/postgresql';
    const version = existsSync(root) ? readdirSync(root).sort().pop() : undefined;
    if (!version) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
    const bin = path.join(root, version, 'bin');
    const dir = mkdtempSync(path.join(tmpdir(), 'owc-soak-pg-'));
    chmodSync(dir, 0o777);
    const pg = new PrivatePostgres(dir, await freePort(), bin);
    pg.run('initdb', ['-D', path.join(dir, 'data'), '-U', 'postgres', '-A', 'trust']);
    await pg.up();
    return pg;
  }

  /** PostgreSQL refuses to run as root: run its tools as the postgres user then. */
  private run(tool: string, args: string[]) {
    const cmd = path.join(this.bin, tool);
    const asRoot = process.getuid?.() === 0;
    execFileSync(asRoot ? 'runuser' : cmd, asRoot ? ['-u', 'postgres', '--', cmd, ...args] : args, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }

  get url() {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async up() {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    this.run('pg_ctl', [
      '-D',
      path.join(this.dir, 'data'),
      '-o',
      opts,
      '-l',
      path.join(this.dir, 'log'),
      '-w',
      'start',
    ]);
  }

  down() {
    this.run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  query(sql: string): string {
    return execFileSync('psql', [this.url, '-qAtc', sql], { encoding: 'utf8' }).trim();
  }

  destroy() {
    try {
      this.down();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// The server process, as `pnpm start` runs it

async function startServer(dbEnv: Record<string, string>, logFile: string) {
  const port = await freePort();
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: serverDir,
    env: {
      PATH: env.PATH ?? '',
      HOME: env.HOME ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      JWT_SECRET: BENCH_JWT_SECRET,
      PORT: String(port),
      HOST: '127.0.0.1',
      REGISTRATION: 'open',
      AUTH_RATE_LIMIT: 'off',
      SEED_DEMO_USERS: 'false',
      STUN_URLS: '',
      RECONNECT_GRACE_MS: String(GRACE_MS),
      MAX_ROOM_PARTICIPANTS: String(ROOM_SIZE),
      // Every socket comes from 127.0.0.1.
      MAX_SOCKETS_PER_IP: '100000',
      METRICS_TOKEN,
      ...dbEnv,
    },
    // The outage makes the server log every retry: keep that out of the report.
    stdio: ['ignore', 'ignore', openSync(logFile, 'a')],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(child, url, { pollMs: 50 });
  return { child, url };
}

const stopServer = (child: ChildProcess) => stopChild(child, 30_000);

async function metric(url: string, name: string): Promise<number | undefined> {
  const res = await fetch(`${url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : undefined;
}

// ---------------------------------------------------------------------------------------
// Clients

type Ack = { ok: true; [k: string]: unknown } | { ok: false; error: { code: string } };

interface Member {
  userId: string;
  token: string;
  socket: Socket;
  roomId: string | undefined;
  /** Churning: nobody sends to it and it sends nothing. */
  busy: boolean;
  /** Signals to this member that were sent but not yet acked. */
  inFlight: number;
  /** Signals from this member not yet acked. */
  outFlight: number;
}

class Tally {
  sent = 0;
  ackedOk = 0;
  refused = new Map<string, number>();
  delivered = 0;
  misrouted = 0;
  /** An arrival whose sequence number is not above the last one of its sender→receiver pair. */
  duplicatedOrReordered = 0;
  /** Signals acked ok and not yet seen arriving. */
  outstanding = new Set<string>();
  /** Arrivals seen before their ack (the relay can beat the ack). */
  early = new Set<string>();
  lastSeq = new Map<string, number>();
  ackMs: number[] = [];
  refuse(code: string) {
    this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
  }
  acked(key: string) {
    this.ackedOk += 1;
    if (this.early.delete(key)) this.delivered += 1;
    else this.outstanding.add(key);
  }
  arrived(from: string, to: string, seq: number) {
    const pair = `${from}>${to}`;
    if (seq <= (this.lastSeq.get(pair) ?? -1)) this.duplicatedOrReordered += 1;
    else this.lastSeq.set(pair, seq);
    const key = `${pair}#${seq}`;
    if (this.outstanding.delete(key)) this.delivered += 1;
    else this.early.add(key);
  }
}

function attach(member: Member, tally: Tally) {
  member.socket.on(
    'webrtc:ice',
    (p: { from: string; roomId?: string; candidate: { candidate: string } | null }) => {
      const [tag, from, to, seq] = (p.candidate?.candidate ?? '').split('|');
      if (tag !== 'soak' || !from || !to) return;
      if (to !== member.userId || from !== p.from || p.roomId !== member.roomId) {
        tally.misrouted += 1;
        return;
      }
      tally.arrived(from, to, Number(seq));
    },
  );
}

async function openSocket(url: string, token: string): Promise<Socket> {
  const socket = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const ack: Ack = await socket.timeout(60_000).emitWithAck('auth:hello', { token });
  if (!ack.ok) throw new Error(`auth failed: ${JSON.stringify(ack)}`);
  return socket;
}

async function request(socket: Socket, event: string, payload: object): Promise<Ack> {
  return socket.timeout(30_000).emitWithAck(event, payload);
}

async function register(url: string, i: number) {
  const res = await fetch(`${url}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `soak${i}@soak.test`,
      password: 'soak-password-1',
      displayName: `Soak ${i}`,
    }),
  });
  if (res.status !== 201) throw new Error(`register ${i}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string; displayName: string } };
  return body.user;
}

async function inBatches<T>(n: number, size: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += size) {
    out.push(
      ...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => fn(i + j)))),
    );
  }
  return out;
}

function slopePerMin(samples: Array<{ t: number; v: number }>) {
  const n = samples.length;
  if (n < 2) return 0;
  const mt = samples.reduce((s, x) => s + x.t, 0) / n;
  const mv = samples.reduce((s, x) => s + x.v, 0) / n;
  let num = 0;
  let den = 0;
  for (const x of samples) {
    num += (x.t - mt) * (x.v - mv);
    den += (x.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60_000;
}

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

// ---------------------------------------------------------------------------------------
// One soak run

interface Result {
  mode: Mode;
  tally: Tally;
  churn: {
    rejoin: number;
    reconnect: number;
    leftSeenOnReconnect: number;
    /** Their `reason`s, to tell a lost grace (`disconnected`) from anything else. */
    leftReasons: Map<string, number>;
  };
  probes: { full: number; violations: number };
  finalRooms: { full: number; total: number };
  rss: { start: number; end: number; slope: number };
  eld: { median: number; max: number };
  outage?: {
    down503AfterMs: number | undefined;
    upAfterMs: number | undefined;
    ackP99Before: number;
    ackP99During: number;
    stalledAcks: number;
  };
  db: Array<[string, number, number]>;
}

async function soak(mode: Mode): Promise<Result> {
  const pg = mode === 'postgres' ? await PrivatePostgres.start() : undefined;
  const dataDir =
    mode === 'embedded' ? mkdtempSync(path.join(tmpdir(), 'owc-soak-lite-')) : undefined;
  const dbEnv: Record<string, string> = pg ? { DATABASE_URL: pg.url } : { DATA_DIR: dataDir ?? '' };
  const logFile = path.join(tmpdir(), `owc-soak-${mode}-${process.pid}.log`);
  console.log(`\nsoak ${mode}: server log in ${logFile}`);
  const { child, url } = await startServer(dbEnv, logFile);
  const pid = child.pid ?? 0;
  const tally = new Tally();
  const expected = { rooms: 0, memberships: 0, calls: 0, moderation: 0 };
  const outageRows = { rooms: 0, memberships: 0, calls: 0, moderation: 0 };
  let outageWindow: { from: number; to: number } | undefined;
  const inOutage = () =>
    outageWindow !== undefined && Date.now() >= outageWindow.from && Date.now() <= outageWindow.to;
  const count = (k: keyof typeof expected) => {
    expected[k] += 1;
    if (inOutage()) outageRows[k] += 1;
  };
  try {
    console.log(`soak ${mode}: registering ${USERS} users`);
    const users = await inBatches(USERS, 8, (i) => register(url, i));
    const signed = await Promise.all(users.map((u) => tokens.sign(u)));
    console.log(`soak ${mode}: opening ${USERS} sockets`);
    const members: Member[] = await inBatches(USERS, 100, async (i) => {
      const user = users[i];
      const token = signed[i];
      if (!user || !token) throw new Error('user');
      return {
        userId: user.id,
        token,
        socket: await openSocket(url, token),
        roomId: undefined,
        busy: false,
        inFlight: 0,
        outFlight: 0,
      };
    });
    for (const m of members) attach(m, tally);

    const roomCount = Math.floor((USERS - 4) / ROOM_SIZE);
    const seated = members.slice(0, roomCount * ROOM_SIZE);
    const [caller, callee, cycler, prober] = members.slice(roomCount * ROOM_SIZE);
    if (!caller || !callee || !cycler || !prober) throw new Error('need 4 spare users');
    const rooms: Member[][] = [];
    for (let r = 0; r < roomCount; r++)
      rooms.push(seated.slice(r * ROOM_SIZE, (r + 1) * ROOM_SIZE));
    console.log(`soak ${mode}: seating ${roomCount} rooms of ${ROOM_SIZE}`);
    await inBatches(roomCount, 20, async (r) => {
      const group = rooms[r] ?? [];
      const [host, ...rest] = group;
      if (!host) return;
      const ack = await request(host.socket, 'room:create', {
        name: `Soak ${r}`,
        maxParticipants: ROOM_SIZE,
      });
      if (!ack.ok) throw new Error(`create: ${JSON.stringify(ack)}`);
      count('rooms');
      count('memberships');
      host.roomId = (ack.room as { id: string }).id;
      for (const m of rest) {
        const joined = await request(m.socket, 'room:join', { roomId: host.roomId });
        if (!joined.ok) throw new Error(`join: ${JSON.stringify(joined)}`);
        count('memberships');
        m.roomId = host.roomId;
      }
    });

    // A room is either being probed or churned, never both: a probe landing in the seat a
    // churning member just left would be a false capacity violation.
    const locked = new Set<Member[]>();
    const groupOf = new Map<Member, Member[]>();
    for (const g of rooms) for (const m of g) groupOf.set(m, g);

    // Peers that see someone leave although that someone only reconnected: until 2 s after
    // the reconnect, unless that person meanwhile left on purpose (the next churn can pick
    // them again; each of their peers then sees that leave, which is no reconnect's).
    const reconnecting = new Map<string, ReturnType<typeof setTimeout> | undefined>();
    const churn = {
      rejoin: 0,
      reconnect: 0,
      leftSeenOnReconnect: 0,
      leftReasons: new Map<string, number>(),
    };
    const onLeft = (p: { userId: string; reason?: string }) => {
      if (!reconnecting.has(p.userId)) return;
      churn.leftSeenOnReconnect += 1;
      const reason = p.reason ?? '?';
      churn.leftReasons.set(reason, (churn.leftReasons.get(reason) ?? 0) + 1);
    };
    const settledReconnect = (userId: string) => {
      clearTimeout(reconnecting.get(userId));
      reconnecting.delete(userId);
    };
    for (const m of seated) m.socket.on('room:participant:left', onLeft);

    const started = Date.now();
    const endAt = started + MINUTES * 60_000;
    let stop = false;
    let failure: unknown;
    // A loop that throws ends the whole run (the server is still killed in `finally`).
    const loops = {
      all: [] as Promise<void>[],
      push(...runs: Promise<void>[]) {
        for (const run of runs)
          this.all.push(
            run.catch((err) => {
              failure ??= err;
              stop = true;
            }),
          );
      },
    };
    let seq = 0;

    const sendOne = async (from: Member, to: Member) => {
      const n = seq++;
      to.inFlight += 1;
      from.outFlight += 1;
      tally.sent += 1;
      const t0 = performance.now();
      try {
        const ack = await request(from.socket, 'webrtc:ice', {
          to: to.userId,
          roomId: from.roomId,
          candidate: { candidate: `soak|${from.userId}|${to.userId}|${n}` },
        });
        tally.ackMs.push(performance.now() - t0);
        if (ack.ok) tally.acked(`${from.userId}>${to.userId}#${n}`);
        else tally.refuse(ack.error.code);
      } catch {
        tally.refuse('no-ack');
      } finally {
        to.inFlight -= 1;
        from.outFlight -= 1;
      }
    };

    // Relay: each seated member sends to a random peer of its room at RATE per second.
    for (const group of rooms) {
      for (const m of group) {
        loops.push(
          (async () => {
            await sleep(Math.random() * 1000);
            while (!stop) {
              const peers = group.filter((p) => p !== m && !p.busy);
              const to = peers[Math.floor(Math.random() * peers.length)];
              if (!m.busy && to) void sendOne(m, to);
              await sleep((1000 / RATE) * (0.5 + Math.random()));
            }
          })(),
        );
      }
    }

    // Quiesce a member: nobody new sends to it, its in-flight signals are acked, and a round
    // trip of its own orders their delivery before anything changes.
    const quiesce = async (m: Member) => {
      m.busy = true;
      while (m.inFlight > 0 || m.outFlight > 0) await sleep(10);
      await request(m.socket, 'room:self:mute', { roomId: m.roomId, muted: false });
    };

    // Churn: CHURN of the seated members per minute, half rejoin, half reconnect.
    loops.push(
      (async () => {
        const perMin = Math.max(1, Math.round(seated.length * CHURN));
        let i = 0;
        while (!stop) {
          await sleep(60_000 / perMin);
          if (stop) break;
          const m = seated[Math.floor(Math.random() * seated.length)];
          const group = m && groupOf.get(m);
          if (!m || !group || m.busy || !m.roomId || locked.has(group)) continue;
          locked.add(group);
          const roomId = m.roomId;
          await quiesce(m);
          settledReconnect(m.userId);
          if (i++ % 2 === 0) {
            const left = await request(m.socket, 'room:leave', { roomId });
            const back = await request(m.socket, 'room:join', { roomId });
            if (!left.ok || !back.ok) throw new Error(`rejoin: ${JSON.stringify([left, back])}`);
            count('memberships');
            churn.rejoin += 1;
          } else {
            reconnecting.set(m.userId, undefined);
            const old = m.socket;
            old.disconnect();
            await sleep(200);
            const socket = connect(url, {
              transports: ['websocket'],
              forceNew: true,
              reconnection: false,
            });
            await new Promise<void>((resolve, reject) => {
              socket.once('connect', () => resolve());
              socket.once('connect_error', reject);
            });
            m.socket = socket;
            attach(m, tally);
            socket.on('room:participant:left', onLeft);
            const ack: Ack = await socket
              .timeout(30_000)
              .emitWithAck('auth:hello', { token: m.token });
            if (!ack.ok) throw new Error(`re-auth: ${JSON.stringify(ack)}`);
            // As the web client does: the server re-sends room:joined when it already saw the
            // old socket go, but the new socket can win that race (a dead connection the
            // server has not noticed yet), so the client asks for its room back; joining the
            // room one sits in moves the seat to this socket and changes nothing else.
            const back = await request(socket, 'room:join', { roomId });
            if (!back.ok || (back.room as { id: string }).id !== roomId)
              throw new Error(`reconnect did not restore the seat: ${JSON.stringify(back)}`);
            churn.reconnect += 1;
            // Peers' left events for this user would have arrived before a round trip of theirs.
            reconnecting.set(
              m.userId,
              setTimeout(() => reconnecting.delete(m.userId), 2000),
            );
          }
          m.busy = false;
          locked.delete(group);
        }
      })(),
    );

    // Capacity: a prober keeps trying to join rooms that are full; it must be refused.
    const probes = { full: 0, violations: 0 };
    loops.push(
      (async () => {
        while (!stop) {
          await sleep(500);
          const group = rooms[Math.floor(Math.random() * rooms.length)];
          const roomId = group?.[0]?.roomId;
          if (!group || !roomId || locked.has(group)) continue;
          locked.add(group);
          const ack = await request(prober.socket, 'room:join', { roomId });
          locked.delete(group);
          if (!ack.ok && ack.error.code === 'ROOM_FULL') probes.full += 1;
          else {
            probes.violations += 1;
            if (ack.ok) await request(prober.socket, 'room:leave', { roomId });
          }
        }
      })(),
    );

    // Calls, rooms that open and close, and moderation: records for the database to keep.
    loops.push(
      (async () => {
        while (!stop) {
          await sleep(1000);
          const invite = await request(caller.socket, 'call:direct:invite', {
            toUserId: callee.userId,
          });
          if (!invite.ok) throw new Error(`invite: ${JSON.stringify(invite)}`);
          count('calls');
          const callId = invite.callId as string;
          const accepted = await request(callee.socket, 'call:direct:accept', { callId });
          if (!accepted.ok) throw new Error(`accept: ${JSON.stringify(accepted)}`);
          await sleep(500);
          await request(caller.socket, 'call:direct:end', { callId });
        }
      })(),
      (async () => {
        let n = 0;
        while (!stop) {
          await sleep(1000);
          const made = await request(cycler.socket, 'room:create', { name: `Cycle ${n++}` });
          if (!made.ok) throw new Error(`cycle: ${JSON.stringify(made)}`);
          count('rooms');
          count('memberships');
          await request(cycler.socket, 'room:leave', { roomId: (made.room as { id: string }).id });
        }
      })(),
      (async () => {
        while (!stop) {
          await sleep(700);
          const group = rooms[Math.floor(Math.random() * rooms.length)];
          const [host, target] = [
            group?.[0],
            group?.[1 + Math.floor(Math.random() * (ROOM_SIZE - 1))],
          ];
          if (!host || !target || host.busy || target.busy) continue;
          const ack = await request(host.socket, 'room:host:mute', {
            roomId: host.roomId,
            userId: target.userId,
          });
          if (ack.ok) count('moderation');
        }
      })(),
    );

    // Watch: RSS and event-loop delay every 5 s.
    const rss: Array<{ t: number; v: number }> = [];
    const eld: number[] = [];
    loops.push(
      (async () => {
        while (!stop) {
          rss.push({ t: Date.now() - started, v: rssMb(pid) });
          const p99 = await metric(url, 'nodejs_eventloop_lag_p99_seconds').catch(() => undefined);
          if (p99 !== undefined) eld.push(p99 * 1000);
          await sleep(5000);
        }
      })(),
    );

    // The outage (PostgreSQL mode): a minute in, the database goes away for OUTAGE_S.
    let outage: Result['outage'];
    if (pg) {
      loops.push(
        (async () => {
          await sleep(Math.min(60_000, (endAt - started) / 4));
          if (stop) return;
          const ackCountBefore = tally.ackMs.length;
          const before = quantile(tally.ackMs.slice(-5000), 0.99);
          const from = Date.now();
          outageWindow = { from, to: from + OUTAGE_S * 1000 };
          pg.down();
          console.log(`soak ${mode}: PostgreSQL stopped`);
          let down503AfterMs: number | undefined;
          while (Date.now() < from + OUTAGE_S * 1000) {
            const status = await fetch(`${url}/health`).then(
              (r) => r.status,
              () => 0,
            );
            if (status === 503 && down503AfterMs === undefined) down503AfterMs = Date.now() - from;
            await sleep(500);
          }
          const during = tally.ackMs.slice(ackCountBefore);
          await pg.up();
          console.log(`soak ${mode}: PostgreSQL started again`);
          const upFrom = Date.now();
          let upAfterMs: number | undefined;
          while (Date.now() - upFrom < 60_000) {
            const status = await fetch(`${url}/health`).then(
              (r) => r.status,
              () => 0,
            );
            if (status === 200) {
              upAfterMs = Date.now() - upFrom;
              break;
            }
            await sleep(200);
          }
          outage = {
            down503AfterMs,
            upAfterMs,
            ackP99Before: before,
            ackP99During: quantile(during, 0.99),
            // A stall is seconds (the database's connect timeout) or for ever; load alone can make
            // acks of a busy 2-core machine slow, which the p99 columns show.
            stalledAcks: during.filter((ms) => ms > 5000).length,
          };
        })(),
      );
    }

    const watchdog = setTimeout(
      () => {
        console.error('soak: watchdog fired, the run took twice its planned time');
        child.kill('SIGKILL');
        pg?.destroy();
        process.exit(2);
      },
      MINUTES * 2 * 60_000 + 5 * 60_000,
    );
    while (!stop && Date.now() < endAt) await sleep(250);
    stop = true;
    console.log(`soak ${mode}: draining`);
    await Promise.all(loops.all);
    if (failure) throw failure;
    // Every acked signal was relayed before its ack; a round trip on every receiver orders
    // its delivery before we count what is missing.
    while (seated.some((m) => m.inFlight > 0)) await sleep(10);
    await inBatches(seated.length, 100, (i) => {
      const m = seated[i];
      return m
        ? request(m.socket, 'room:self:mute', { roomId: m.roomId, muted: false })
        : Promise.resolve(null);
    });

    const list = await new Promise<{ rooms: Array<{ id: string; participantCount: number }> }>(
      (resolve) => {
        const watcher = connect(url, {
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
        });
        watcher.once('room:list', (p) => {
          watcher.disconnect();
          resolve(p);
        });
        watcher.once('connect', () =>
          watcher.emit('auth:hello', { token: cycler.token }, () => {}),
        );
      },
    );
    const ours = new Set(rooms.map((g) => g[0]?.roomId));
    const soakRooms = list.rooms.filter((r) => ours.has(r.id));
    const finalRooms = {
      full: soakRooms.filter((r) => r.participantCount === ROOM_SIZE).length,
      total: rooms.length,
    };

    // Wait for the write queue to drain, then count what reached the database.
    const drainFrom = Date.now();
    while (Date.now() - drainFrom < 120_000) {
      const queued = await metric(url, 'openwcall_db_write_queue_length');
      if (queued === 0) break;
      await sleep(500);
    }
    const warm = rss.filter((s) => s.t > (endAt - started) / 4);
    const result: Result = {
      mode,
      tally,
      churn,
      probes,
      finalRooms,
      rss: { start: rss[0]?.v ?? 0, end: rss.at(-1)?.v ?? 0, slope: slopePerMin(warm) },
      eld: { median: quantile(eld, 0.5), max: Math.max(...eld) },
      outage,
      db: [],
    };
    for (const m of members) m.socket.disconnect();
    clearTimeout(watchdog);
    await stopServer(child);

    const counts = await countRows(pg, dataDir, outageWindow);
    result.db = [
      ['rooms', expected.rooms, counts.rooms],
      ['memberships', expected.memberships, counts.memberships],
      ['direct calls', expected.calls, counts.calls],
      ['moderation actions', expected.moderation, counts.moderation],
      ['rooms (outage minute)', outageRows.rooms, counts.outage.rooms],
      ['memberships (outage minute)', outageRows.memberships, counts.outage.memberships],
      ['direct calls (outage minute)', outageRows.calls, counts.outage.calls],
      ['moderation (outage minute)', outageRows.moderation, counts.outage.moderation],
    ];
    if (!outageWindow) result.db = result.db.slice(0, 4);
    return result;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    pg?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function countRows(
  pg: PrivatePostgres | undefined,
  dataDir: string | undefined,
  window?: { from: number; to: number },
) {
  const { openDatabase } = await import('@openwcall/db/client');
  const db = await openDatabase(pg ? { url: pg.url } : { dataDir });
  try {
    const p = db.prisma;
    const span = window ? { gte: new Date(window.from), lte: new Date(window.to) } : undefined;
    const [rooms, memberships, calls, moderation] = await Promise.all([
      p.room.count(),
      p.roomMembership.count(),
      p.directCall.count(),
      p.moderationAction.count(),
    ]);
    const outage = span
      ? {
          rooms: await p.room.count({ where: { createdAt: span } }),
          memberships: await p.roomMembership.count({ where: { joinedAt: span } }),
          calls: await p.directCall.count({ where: { ringingAt: span } }),
          moderation: await p.moderationAction.count({ where: { createdAt: span } }),
        }
      : { rooms: 0, memberships: 0, calls: 0, moderation: 0 };
    return { rooms, memberships, calls, moderation, outage };
  } finally {
    await db.close();
  }
}

function report(r: Result) {
  const t = r.tally;
  const refused = [...t.refused].map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const lost = t.outstanding.size;
  printTable(
    `Soak, ${r.mode} database: ${USERS} sockets, ${r.finalRooms.total} rooms of ${ROOM_SIZE}, ${RATE} signals/s each, ${MINUTES} min, churn ${CHURN * 100}%/min`,
    ['what', 'value', 'verdict'],
    [
      ['signals sent / acked ok', `${t.sent} / ${t.ackedOk}`, ''],
      ['delivered', String(t.delivered), ''],
      ['lost (acked ok, never arrived)', String(lost), lost === 0 ? 'ok' : 'FAIL'],
      ['misrouted', String(t.misrouted), t.misrouted === 0 ? 'ok' : 'FAIL'],
      [
        'duplicated or out of order',
        String(t.duplicatedOrReordered),
        t.duplicatedOrReordered === 0 ? 'ok' : 'FAIL',
      ],
      ['refused', refused, t.refused.size === 0 ? 'ok' : 'CHECK'],
      [
        'ack latency p50 / p99',
        `${quantile(t.ackMs, 0.5).toFixed(1)} / ${quantile(t.ackMs, 0.99).toFixed(1)} ms`,
        '',
      ],
      ['churn: rejoined / reconnected', `${r.churn.rejoin} / ${r.churn.reconnect}`, ''],
      [
        'leaves seen for a reconnect',
        r.churn.leftSeenOnReconnect === 0
          ? '0'
          : `${r.churn.leftSeenOnReconnect} (${[...r.churn.leftReasons].map(([k, v]) => `${k}: ${v}`).join(', ')})`,
        r.churn.leftSeenOnReconnect === 0 ? 'ok' : 'FAIL',
      ],
      [
        'full-room probes refused / let in',
        `${r.probes.full} / ${r.probes.violations}`,
        r.probes.violations === 0 ? 'ok' : 'FAIL',
      ],
      [
        'rooms exactly full at the end',
        `${r.finalRooms.full} / ${r.finalRooms.total}`,
        r.finalRooms.full === r.finalRooms.total ? 'ok' : 'FAIL',
      ],
      ['RSS first / last sample', `${r.rss.start.toFixed(0)} / ${r.rss.end.toFixed(0)} MB`, ''],
      [
        'RSS slope after warm-up',
        `${r.rss.slope.toFixed(2)} MB/min`,
        Math.abs(r.rss.slope) < 1 ? 'ok' : 'CHECK',
      ],
      [
        'event-loop delay p99 (median / max of 5 s samples)',
        `${r.eld.median.toFixed(1)} / ${r.eld.max.toFixed(1)} ms`,
        '',
      ],
      ...(r.outage
        ? [
            [
              'outage: /health 503 after',
              `${r.outage.down503AfterMs ?? 'never'} ms`,
              r.outage.down503AfterMs !== undefined ? 'ok' : 'FAIL',
            ],
            [
              'outage: /health 200 again after restart',
              `${r.outage.upAfterMs ?? 'never'} ms`,
              r.outage.upAfterMs !== undefined ? 'ok' : 'FAIL',
            ],
            [
              'outage: signal ack p99 before / during',
              `${r.outage.ackP99Before.toFixed(1)} / ${r.outage.ackP99During.toFixed(1)} ms`,
              '',
            ],
            [
              'outage: acks slower than 5 s (stalled)',
              String(r.outage.stalledAcks),
              r.outage.stalledAcks === 0 ? 'ok' : 'FAIL',
            ],
          ]
        : []),
      ...r.db.map(([what, want, got]) => [
        `db ${what}: expected / found`,
        `${want} / ${got}`,
        want === got ? 'ok' : 'FAIL',
      ]),
    ],
  );
  return [
    lost === 0,
    t.misrouted === 0,
    t.duplicatedOrReordered === 0,
    r.churn.leftSeenOnReconnect === 0,
    r.probes.violations === 0,
    r.finalRooms.full === r.finalRooms.total,
    ...r.db.map(([, a, b]) => a === b),
    ...(r.outage
      ? [
          r.outage.down503AfterMs !== undefined,
          r.outage.upAfterMs !== undefined,
          r.outage.stalledAcks === 0,
        ]
      : []),
  ].every(Boolean);
}

async function main() {
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], {
    cwd: serverDir,
    stdio: 'inherit',
  });
  let ok = true;
  for (const mode of MODES) {
    try {
      ok = report(await soak(mode)) && ok;
    } catch (err) {
      console.error(`\nsoak ${mode}: FAILED: ${err instanceof Error ? err.message : String(err)}`);
      ok = false;
    }
  }
  if (FUZZ > 0) {
    console.log(`\nfuzzer: ${FUZZ} payloads per database mode (test/signaling/abuse.test.ts)`);
    const pg = MODES.includes('postgres') ? await PrivatePostgres.start() : undefined;
    try {
      execFileSync(
        'pnpm',
        ['exec', 'vitest', 'run', 'test/signaling/abuse.test.ts', '-t', 'property-based'],
        {
          cwd: serverDir,
          stdio: 'inherit',
          env: { ...env, FUZZ_PAYLOADS: String(FUZZ), ...(pg ? { DATABASE_URL: pg.url } : {}) },
        },
      );
    } catch {
      ok = false;
    } finally {
      pg?.destroy();
    }
  }
  console.log(ok ? '\nsoak: every check held' : '\nsoak: FAILED (see the tables above)');
  process.exit(ok ? 0 : 1);
}

void main();
