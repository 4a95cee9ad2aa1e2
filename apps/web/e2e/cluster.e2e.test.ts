// Issue 7: two server nodes on one Redis and one PostgreSQL database behind the committed
// deploy/nginx-lb.conf (round robin, no stickiness). Three people whose sockets sit on both
// nodes meet in a room through the balancer and hear each other; then one node is drained
// (SIGTERM, a deploy) and its people move to the other node without anyone seeing a leave.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@openwcall/db/testing';
import { dropPrefix, redisUnreachable } from '@openwcall/server/testing/redis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  missingPrerequisite,
  renderTemplate,
  repoRoot,
  startNginx,
  startWeb,
  tempDir,
} from './deploy-harness';
import { freePort, start, stop, waitFor } from './global-setup';
import {
  closeAll,
  energyGrowth,
  expectAudioFlowing,
  inboundAudio,
  launchBrowser,
  localStreamId,
  type Person,
  poll,
  recordTiming,
  signUp,
  skipReason,
  unique,
  waitConnected,
} from './support';
import { joinRoom } from './voice-support';

const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
/** /metrics is served only with a token (or on an internal port). */
const METRICS_TOKEN = 'e2e-cluster-metrics-token-0123';

async function clusterPrerequisite(): Promise<string> {
  if (skipReason) return skipReason;
  const tools = missingPrerequisite(['nginx'], { root: false });
  if (tools) return tools;
  let reason = (await redisUnreachable(REDIS_URL)) ?? '';
  if (!reason && !process.env.DATABASE_URL) {
    reason = 'DATABASE_URL not set (several nodes need one PostgreSQL database)';
  }
  if (reason && process.env.CI) throw new Error(`cannot run under CI: ${reason}`);
  if (reason) console.warn(`[e2e] skipping the cluster test: ${reason}`);
  return reason;
}

const prerequisite = await clusterPrerequisite();

interface ServerNode {
  readonly label: string;
  readonly url: string;
  readonly child: ChildProcess;
}

/** Socket.IO connections open on one node, from its own /metrics. */
async function connectedSockets(node: ServerNode): Promise<number> {
  const text = await (
    await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  const match = /^openwcall_connected_sockets (\d+)$/m.exec(text);
  if (!match?.[1]) throw new Error(`${node.label}: no openwcall_connected_sockets in /metrics`);
  return Number(match[1]);
}

function dropSignaling(page: Page) {
  return page.evaluate(() => window.__openwcall.dropSignaling());
}

/** Every RTCPeerConnection the page ever made: a leave and rejoin would add new ones. */
function peerConnectionsMade(page: Page): Promise<number> {
  return page.evaluate(() => window.__pcs.length);
}

describe.skipIf(prerequisite !== '')('two nodes behind deploy/nginx-lb.conf', () => {
  const dir = tempDir('cluster');
  const prefix = `owce2e:${process.pid}:${Date.now().toString(36)}:`;
  const nodes: ServerNode[] = [];
  const children: ChildProcess[] = [];
  let database: TestDatabase | undefined;
  let stopNginx: (() => Promise<void>) | undefined;
  let browser: Browser | undefined;
  let webUrl = '';

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const webPort = await freePort();
    webUrl = `http://127.0.0.1:${webPort}`;
    const serverDir = join(repoRoot, 'apps/server');
    // One after the other: the first applies the migrations to the fresh database.
    for (const label of ['node-1', 'node-2']) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const child = start(label, process.execPath, ['--import', 'tsx', 'src/main.ts'], serverDir, {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: database.url as string,
        REDIS_URL,
        REDIS_PREFIX: prefix,
        JWT_SECRET: 'e2e-cluster-secret-0123456789-abcdefghijkl',
        METRICS_TOKEN,
        WEB_ORIGIN: webUrl,
        STUN_URLS: '',
        // Long enough that a drained node's people are back long before anyone would leave.
        RECONNECT_GRACE_MS: '15000',
        AUTH_RATE_LIMIT: 'off',
        SEED_DEMO_USERS: 'false',
        LOG_LEVEL: 'warn',
      });
      children.push(child);
      await waitFor(`${url}/health`, child, label, 60_000);
      nodes.push({ label, url, child });
    }
    const lbPort = await freePort();
    stopNginx = await startNginx(
      dir.path,
      renderTemplate('deploy/nginx-lb.conf', {
        OPENWCALL_LB_LISTEN: `127.0.0.1:${lbPort}`,
        OPENWCALL_SERVER_NODE_1: new URL(nodes[0]?.url ?? '').host,
        OPENWCALL_SERVER_NODE_2: new URL(nodes[1]?.url ?? '').host,
      }),
    );
    const balancer = `http://127.0.0.1:${lbPort}`;
    const web = startWeb(webPort, balancer);
    children.push(web);
    await waitFor(`${balancer}/health`, web, 'balancer', 10_000);
    await waitFor(`${webUrl}/`, web, 'web app', 180_000);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await stopNginx?.().catch(() => {});
    const exits = children
      .filter((c) => c.exitCode === null)
      .map((c) => new Promise((r) => c.once('exit', r)));
    for (const child of children) stop(child);
    await Promise.all(exits);
    await dropPrefix(REDIS_URL, prefix);
    await database?.dispose();
    dir.remove();
  });

  /** Socket counts per node once `total` sockets are open in all. */
  async function socketsPerNode(total: number): Promise<number[]> {
    return poll(
      () => Promise.all(nodes.map(connectedSockets)),
      (counts) => counts.reduce((a, b) => a + b, 0) === total,
      { what: `${total} sockets over both nodes` },
    );
  }

  it('three people on both nodes hear each other; a drained node hands its people over', async () => {
    if (!browser) throw new Error('the browser has not started');
    const people: Person[] = [];
    // Which node each person's socket reached, read from the nodes' own counters.
    const nodeOf = new Map<Person, number>();
    const t0 = Date.now();
    try {
      for (const name of ['Ann', 'Ben', 'Cat']) {
        const before = await socketsPerNode(people.length);
        const person = await signUp(browser, name, `${webUrl}/`);
        people.push(person);
        let after = await socketsPerNode(people.length);
        // Round robin also carries the API calls, so the order is not fixed: the last person
        // reconnects (each time through the balancer) until both nodes have someone.
        for (let tries = 0; people.length === 3 && after.includes(0); tries += 1) {
          if (tries === 10) throw new Error(`every socket stays on one node: ${after}`);
          await dropSignaling(person.page);
          await person.page.getByText('Connected', { exact: true }).first().waitFor();
          after = await socketsPerNode(people.length);
        }
        const grown = after.findIndex((n, i) => n > (before[i] ?? 0));
        if (grown < 0) throw new Error(`no node gained ${name}'s socket: ${before} → ${after}`);
        nodeOf.set(person, grown);
      }
      const counts = await socketsPerNode(3);
      expect(
        counts.every((n) => n >= 1),
        `sockets per node: ${counts}`,
      ).toBe(true);

      const [ann, ben, cat] = people as [Person, Person, Person];
      const room = unique('Cluster');
      await ann.page.getByLabel('Room name').fill(room);
      await ann.page.getByRole('button', { name: 'Create room' }).click();
      await ann.page.getByRole('heading', { name: room }).waitFor();
      for (const person of [ben, cat]) {
        await joinRoom(person.page, room);
      }
      for (const person of people) await waitConnected(person.page, 2);
      await Promise.all(people.map((p) => expectAudioFlowing(p.page, 2)));

      // Every pair, both ways, across the nodes.
      const streamIds = await Promise.all(people.map((p) => localStreamId(p.page)));
      for (const [i, person] of people.entries()) {
        const growth = await energyGrowth(person.page);
        for (const [j, id] of streamIds.entries()) {
          if (i === j) continue;
          expect(growth.get(id ?? ''), `${person.name} hears ${people[j]?.name}`).toBeGreaterThan(
            0,
          );
        }
      }
      const metMs = Date.now() - t0;

      // A deploy: the node with someone on it drains; they reconnect through nginx to the other.
      const drained = nodes[0] as ServerNode;
      const movers = people.filter((p) => nodeOf.get(p) === 0);
      expect(movers.length).toBeGreaterThan(0);
      const exited = new Promise((r) => drained.child.once('exit', r));
      const t1 = Date.now();
      drained.child.kill('SIGTERM');
      await exited;
      const survivor = nodes[1] as ServerNode;
      await poll(
        () => connectedSockets(survivor),
        (n) => n === 3,
        { what: 'all three sockets on the surviving node' },
      );
      for (const person of movers) {
        await person.page.getByText('Connected', { exact: true }).first().waitFor();
      }
      const movedMs = Date.now() - t1;
      for (const person of people) {
        await person.page.getByRole('heading', { name: room }).waitFor();
        await person.page.getByText('3 / 6 people').waitFor();
      }
      await Promise.all(people.map((p) => expectAudioFlowing(p.page, 2)));
      // Nobody left and rejoined: the peer connections are the first ones, still connected.
      for (const person of people) {
        expect(await peerConnectionsMade(person.page), `${person.name}'s connections`).toBe(2);
        const open = await inboundAudio(person.page);
        expect(open.filter((s) => s.state === 'connected')).toHaveLength(2);
      }
      recordTiming('cluster', {
        node1Sockets: counts[0] ?? 0,
        node2Sockets: counts[1] ?? 0,
        signInToAudioMs: metMs,
        drainToAllOnSurvivorMs: movedMs,
      });
    } finally {
      await closeAll(people);
    }
  });
});
