import { io as connect } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { TestClient } from '../support/clients';
import { register, useTestServer } from '../support/server';

/*
 * Limits that one account or one address must not be able to beat by opening many sockets,
 * and concurrency of one user's own actions that must never end in INTERNAL.
 */

async function tabs(url: string, count: number) {
  const { accessToken, user } = await register(url, undefined, 'Many');
  const clients: TestClient[] = [];
  for (let i = 0; i < count; i++) {
    const client = new TestClient(url, user, accessToken);
    await client.authenticate();
    clients.push(client);
  }
  return { clients, user, accessToken };
}

describe('sockets per user and fan-out budget', () => {
  const server = useTestServer('pglite', {
    MAX_SOCKETS_PER_USER: '10',
    RATE_FANOUT_PER_SEC: '2',
    RATE_FANOUT_BURST: '20',
  });

  it('an 11th socket of one user is TOO_MANY_CONNECTIONS; closing one frees a place', async () => {
    const { clients, user, accessToken } = await tabs(server.url, 10);
    const extra = new TestClient(server.url, user, accessToken);
    await extra.connected();
    const refused = await extra.request('auth:hello', { token: accessToken });
    expect(refused).toMatchObject({ ok: false, error: { code: 'TOO_MANY_CONNECTIONS' } });
    clients[0]?.close();
    let ack: { ok: boolean } = { ok: false };
    for (let i = 0; i < 50 && !ack.ok; i++) {
      ack = await extra.request('auth:hello', { token: accessToken });
      if (!ack.ok) await new Promise((r) => setTimeout(r, 20));
    }
    expect(ack.ok).toBe(true);
    for (const client of [...clients, extra]) client.close();
  });

  it('10 sockets x 150 presence:set: accepted stays within the per-user budget', async () => {
    const observer = (await tabs(server.url, 1)).clients[0] as TestClient;
    const { clients, user } = await tabs(server.url, 10);
    observer.clear();
    const started = Date.now();
    const statuses = ['away', 'online'] as const;
    const acks = await Promise.all(
      clients.flatMap((client) =>
        Array.from({ length: 150 }, (_, i) =>
          client.request('presence:set', { status: statuses[i % 2] }),
        ),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    const accepted = acks.filter((a) => a.ok).length;
    expect(acks.filter((a) => !a.ok).every((a) => a.error.code === 'RATE_LIMITED')).toBe(true);
    expect(accepted).toBeLessThanOrEqual(20 + Math.ceil(2 * seconds) + 1);
    // Ordered after every delta of those events: the observer's own round trip.
    await observer.request('presence:set', { status: 'online' });
    const deltas = observer
      .all('presence:list')
      .filter((p) => !p.full && p.users.some((u) => u.userId === user.id));
    expect(deltas.length).toBeLessThanOrEqual(accepted);
    for (const client of [observer, ...clients]) client.close();
  }, 30_000);
});

describe('concurrent actions of one user', () => {
  // Budgets lifted: every one of the 1,500 events reaches the signaling domain at once.
  const server = useTestServer('pglite', {
    RATE_FANOUT_PER_SEC: '100000',
    RATE_FANOUT_BURST: '100000',
  });

  it('10 sockets x 150 room:create: only ok, BUSY or RATE_LIMITED; never INTERNAL', async () => {
    const { clients } = await tabs(server.url, 10);
    const acks = await Promise.all(
      clients.flatMap((client) =>
        Array.from({ length: 150 }, (_, i) =>
          client.request('room:create', { name: `R${i}` }, 20_000),
        ),
      ),
    );
    const outcomes = new Set(acks.map((a) => (a.ok ? 'ok' : a.error.code)));
    expect([...outcomes].filter((o) => !['ok', 'BUSY', 'RATE_LIMITED'].includes(o))).toEqual([]);
    expect(outcomes.has('ok')).toBe(true);
    // One conversation per user: exactly one room stays, held by one of the sockets.
    const list = await clients[0]?.request('room:create', { name: 'last' });
    expect(list?.ok).toBe(true);
    for (const client of clients) client.close();
  }, 60_000);
});

describe('sockets per address', () => {
  const server = useTestServer('pglite', { MAX_SOCKETS_PER_IP: '3' });

  it('refuses the handshake past MAX_SOCKETS_PER_IP', async () => {
    const open = Array.from({ length: 3 }, () =>
      connect(server.url, { transports: ['websocket'], forceNew: true, reconnection: false }),
    );
    await Promise.all(open.map((s) => new Promise((r) => s.once('connect', () => r(null)))));
    const fourth = connect(server.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    const outcome = await new Promise<string>((resolve) => {
      fourth.once('connect', () => resolve('connected'));
      fourth.once('connect_error', (err) => resolve(`refused: ${err.message}`));
    });
    expect(outcome).toMatch(/^refused/);
    for (const s of [...open, fourth]) s.close();
  });
});
