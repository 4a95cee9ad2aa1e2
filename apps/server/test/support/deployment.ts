import { afterEach } from 'vitest';
import { secondTab, signedInClient, sleep, type TestClient } from './clients';
import { useCluster } from './cluster';
import { redisAvailable } from './redis';
import { type Backend, backends, useTestServer } from './server';

/*
 * The shapes a deployment takes in the protocol tests: one node on each database backend,
 * and two nodes on one Redis (clients handed out to the nodes in turn, as a round-robin load
 * balancer would).
 */

export interface Topology {
  readonly label: string;
  readonly backend: Backend;
  readonly nodes: 1 | 2;
}

export const topologies: Topology[] = [
  ...backends.map((backend) => ({ label: `${backend}, one node`, backend, nodes: 1 as const })),
  ...(redisAvailable
    ? [{ label: 'two nodes on Redis', backend: 'pglite' as const, nodes: 2 as const }]
    : []),
];

export interface Deployment {
  /** The first node (HTTP works on any). */
  readonly url: string;
  /** The node the next client connects to. */
  nextUrl(): string;
  /** Background work (deadlines firing) finished on every node. */
  settled(): Promise<void>;
}

export function useDeployment(topology: Topology, env: Record<string, string> = {}): Deployment {
  if (topology.nodes === 1) {
    const server = useTestServer(topology.backend, env);
    return {
      get url() {
        return server.url;
      },
      nextUrl: () => server.url,
      settled: () => server.app.ctx.signaling.settled(),
    };
  }
  const c = useCluster(topology.nodes, env);
  let turn = 0;
  return {
    get url() {
      return c.urls[0] as string;
    },
    nextUrl() {
      turn += 1;
      return c.urls[turn % c.urls.length] as string;
    },
    async settled() {
      await Promise.all(c.cluster.apps.map((app) => app.ctx.signaling.settled()));
    },
  };
}

/**
 * Signed-in clients of `server` for one describe block (`tab` opens another tab of a user),
 * each closed after every test.
 */
export function useClients(server: Deployment) {
  const open: TestClient[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) c.close();
    // Let disconnects settle (grace is 0) so rooms and calls do not leak between tests.
    await sleep(50);
    await server.settled();
  });
  const track = (c: TestClient) => {
    open.push(c);
    return c;
  };
  return {
    /** Closes a client made by hand after the test, as the others. */
    track,
    client: async (name: string) => track(await signedInClient(server.nextUrl(), name)),
    tab: async (of: TestClient) => track(await secondTab(server.nextUrl(), of)),
  };
}
