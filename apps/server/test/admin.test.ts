import { describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/accounts';
import { TestClient } from './support/clients';
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

describe.each(backends)('admin API on %s', (backend) => {
  const server = useTestServer(backend, {
    ADMIN_EMAILS: 'root@example.test',
    WEB_ORIGIN: 'https://talk.example.test,http://localhost:3000',
  });
  const url = (path: string) => `${server.url}${path}`;

  /** The ADMIN_EMAILS admin, created once per server, freshly signed in. */
  const root = { ...newUser('Root'), email: 'root@example.test' };
  let rootCreated: Promise<unknown> | undefined;
  async function admin() {
    rootCreated ??= createAccount(server.app.ctx.db.prisma, root);
    await rootCreated;
    return login(server.url, root.email, root.password);
  }

  it('refuses every admin route to a non-admin with FORBIDDEN', async () => {
    await admin(); // the first user: the admin, so the next one is not
    const { accessToken, user } = await register(server.url, newUser('Plain'));
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/users'],
      ['POST', `/api/admin/users/${user.id}/disable`],
      ['POST', `/api/admin/users/${user.id}/enable`],
      ['POST', `/api/admin/users/${user.id}/reset-link`],
      ['POST', `/api/admin/users/${user.id}/promote`],
      ['POST', `/api/admin/users/${user.id}/demote`],
      ['GET', '/api/admin/invites'],
      ['POST', '/api/admin/invites', { maxUses: 1, expiresInHours: 1 }],
      ['DELETE', '/api/admin/invites/x'],
      ['GET', '/api/admin/audit'],
    ];
    for (const [method, path, body] of routes) {
      const res = await authed(method, url(path), accessToken, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await json(res)).error.code).toBe('FORBIDDEN');
    }
    expect((await fetch(url('/api/admin/users'))).status).toBe(401);
  });

  it('lists users with online state from live presence', async () => {
    const root = await admin();
    const online = await register(server.url, newUser('Online'));
    const offline = await register(server.url, newUser('Offline'));
    const socket = new TestClient(server.url, online.user, online.accessToken);
    await socket.authenticate();
    const { users } = await json(await authed('GET', url('/api/admin/users'), root.accessToken));
    const byId = new Map(users.map((u: { id: string }) => [u.id, u]));
    expect(byId.get(online.user.id)).toEqual({
      id: online.user.id,
      email: online.body.email,
      displayName: online.user.displayName,
      isAdmin: false,
      adminByConfig: false,
      disabled: false,
      online: true,
      createdAt: expect.any(String),
      lastSeenAt: expect.any(String),
    });
    expect(byId.get(offline.user.id)).toMatchObject({ online: false });
    expect(byId.get(root.user.id)).toMatchObject({ isAdmin: true, adminByConfig: true });
    socket.close();
  });

  it("disabling closes the user's sockets at once; sign-in, refresh and socket auth fail with ACCOUNT_DISABLED", async () => {
    const root = await admin();
    const target = await register(server.url, newUser('Target'));
    const socket = new TestClient(server.url, target.user, target.accessToken);
    await socket.authenticate();

    const self = await authed(
      'POST',
      url(`/api/admin/users/${root.user.id}/disable`),
      root.accessToken,
    );
    expect((await json(self)).error.code).toBe('INVALID_TARGET');

    const res = await authed(
      'POST',
      url(`/api/admin/users/${target.user.id}/disable`),
      root.accessToken,
    );
    expect(res.status).toBe(200);
    expect((await json(res)).user).toMatchObject({ id: target.user.id, disabled: true });
    const [error] = await Promise.all([
      socket.next('error', () => true, 1000),
      socket.closedByServer(1000),
    ]);
    expect(error.code).toBe('ACCOUNT_DISABLED');

    const wrong = await post(url('/auth/login'), {
      email: target.body.email,
      password: 'wrong-one',
    });
    expect((await json(wrong)).error.code).toBe('INVALID_CREDENTIALS');
    const right = await post(url('/auth/login'), {
      email: target.body.email,
      password: target.body.password,
    });
    expect(right.status).toBe(403);
    expect((await json(right)).error.code).toBe('ACCOUNT_DISABLED');
    const refresh = await post(url('/auth/refresh'), { refreshToken: target.refreshToken });
    expect(refresh.status).toBe(401); // the login was revoked with the disable
    const again = new TestClient(server.url, target.user, target.accessToken);
    await again.connected();
    const hello = await again.request('auth:hello', { token: target.accessToken });
    expect(hello).toEqual({
      ok: false,
      error: { code: 'ACCOUNT_DISABLED', message: expect.any(String) },
    });
    again.close();
    expect((await json(await authed('GET', url('/me'), target.accessToken))).error.code).toBe(
      'ACCOUNT_DISABLED',
    );

    const enable = await authed(
      'POST',
      url(`/api/admin/users/${target.user.id}/enable`),
      root.accessToken,
    );
    expect((await json(enable)).user.disabled).toBe(false);
    await login(server.url, target.body.email, target.body.password);
  });

  it('a refresh of a disabled account whose login survived is ACCOUNT_DISABLED', async () => {
    const target = await register(server.url, newUser('Survivor'));
    await server.app.ctx.db.prisma.user.update({
      where: { id: target.user.id },
      data: { disabledAt: new Date() },
    });
    const res = await post(url('/auth/refresh'), { refreshToken: target.refreshToken });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('ACCOUNT_DISABLED');
  });

  it('a reset link works once, ends every login, and a newer link voids it', async () => {
    const root = await admin();
    const target = await register(server.url, newUser('Forgetful'));
    const socket = new TestClient(server.url, target.user, target.accessToken);
    await socket.authenticate();
    const issue = async () => {
      const res = await authed(
        'POST',
        url(`/api/admin/users/${target.user.id}/reset-link`),
        root.accessToken,
      );
      expect(res.status).toBe(200);
      const link = await json(res);
      expect(link.url).toMatch(/^https:\/\/talk\.example\.test\/reset\/[\w-]{40,}$/);
      expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
      return {
        expiresAt: link.expiresAt as string,
        token: link.url.split('/reset/')[1] as string,
      };
    };
    const older = await issue();
    const link = await issue();
    expect((await json(await fetch(url(`/auth/password-reset/${older.token}`)))).error.code).toBe(
      'RESET_LINK_INVALID',
    );
    expect(await json(await fetch(url(`/auth/password-reset/${link.token}`)))).toEqual({
      valid: true,
      displayName: target.user.displayName,
      expiresAt: link.expiresAt,
    });
    const use = (token: string) =>
      post(url('/auth/password-reset'), { token, newPassword: 'reset password 123' });
    expect((await use(link.token)).status).toBe(204);
    expect((await toldClosed(socket)).code).toBe('UNAUTHENTICATED');
    expect((await post(url('/auth/refresh'), { refreshToken: target.refreshToken })).status).toBe(
      401,
    );
    await login(server.url, target.body.email, 'reset password 123');
    const twice = await use(link.token);
    expect(twice.status).toBe(410);
    expect((await json(twice)).error.code).toBe('RESET_LINK_INVALID');
  });

  it('an expired reset link is refused', async () => {
    const root = await admin();
    const target = await register(server.url, newUser('Slow'));
    const res = await authed(
      'POST',
      url(`/api/admin/users/${target.user.id}/reset-link`),
      root.accessToken,
    );
    const token = (await json(res)).url.split('/reset/')[1];
    await server.app.ctx.db.prisma.passwordReset.updateMany({
      where: { userId: target.user.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const used = await post(url('/auth/password-reset'), { token, newPassword: 'too late 12345' });
    expect((await json(used)).error.code).toBe('RESET_LINK_INVALID');
    await login(server.url, target.body.email, target.body.password);
  });

  it('promotes and demotes, and records every admin action (who, what, whom, when)', async () => {
    const root = await admin();
    const target = await register(server.url, newUser('Promoted'));
    const promote = await authed(
      'POST',
      url(`/api/admin/users/${target.user.id}/promote`),
      root.accessToken,
    );
    expect((await json(promote)).user).toMatchObject({ isAdmin: true, adminByConfig: false });
    expect((await authed('GET', url('/api/admin/users'), target.accessToken)).status).toBe(200);
    const demote = await authed(
      'POST',
      url(`/api/admin/users/${target.user.id}/demote`),
      root.accessToken,
    );
    expect((await json(demote)).user.isAdmin).toBe(false);
    expect((await authed('GET', url('/api/admin/users'), target.accessToken)).status).toBe(403);
    for (const action of ['disable', 'enable', 'reset-link'])
      await authed('POST', url(`/api/admin/users/${target.user.id}/${action}`), root.accessToken);
    const created = await json(
      await authed('POST', url('/api/admin/invites'), root.accessToken, {
        maxUses: null,
        expiresInHours: 720,
      }),
    );
    expect(created.invite).toMatchObject({
      maxUses: null,
      uses: 0,
      revokedAt: null,
      createdBy: { id: root.user.id, displayName: root.user.displayName },
    });
    await authed('DELETE', url(`/api/admin/invites/${created.invite.id}`), root.accessToken);

    const { entries } = await json(
      await authed('GET', url('/api/admin/audit?limit=7'), root.accessToken),
    );
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      'invite.revoke',
      'invite.create',
      'user.reset-link',
      'user.enable',
      'user.disable',
      'user.demote',
      'user.promote',
    ]);
    const actor = { id: root.user.id, displayName: root.user.displayName };
    const whom = {
      id: target.user.id,
      displayName: target.user.displayName,
      email: target.body.email,
    };
    for (const entry of entries) {
      expect(entry.actor).toEqual(actor);
      expect(Date.now() - Date.parse(entry.createdAt)).toBeLessThan(60_000);
      expect(entry.target).toEqual(entry.action.startsWith('user.') ? whom : null);
    }
    const bad = await authed('GET', url('/api/admin/audit?limit=0'), root.accessToken);
    expect((await json(bad)).error.code).toBe('VALIDATION_FAILED');
  });
});

async function toldClosed(socket: TestClient) {
  const [error] = await Promise.all([
    socket.next('error', () => true, 1000),
    socket.closedByServer(1000),
  ]);
  return error;
}
