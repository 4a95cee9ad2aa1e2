import { describe, expect, it } from 'vitest';
import { sleep, TestClient } from './support/clients';
import { useCluster } from './support/cluster';
import {
  authed,
  backends,
  json,
  login,
  newUser,
  post,
  register,
  useTestServer,
} from './support/server';

/*
 * Issue 8 item 9: a revoked login's sockets are told (`error`) and closed, on every node;
 * other logins of the same user keep theirs.
 */

async function signedIn(url: string, token: string, user: { id: string; displayName: string }) {
  const client = new TestClient(url, user, token);
  await client.authenticate();
  return client;
}

/** Resolves with the `error` payload a socket got right before the server closed it. */
async function toldAndClosed(client: TestClient, withinMs: number) {
  const started = Date.now();
  const [error] = await Promise.all([
    client.next('error', () => true, withinMs),
    client.closedByServer(withinMs),
  ]);
  return { error, ms: Date.now() - started };
}

/** Still connected and served: a round trip through the gateway. */
async function stillServed(client: TestClient) {
  expect(client.socket.connected).toBe(true);
  const ack = await client.request('auth:hello', { token: client.token });
  expect(ack.ok).toBe(true);
}

describe.each(backends)('closing sockets of revoked logins on %s', (backend) => {
  const server = useTestServer(backend);

  it("logout tells and closes that login's sockets within 1 s; other logins keep theirs", async () => {
    const body = newUser('Logout');
    const first = await register(server.url, body);
    const second = await login(server.url, body.email, body.password);
    const other = await register(server.url, newUser('Bystander'));
    const tabA = await signedIn(server.url, first.accessToken, first.user);
    const tabB = await signedIn(server.url, first.accessToken, first.user);
    const laptop = await signedIn(server.url, second.accessToken, second.user);
    const bystander = await signedIn(server.url, other.accessToken, other.user);

    const out = await post(`${server.url}/auth/logout`, { refreshToken: first.refreshToken });
    expect(out.status).toBe(204);
    for (const tab of [tabA, tabB]) {
      const { error, ms } = await toldAndClosed(tab, 1000);
      expect(error.code).toBe('UNAUTHENTICATED');
      expect(ms).toBeLessThan(1000);
    }
    await stillServed(laptop);
    await stillServed(bystander);
    // The old access token is still unexpired: reconnecting with it must not get back in.
    const back = new TestClient(server.url, first.user, first.accessToken);
    await back.connected();
    expect(await back.request('auth:hello', { token: first.accessToken })).toEqual({
      ok: false,
      error: { code: 'UNAUTHENTICATED', message: 'This login was signed out.' },
    });
    back.close();
    const me = await authed('GET', `${server.url}/me`, first.accessToken);
    expect(me.status).toBe(401);
    for (const c of [laptop, bystander]) c.close();
  });

  it('refresh-token reuse closes the sockets of that login', async () => {
    const { refreshToken, accessToken, user } = await register(server.url, newUser('Reuse'));
    const socket = await signedIn(server.url, accessToken, user);
    expect((await post(`${server.url}/auth/refresh`, { refreshToken })).status).toBe(200);
    expect((await post(`${server.url}/auth/refresh`, { refreshToken })).status).toBe(401);
    expect((await toldAndClosed(socket, 1000)).error.code).toBe('UNAUTHENTICATED');
  });

  it('signing out one device, or everywhere, closes the right sockets', async () => {
    const body = newUser('Devices');
    const phone = await register(server.url, body);
    const desk = await login(server.url, body.email, body.password);
    const phoneSocket = await signedIn(server.url, phone.accessToken, phone.user);
    const deskSocket = await signedIn(server.url, desk.accessToken, desk.user);

    const list = await json(await authed('GET', `${server.url}/me/sessions`, desk.accessToken));
    expect(list.sessions).toHaveLength(2);
    const current = list.sessions.filter((s: { current: boolean }) => s.current);
    expect(current).toHaveLength(1);
    const phoneLogin = list.sessions.find((s: { current: boolean }) => !s.current);
    const del = await authed(
      'DELETE',
      `${server.url}/me/sessions/${phoneLogin.id}`,
      desk.accessToken,
    );
    expect(del.status).toBe(204);
    expect((await toldAndClosed(phoneSocket, 1000)).error.code).toBe('UNAUTHENTICATED');
    await stillServed(deskSocket);
    const again = await authed(
      'DELETE',
      `${server.url}/me/sessions/${phoneLogin.id}`,
      desk.accessToken,
    );
    expect((await json(again)).error.code).toBe('NOT_FOUND');

    const everywhere = await authed('DELETE', `${server.url}/me/sessions`, desk.accessToken);
    expect(everywhere.status).toBe(204);
    expect(everywhere.headers.get('set-cookie')).toMatch(/owc_refresh=;.*Max-Age=0/);
    expect((await toldAndClosed(deskSocket, 1000)).error.code).toBe('UNAUTHENTICATED');
    expect(
      (await post(`${server.url}/auth/refresh`, { refreshToken: desk.refreshToken })).status,
    ).toBe(401);
  });

  it('a password change keeps the current login and closes the others', async () => {
    const body = newUser('Password');
    const mine = await register(server.url, body);
    const old = await login(server.url, body.email, body.password);
    const mySocket = await signedIn(server.url, mine.accessToken, mine.user);
    const oldSocket = await signedIn(server.url, old.accessToken, old.user);
    const wrong = await authed('POST', `${server.url}/me/password`, mine.accessToken, {
      currentPassword: 'not the password',
      newPassword: 'a brand new password',
    });
    expect((await json(wrong)).error.code).toBe('INVALID_CREDENTIALS');
    const ok = await authed('POST', `${server.url}/me/password`, mine.accessToken, {
      currentPassword: body.password,
      newPassword: 'a brand new password',
    });
    expect(ok.status).toBe(204);
    expect((await toldAndClosed(oldSocket, 1000)).error.code).toBe('UNAUTHENTICATED');
    await stillServed(mySocket);
    expect(
      (await post(`${server.url}/auth/refresh`, { refreshToken: mine.refreshToken })).status,
    ).toBe(200);
    expect(
      (await post(`${server.url}/auth/refresh`, { refreshToken: old.refreshToken })).status,
    ).toBe(401);
    await login(server.url, body.email, 'a brand new password');
    mySocket.close();
  });
});

describe.each(backends)('access-token expiry on a socket on %s', (backend) => {
  const server = useTestServer(backend, { ACCESS_TOKEN_TTL_SECONDS: '5' });

  it('closes a socket whose token expired, unless a fresh auth:hello came', async () => {
    const body = newUser('Expiry');
    // The refreshed socket's first token is the older one: without its fresh hello it
    // would have been closed before the other.
    const early = await register(server.url, body);
    const refreshed = await signedIn(server.url, early.accessToken, early.user);
    const late = await login(server.url, body.email, body.password);
    const stale = await signedIn(server.url, late.accessToken, late.user);
    // The fresh token outlives the stale one by 2 s or more (exp is in whole seconds): room for the checks below.
    await sleep(3000);
    const fresh = await login(server.url, body.email, body.password);
    const ack = await refreshed.request('auth:hello', { token: fresh.accessToken });
    expect(ack.ok).toBe(true);

    const { error } = await toldAndClosed(stale, 8000);
    expect(error).toEqual({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/expired/) });
    expect(refreshed.socket.connected).toBe(true);
    const again = await refreshed.request('presence:set', { status: 'away' });
    expect(again.ok).toBe(true);
    refreshed.close();
  }, 20_000);
});

describe('closing sockets across nodes', () => {
  const nodes = useCluster(2);

  it("logout on one node closes that login's socket on the other within 1 s", async () => {
    const [a, b] = nodes.urls as [string, string];
    const body = newUser('Nodes');
    const first = await register(a, body);
    const second = await login(a, body.email, body.password);
    const onB = await signedIn(b, first.accessToken, first.user);
    const otherOnB = await signedIn(b, second.accessToken, second.user);
    expect((await post(`${a}/auth/logout`, { refreshToken: first.refreshToken })).status).toBe(204);
    const { error, ms } = await toldAndClosed(onB, 1000);
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(ms).toBeLessThan(1000);
    await stillServed(otherOnB);
    otherOnB.close();
  });
});
