// GET /users (protocol extension): the lobby's list of teammates, offline ones included.
import { UserDirectoryResponseSchema } from '@openwcall/shared';
import { describe, expect, it } from 'vitest';
import { USER_DIRECTORY_LIMIT } from '../src/users/directory';
import { backends, json, newUser, register, useTestServer } from './support/server';

describe.each(backends)('GET /users on %s', (backend) => {
  const server = useTestServer(backend);

  it('needs a bearer token', async () => {
    const res = await fetch(`${server.url}/users`);
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe('UNAUTHENTICATED');
  });

  it('lists every account by name with only id and display name, bounded', async () => {
    const zed = await register(server.url, { ...newUser('Zed'), displayName: 'Zed Directory' });
    const amy = await register(server.url, { ...newUser('Amy'), displayName: 'Amy Directory' });
    const res = await fetch(`${server.url}/users`, {
      headers: { authorization: `Bearer ${zed.accessToken}` },
    });
    expect(res.status).toBe(200);
    const body = UserDirectoryResponseSchema.parse(await json(res));
    // Strict shape: no email, no password hash.
    expect(Object.keys(body.users[0] ?? {}).sort()).toEqual(['displayName', 'id']);
    const ours = body.users.filter((u) => u.id === zed.user.id || u.id === amy.user.id);
    expect(ours).toEqual([amy.user, zed.user]);

    // More accounts than the bound: the first USER_DIRECTORY_LIMIT by name, in order.
    await server.app.ctx.db.prisma.user.createMany({
      data: Array.from({ length: USER_DIRECTORY_LIMIT + 20 }, (_, i) => ({
        email: `bulk-${i}@example.test`,
        passwordHash: 'not-a-hash',
        displayName: `Bulk ${String(i).padStart(4, '0')}`,
      })),
    });
    const many = UserDirectoryResponseSchema.parse(
      await json(
        await fetch(`${server.url}/users`, {
          headers: { authorization: `Bearer ${amy.accessToken}` },
        }),
      ),
    );
    expect(many.users).toHaveLength(USER_DIRECTORY_LIMIT);
    const names = many.users.map((u) => u.displayName);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(names[0]).toBe('Amy Directory');
    expect(names).not.toContain('Zed Directory');
  });
});
