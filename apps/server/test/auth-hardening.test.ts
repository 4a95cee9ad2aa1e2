import { describe, expect, it } from 'vitest';
import { backends, json, newUser, register, useTestServer } from './support/server';

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe.each(backends)('auth hardening on %s', (backend) => {
  const server = useTestServer(backend);

  it('answers 401, not 500, for a malformed owc_refresh cookie', async () => {
    for (const cookie of ['owc_refresh=%E0%A4%A', 'owc_refresh=%', 'owc_refresh=%zz']) {
      const res = await post(`${server.url}/auth/refresh`, {}, { cookie });
      expect(res.status, cookie).toBe(401);
      expect((await json(res)).error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses an access token whose last signature character is changed, whatever the character', async () => {
    const { accessToken: token } = await register(server.url, newUser('Canon'));
    const ok = await fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const last = token.at(-1);
    const statuses = new Map<string, number>();
    for (const c of BASE64URL) {
      if (c === last) continue;
      const res = await fetch(`${server.url}/me`, {
        headers: { authorization: `Bearer ${token.slice(0, -1)}${c}` },
      });
      statuses.set(c, res.status);
    }
    expect(statuses.size).toBe(63);
    expect([...statuses].filter(([, s]) => s !== 401)).toEqual([]);
  });
});

describe.each(backends)('login limit under concurrency on %s', (backend) => {
  const server = useTestServer(backend, {
    AUTH_RATE_LIMIT: 'on',
    LOGIN_MAX_PER_ACCOUNT: '10',
    LOGIN_MAX_PER_IP: '1000',
  });

  it('30 concurrent bad logins give exactly 10 INVALID_CREDENTIALS and 20 RATE_LIMITED', async () => {
    const { body } = await register(server.url, newUser('Race'));
    const codes = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const res = await post(`${server.url}/auth/login`, {
          email: body.email,
          password: 'wrong-guess',
        });
        return (await json(res)).error.code as string;
      }),
    );
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(10);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(20);
  });
});

describe.each(backends)('TRUST_PROXY with one trusted hop on %s', (backend) => {
  const server = useTestServer(backend, {
    AUTH_RATE_LIMIT: 'on',
    TRUST_PROXY: '1',
    REGISTER_MAX_PER_IP: '2',
  });

  it('keys the per-IP limit on the address the trusted proxy saw, not a client-written one', async () => {
    const reg = (xff: string) =>
      post(`${server.url}/auth/register`, newUser('Proxy'), { 'x-forwarded-for': xff }).then(
        (r) => r.status,
      );
    // Changing the client-written first entry must not buy new attempts for 10.9.9.9.
    expect(await reg('1.1.1.1, 10.9.9.9')).toBe(201);
    expect(await reg('2.2.2.2, 10.9.9.9')).toBe(201);
    expect(await reg('3.3.3.3, 10.9.9.9')).toBe(429);
    // Another real address still has its own budget.
    expect(await reg('3.3.3.3, 10.8.8.8')).toBe(201);
  });
});
