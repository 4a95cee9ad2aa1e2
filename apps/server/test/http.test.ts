import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  backends,
  json,
  newUser,
  register,
  TEST_JWT_SECRET,
  TEST_METRICS_TOKEN,
  useTestServer,
} from './support/server';

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe.each(backends)('HTTP API on %s', (backend) => {
  const server = useTestServer(backend);

  describe('POST /auth/register', () => {
    it('creates an account and answers 201 with a token and the public user', async () => {
      const body = newUser('Reg');
      const res = await post(`${server.url}/auth/register`, body);
      expect(res.status).toBe(201);
      const data = await json(res);
      expect(data.user).toEqual({ id: expect.any(String), displayName: body.displayName });
      expect(data.accessToken.split('.')).toHaveLength(3);
      expect(JSON.stringify(data)).not.toContain('passwordHash');
      expect(res.headers.get('set-cookie')).toMatch(/owc_refresh=.*HttpOnly/);
    });

    it('keeps the refresh token out of the body unless the client asks for it', async () => {
      const body = newUser('Body');
      const reg = await post(`${server.url}/auth/register`, body);
      expect(reg.status).toBe(201);
      expect(await json(reg)).not.toHaveProperty('refreshToken');
      const credentials = { email: body.email, password: body.password };
      const web = await post(`${server.url}/auth/login`, credentials);
      expect(web.status).toBe(200);
      const cookie = web.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/owc_refresh=[^;]+; .*HttpOnly/);
      const webBody = await json(web);
      expect(webBody).not.toHaveProperty('refreshToken');
      expect(JSON.stringify(webBody)).not.toContain(cookie.split(';')[0]?.split('=')[1] ?? '?');
      const bot = await json(
        await post(`${server.url}/auth/login`, { ...credentials, refreshTokenInBody: true }),
      );
      expect(bot.refreshToken).toEqual(expect.any(String));
      const refreshed = await post(`${server.url}/auth/refresh`, {
        refreshToken: bot.refreshToken,
      });
      expect(refreshed.status).toBe(200);
      expect(await json(refreshed)).not.toHaveProperty('refreshToken');
    });

    it.each([
      ['missing fields', {}],
      ['bad email', { email: 'nope', password: 'longenough', displayName: 'A' }],
      ['short password', { email: 'a@b.test', password: 'short', displayName: 'A' }],
      ['long password', { email: 'a@b.test', password: 'x'.repeat(129), displayName: 'A' }],
      ['empty name', { email: 'a@b.test', password: 'longenough', displayName: '   ' }],
      ['long name', { email: 'a@b.test', password: 'longenough', displayName: 'x'.repeat(33) }],
      ['array body', [1, 2]],
      ['malformed JSON', '{"email":'],
    ])('rejects %s with 400 VALIDATION_FAILED', async (_label, body) => {
      const res = await post(`${server.url}/auth/register`, body);
      expect(res.status).toBe(400);
      const data = await json(res);
      expect(data.error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(data)).not.toMatch(/at .*\.ts:\d+/);
    });

    it('answers 409 EMAIL_TAKEN for an existing email, case-insensitively', async () => {
      const body = newUser('Dup');
      await register(server.url, body);
      const res = await post(`${server.url}/auth/register`, {
        ...body,
        email: body.email.toUpperCase(),
      });
      expect(res.status).toBe(409);
      expect((await json(res)).error.code).toBe('EMAIL_TAKEN');
    });

    it('lets exactly one of many concurrent registrations of one email win', async () => {
      const body = newUser('Race');
      const results = await Promise.all(
        Array.from({ length: 12 }, () => post(`${server.url}/auth/register`, body)),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    });
  });

  describe('POST /auth/login', () => {
    it('signs in with the right password (email case-insensitive)', async () => {
      const { body, user } = await register(server.url, newUser('Login'));
      const res = await post(`${server.url}/auth/login`, {
        email: ` ${body.email.toUpperCase()} `,
        password: body.password,
      });
      expect(res.status).toBe(200);
      const data = await json(res);
      expect(data.user).toEqual(user);
      expect(data.accessToken).toEqual(expect.any(String));
    });

    it('answers 401 INVALID_CREDENTIALS for a wrong password or an unknown email', async () => {
      const { body } = await register(server.url, newUser('Wrong'));
      for (const attempt of [
        { email: body.email, password: 'wrong password' },
        { email: 'nobody-here@example.test', password: 'whatever1' },
      ]) {
        const res = await post(`${server.url}/auth/login`, attempt);
        expect(res.status).toBe(401);
        expect((await json(res)).error.code).toBe('INVALID_CREDENTIALS');
      }
    });

    it('answers 400 VALIDATION_FAILED for a malformed body', async () => {
      const res = await post(`${server.url}/auth/login`, { email: 'x' });
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('GET /me and tokens', () => {
    it('returns the user for a valid bearer token', async () => {
      const { accessToken, user } = await register(server.url, newUser('Me'));
      const res = await fetch(`${server.url}/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(res.status).toBe(200);
      expect((await json(res)).user).toEqual(user);
    });

    it.each([
      ['no header', undefined],
      ['garbage', 'Bearer not-a-jwt'],
      ['wrong scheme', 'Basic abc'],
    ])('answers 401 UNAUTHENTICATED with %s', async (_label, header) => {
      const res = await fetch(`${server.url}/me`, {
        headers: header ? { authorization: header } : {},
      });
      expect(res.status).toBe(401);
      expect((await json(res)).error.code).toBe('UNAUTHENTICATED');
    });

    it('refuses a tampered token', async () => {
      const { accessToken } = await register(server.url, newUser('Tamper'));
      const [h, p, s] = accessToken.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      claims.sub = 'someone-else';
      const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
      const res = await fetch(`${server.url}/me`, {
        headers: { authorization: `Bearer ${forged}` },
      });
      expect(res.status).toBe(401);
      const otherKey = await new SignJWT({ name: 'X' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('x')
        .setIssuer('openwcall')
        .setAudience('openwcall')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
      const res2 = await fetch(`${server.url}/me`, {
        headers: { authorization: `Bearer ${otherKey}` },
      });
      expect(res2.status).toBe(401);
    });

    it('refuses an expired token', async () => {
      const { user } = await register(server.url, newUser('Expired'));
      const expired = await new SignJWT({ name: user.displayName })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(user.id)
        .setIssuer('openwcall')
        .setAudience('openwcall')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(new TextEncoder().encode(TEST_JWT_SECRET));
      const res = await fetch(`${server.url}/me`, {
        headers: { authorization: `Bearer ${expired}` },
      });
      expect(res.status).toBe(401);
      expect((await json(res)).error.message).toMatch(/expired/i);
    });
  });

  describe('refresh token rotation', () => {
    it('rotates on every use and revokes the family when an old token is replayed', async () => {
      const { refreshToken, user } = await register(server.url, newUser('Rotate'));
      const first = await post(`${server.url}/auth/refresh`, {
        refreshToken,
        refreshTokenInBody: true,
      });
      expect(first.status).toBe(200);
      const next = await json(first);
      expect(next.user).toEqual(user);
      expect(next.refreshToken).not.toBe(refreshToken);

      const replay = await post(`${server.url}/auth/refresh`, { refreshToken });
      expect(replay.status).toBe(401);
      // The replay ended the whole login, including the token issued by the rotation.
      const after = await post(`${server.url}/auth/refresh`, { refreshToken: next.refreshToken });
      expect(after.status).toBe(401);
    });

    it('accepts the HttpOnly cookie instead of a body', async () => {
      const { refreshToken } = await register(server.url, newUser('Cookie'));
      const res = await post(
        `${server.url}/auth/refresh`,
        {},
        { cookie: `owc_refresh=${refreshToken}` },
      );
      expect(res.status).toBe(200);
    });

    it('logout revokes the refresh token', async () => {
      const { refreshToken } = await register(server.url, newUser('Logout'));
      const out = await post(`${server.url}/auth/logout`, { refreshToken });
      expect(out.status).toBe(204);
      expect((await post(`${server.url}/auth/refresh`, { refreshToken })).status).toBe(401);
    });

    it('refuses an unknown refresh token', async () => {
      const res = await post(`${server.url}/auth/refresh`, { refreshToken: 'nope' });
      expect(res.status).toBe(401);
      expect((await json(res)).error.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('service endpoints', () => {
    it('GET /health answers ok', async () => {
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ status: 'ok' });
    });

    it('unknown routes answer 404 NOT_FOUND', async () => {
      const res = await fetch(`${server.url}/nope`);
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe('NOT_FOUND');
    });

    it('sends security headers and limits CORS to WEB_ORIGIN', async () => {
      const ok = await fetch(`${server.url}/health`, {
        headers: { origin: 'http://localhost:3000' },
      });
      expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
      expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
      const evil = await fetch(`${server.url}/health`, { headers: { origin: 'http://evil.test' } });
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('lets the web app PATCH and DELETE across origins (the account page: rename, sign out devices)', async () => {
      for (const method of ['PATCH', 'DELETE']) {
        const preflight = await fetch(`${server.url}/me`, {
          method: 'OPTIONS',
          headers: {
            origin: 'http://localhost:3000',
            'access-control-request-method': method,
            'access-control-request-headers': 'authorization,content-type',
          },
        });
        expect(preflight.status).toBeLessThan(300);
        expect(preflight.headers.get('access-control-allow-methods') ?? '').toContain(method);
      }
    });

    it('GET /metrics serves Prometheus text', async () => {
      const res = await fetch(`${server.url}/metrics`, {
        headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('openwcall_http_requests_total');
    });

    it('GET /calls/history needs a token and lists nothing for a new user', async () => {
      expect((await fetch(`${server.url}/calls/history`)).status).toBe(401);
      const { accessToken } = await register(server.url, newUser('Hist'));
      const res = await fetch(`${server.url}/calls/history`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(await json(res)).toEqual({ calls: [] });
    });
  });
});

describe.each(backends)('auth throttling on %s', (backend) => {
  const server = useTestServer(backend, {
    AUTH_RATE_LIMIT: 'on',
    LOGIN_MAX_PER_ACCOUNT: '3',
    LOGIN_MAX_PER_IP: '8',
    REGISTER_MAX_PER_IP: '3',
  });

  it('limits failed logins per account, then per IP, and registrations per IP', async () => {
    const { body } = await register(server.url, newUser('Throttle'));
    const attempt = (password: string, email = body.email) =>
      post(`${server.url}/auth/login`, { email, password }).then((r) => r.status);
    expect(await attempt('bad-1')).toBe(401);
    expect(await attempt('bad-2')).toBe(401);
    expect(await attempt('bad-3')).toBe(401);
    // Account locked for the window, even with the right password.
    expect(await attempt(body.password)).toBe(429);
    // Other accounts still work from this IP until the IP budget (8 attempts) is spent.
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await attempt('x', `other${i}@example.test`));
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses[4]).toBe(429);

    expect((await post(`${server.url}/auth/register`, newUser('R1'))).status).toBe(201);
    expect((await post(`${server.url}/auth/register`, newUser('R2'))).status).toBe(201);
    const third = await post(`${server.url}/auth/register`, newUser('R3'));
    expect(third.status).toBe(429);
    expect((await json(third)).error.code).toBe('RATE_LIMITED');
  });
});
