import { describe, expect, it } from 'vitest';
import { createAccount } from '../src/accounts/accounts';
import { signedInClient } from './support/clients';
import {
  authed,
  backends,
  json,
  login,
  newUser,
  post,
  register,
  startServer,
  type TestServer,
  useTestServer,
} from './support/server';

/** An admin made straight in the database (as the command line does), signed in. */
async function adminOf(server: TestServer) {
  const body = newUser('Admin');
  await createAccount(server.app.ctx.db.prisma, { ...body, isAdmin: true });
  return login(server.url, body.email, body.password);
}

async function makeInvite(server: TestServer, token: string, maxUses: number | null, hours = 1) {
  const res = await authed('POST', `${server.url}/api/admin/invites`, token, {
    maxUses,
    expiresInHours: hours,
  });
  expect(res.status).toBe(201);
  const { invite } = await json(res);
  const secret = String(invite.url).split('/invite/')[1] ?? '';
  expect(secret.length).toBeGreaterThan(20);
  return { invite, secret };
}

const signUp = (server: TestServer, body: Record<string, unknown>) =>
  post(`${server.url}/auth/register`, body);

describe.each(backends)('registration modes on %s', (backend) => {
  describe('open (the default outside production)', () => {
    const server = useTestServer(backend);

    it('says so on /auth/config and lets anyone sign up', async () => {
      expect(await json(await fetch(`${server.url}/auth/config`))).toEqual({
        registration: 'open',
      });
      expect((await signUp(server, newUser('Open'))).status).toBe(201);
    });

    it('renames the account with PATCH /me, validated as at sign-up', async () => {
      const { accessToken, user, body } = await register(server.url, newUser('Rename'));
      const res = await authed('PATCH', `${server.url}/me`, accessToken, { displayName: ' Neo ' });
      expect(await json(res)).toEqual({ user: { id: user.id, displayName: 'Neo' } });
      const bad = await authed('PATCH', `${server.url}/me`, accessToken, {
        displayName: 'a\u0000',
      });
      expect((await json(bad)).error.code).toBe('VALIDATION_FAILED');
      const me = await json(await authed('GET', `${server.url}/me`, accessToken));
      expect(me).toMatchObject({ user: { displayName: 'Neo' }, email: body.email });
      // The next token (and so the next auth:hello) carries the new name.
      expect((await login(server.url, body.email, body.password)).user.displayName).toBe('Neo');
    });

    it('a rename reaches sockets already signed in: presence and the room tile', async () => {
      const [renamer, roommate] = await Promise.all(
        ['Before', 'Roommate'].map((n) => signedInClient(server.url, n)),
      );
      if (!renamer || !roommate) throw new Error('setup');
      const { room } = await renamer.request('room:create', { name: 'Names' });
      await roommate.request('room:join', { roomId: room.id });

      const res = await authed('PATCH', `${server.url}/me`, renamer.token, {
        displayName: 'After',
      });
      expect(res.status).toBe(200);
      const delta = await roommate.next('presence:list', (p) =>
        p.users.some((u) => u.userId === renamer.user.id && u.displayName === 'After'),
      );
      expect(delta.full).toBe(false);
      const updated = await roommate.next(
        'room:participant:updated',
        (p) => p.participant.userId === renamer.user.id,
      );
      expect(updated.participant).toMatchObject({ displayName: 'After', isHost: true });
      // A newcomer's full list, the room list and a re-sent call state carry the new name.
      const late = await signedInClient(server.url, 'Late');
      const full = await late.next('presence:list', (p) => p.full);
      expect(full.users.find((u) => u.userId === renamer.user.id)?.displayName).toBe('After');
      const joined = await late.request('room:join', { roomId: room.id });
      expect(
        joined.room.participants.find((p: { userId: string }) => p.userId === renamer.user.id),
      ).toMatchObject({
        displayName: 'After',
      });
      for (const c of [renamer, roommate, late]) c.close();
    });

    it('a rename during a call: the other party is told the new name when the call ends', async () => {
      const [caller, callee] = await Promise.all(
        ['Caller', 'Before'].map((n) => signedInClient(server.url, n)),
      );
      if (!caller || !callee) throw new Error('setup');
      const { callId } = await caller.request('call:direct:invite', { toUserId: callee.user.id });
      await callee.request('call:direct:accept', { callId });
      const res = await authed('PATCH', `${server.url}/me`, callee.token, {
        displayName: 'After',
      });
      expect(res.status).toBe(200);
      await caller.next('presence:list', (p) =>
        p.users.some((u) => u.userId === callee.user.id && u.displayName === 'After'),
      );
      await caller.request('call:direct:end', { callId });
      const ended = await caller.next('call:direct:state', (s) => s.state === 'ended');
      expect(ended.peer).toEqual({ id: callee.user.id, displayName: 'After' });
      caller.close();
      callee.close();
    });
  });

  describe('closed', () => {
    const server = useTestServer(backend, { REGISTRATION: 'closed' });

    it('refuses sign-up with REGISTRATION_CLOSED, even with a valid invite', async () => {
      expect(await json(await fetch(`${server.url}/auth/config`))).toEqual({
        registration: 'closed',
      });
      const admin = await adminOf(server);
      const { secret } = await makeInvite(server, admin.accessToken, null);
      for (const body of [newUser('Closed'), { ...newUser('Closed'), invite: secret }]) {
        const res = await signUp(server, body);
        expect(res.status).toBe(403);
        expect((await json(res)).error.code).toBe('REGISTRATION_CLOSED');
      }
    });
  });

  describe('invite', () => {
    const server = useTestServer(backend, {
      REGISTRATION: 'invite',
      WEB_ORIGIN: 'https://talk.example.test',
    });

    it('needs an invite (INVITE_REQUIRED) and refuses an unknown one (INVITE_INVALID)', async () => {
      expect(await json(await fetch(`${server.url}/auth/config`))).toEqual({
        registration: 'invite',
      });
      const none = await signUp(server, newUser('NoInvite'));
      expect(none.status).toBe(403);
      expect((await json(none)).error.code).toBe('INVITE_REQUIRED');
      const bad = await signUp(server, { ...newUser('BadInvite'), invite: 'not-a-real-token' });
      expect(bad.status).toBe(410);
      expect((await json(bad)).error).toEqual({
        code: 'INVITE_INVALID',
        message: expect.stringMatching(/unknown/),
      });
      const lookup = await fetch(`${server.url}/auth/invites/not-a-real-token`);
      expect(lookup.status).toBe(410);
    });

    it('admits as many registrations as the invite has uses, then says it is used up', async () => {
      const admin = await adminOf(server);
      const { invite, secret } = await makeInvite(server, admin.accessToken, 2);
      expect(invite.url).toBe(`https://talk.example.test/invite/${secret}`);
      expect(await json(await fetch(`${server.url}/auth/invites/${secret}`))).toEqual({
        valid: true,
        expiresAt: invite.expiresAt,
        usesLeft: 2,
      });
      await register(server.url, { ...newUser('Guest'), invite: secret });
      expect((await json(await fetch(`${server.url}/auth/invites/${secret}`))).usesLeft).toBe(1);
      await register(server.url, { ...newUser('Guest'), invite: secret });
      const third = await signUp(server, { ...newUser('Guest'), invite: secret });
      expect(third.status).toBe(410);
      expect((await json(third)).error.message).toMatch(/used up/);
      const lookup = await json(await fetch(`${server.url}/auth/invites/${secret}`));
      expect(lookup.error.code).toBe('INVITE_INVALID');
    });

    it('admits exactly one of two registrations racing for a single-use invite', async () => {
      const admin = await adminOf(server);
      for (let round = 0; round < 3; round++) {
        const { secret } = await makeInvite(server, admin.accessToken, 1);
        const statuses = await Promise.all(
          [newUser('Racer'), newUser('Racer')].map(async (body) => {
            const res = await signUp(server, { ...body, invite: secret });
            return res.status;
          }),
        );
        expect(statuses.sort()).toEqual([201, 410]);
      }
    });

    it('gives the use back when the registration itself fails (email taken)', async () => {
      const admin = await adminOf(server);
      const { secret } = await makeInvite(server, admin.accessToken, 1);
      const taken = newUser('Taken');
      await createAccount(server.app.ctx.db.prisma, taken);
      const res = await signUp(server, { ...taken, invite: secret });
      expect((await json(res)).error.code).toBe('EMAIL_TAKEN');
      expect((await json(await fetch(`${server.url}/auth/invites/${secret}`))).usesLeft).toBe(1);
    });

    it('refuses expired and revoked invites with INVITE_INVALID saying which', async () => {
      const admin = await adminOf(server);
      const expired = await makeInvite(server, admin.accessToken, null);
      await server.app.ctx.db.prisma.invitation.update({
        where: { id: expired.invite.id },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      const revoked = await makeInvite(server, admin.accessToken, null);
      const del = await authed(
        'DELETE',
        `${server.url}/api/admin/invites/${revoked.invite.id}`,
        admin.accessToken,
      );
      expect(del.status).toBe(204);
      for (const [secret, why] of [
        [expired.secret, /expired/],
        [revoked.secret, /revoked/],
      ] as const) {
        const res = await signUp(server, { ...newUser('Late'), invite: secret });
        expect(res.status).toBe(410);
        const { error } = await json(res);
        expect(error.code).toBe('INVITE_INVALID');
        expect(error.message).toMatch(why);
      }
      const list = await json(
        await authed('GET', `${server.url}/api/admin/invites`, admin.accessToken),
      );
      const row = list.invites.find((i: { id: string }) => i.id === revoked.invite.id);
      expect(row).toMatchObject({ url: null, revokedAt: expect.any(String), uses: 0 });
    });
  });
});

describe.each(backends)('admins on %s', (backend) => {
  it('makes the first user of an empty install an admin, and nobody after', async () => {
    const server = await startServer(backend);
    try {
      const [first, second] = [await register(server.url), await register(server.url)];
      const me = async (token: string) =>
        json(await authed('GET', `${server.url}/me`, token)).then((b) => b.isAdmin);
      expect(await me(first.accessToken)).toBe(true);
      expect(await me(second.accessToken)).toBe(false);
    } finally {
      await server.close();
    }
  }, 60_000);

  describe('ADMIN_EMAILS', () => {
    const server = useTestServer(backend, {
      ADMIN_EMAILS: 'Boss@Example.test, other@example.test',
    });

    it('makes a listed user an admin who cannot be demoted', async () => {
      await register(server.url); // the install's first user
      const boss = await register(server.url, { ...newUser('Boss'), email: 'boss@example.test' });
      const me = await json(await authed('GET', `${server.url}/me`, boss.accessToken));
      expect(me).toEqual({
        user: boss.user,
        email: 'boss@example.test',
        isAdmin: true,
        createdAt: expect.any(String),
      });
      const demote = await authed(
        'POST',
        `${server.url}/api/admin/users/${boss.user.id}/demote`,
        boss.accessToken,
      );
      expect(demote.status).toBe(403);
      expect((await json(demote)).error.message).toMatch(/ADMIN_EMAILS/);
    });
  });
});
